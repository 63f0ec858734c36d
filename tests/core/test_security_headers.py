"""Content-Security-Policy and Permissions-Policy on every response, and pages the policy does not break.

The policy (core.middleware) allows no inline script or style, so every page is walked: the headers
are there, and the HTML has no `<script>` without `src` (data blocks such as json_script's are not
run and stay allowed), no `<style>` element, no `style` or `on…` attribute, no `javascript:` address
and no htmx attribute that would need eval. The pages: the citizens' (as an anonymous visitor), the
staff's and the admin's (as the demo's superuser, who may open all of them), the API and its docs.
Browser tests (tests/e2e) fail on any violation the browser reports.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

from darcha.cases.models import Application, Result, Task
from darcha.catalog.models import Category, Service
from darcha.core.choices import OrganizationKind
from darcha.core.middleware import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from darcha.core.models import Organization, User
from darcha.queues.models import Counter, Ticket
from darcha.queues.selectors import center_services

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}
DATA_BLOCKS = {"application/json", "application/ld+json", "text/template"}


class InlineCode(HTMLParser):
    """What a strict policy would refuse in a page: one line per finding."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in DATA_BLOCKS:
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}>')
            elif name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name.startswith("hx-on") or (name in ("hx-vals", "hx-vars") and "js:" in (value or "")):
                self.found.append(f"{name}= (htmx eval) on <{tag}>")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name} of <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def check(response, name: str) -> None:
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY, name
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        found = inline_code(response.content.decode())
        assert not found, f"{name}: {found}"


# --- the policy itself ---------------------------------------------------------------------------
def test_the_policy_allows_nothing_inline_and_only_this_origin():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    features = dict(part.strip().split("=", 1) for part in PERMISSIONS_POLICY.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"):
        assert features[feature] == "()", feature
    assert features["autoplay"] == "(self)" and features["fullscreen"] == "(self)"


def test_the_checker_finds_what_the_policy_refuses():
    page = """<script>alert(1)</script><script type="application/json" id="c">{}</script><script src="/s.js"></script>
    <style>p{}</style><p style="color:red" onclick="x()">t</p>
    <a href="javascript:void(0)">a</a><div hx-on:click="x()"></div>"""
    found = inline_code(page)
    assert len(found) == 6, found


# --- every page ----------------------------------------------------------------------------------
@pytest.fixture
def world(demo):
    center = Organization.objects.filter(kind=OrganizationKind.CENTER, counters__isnull=False).distinct().first()
    counter = Counter.objects.filter(center=center, is_active=True).order_by("number").first()
    service = center_services(center)[0]
    application = Application.objects.filter(center=center).order_by("pk").first()
    task = Task.objects.select_related("agency").order_by("pk").first()
    return {
        "center": center,
        "counter": counter,
        "service": service,
        "category": Category.objects.filter(services__in=[service]).first() or service.category,
        "catalog_service": Service.objects.filter(is_active=True).order_by("pk").first(),
        "application": application,
        "task": task,
        "result": Result.objects.order_by("pk").first(),
        "admin": User.objects.get(username="admin"),
    }


def public_pages(world) -> dict[str, str]:
    center, service, application = world["center"].code, world["service"], world["application"]
    catalog_service = world["catalog_service"].code
    result = world["result"]
    return {
        "home": "/",
        "home (ru)": "/ru/",
        "catalog": "/services/",
        "catalog search": "/services/?q=pasport",
        "category": f"/services/category/{world['category'].code}/",
        "service page": f"/services/{catalog_service}/",
        "checklist": f"/services/{catalog_service}/checklist/",
        "apply": f"/services/{catalog_service}/apply/",
        "tracking": "/track/",
        "tracking an application": f"/track/{application.number}/?code={application.access_code}",
        "verify": f"/verify/{result.code if result else 'NO-SUCH-CODE'}/",
        "verify, unknown code": "/verify/NO-SUCH-CODE/",
        "centers": "/queue/",
        "kiosk": f"/queue/{center}/kiosk/",
        "kiosk category": f"/queue/{center}/kiosk/category/{service.category.code}/",
        "kiosk service": f"/queue/{center}/kiosk/service/{service.code}/",
        "kiosk check-in": f"/queue/{center}/check-in/",
        "board": f"/queue/{center}/board/",
        "booking": f"/queue/{center}/book/",
        "booking, unknown code": "/queue/booking/00000000/",
        "login": "/login/",
        "not found": "/no-such-page/",
        "API docs": "/api/docs/",
        "API docs' script": "/api/docs/?script=",
        "API root": "/api/v1/",
        "API services": "/api/v1/services/",
        "schema": "/api/schema/",
        "health": "/health/",
        "a static file": "/static/css/darcha.css",
    }


def staff_pages(world) -> dict[str, str]:
    center, counter, application, task = world["center"].code, world["counter"], world["application"], world["task"]
    return {
        "desk": "/desk/",
        "API tokens": "/desk/api-tokens/",
        "console, choose a counter": f"/queue/{center}/console/",
        "console": f"/queue/{center}/console/{counter.number}/",
        "console panel": f"/queue/{center}/console/{counter.number}/panel/",
        "operator issues a ticket": f"/queue/{center}/tickets/issue/",
        "manager board": f"/queue/{center}/manager/",
        "stats": f"/queue/{center}/stats/",
        "stats CSV": f"/queue/{center}/stats.csv",
        "front office": f"/front/{center}/applications/",
        "front office, new": f"/front/{center}/applications/new/",
        "front office, new for a service": f"/front/{center}/applications/new/?service={world['service'].code}",
        "front office, an application": f"/front/{center}/applications/{application.number}/",
        "receipt": f"/front/{center}/applications/{application.number}/receipt.pdf?layout=a4",
        "inbox": f"/office/{task.agency.code}/inbox/",
        "task page": f"/office/{task.agency.code}/tasks/{task.pk}/",
        "overdue": "/office/overdue/",
        "kiosk registration": f"/queue/{center}/kiosk/device/",
        "admin index": "/admin/",
        "API applications": "/api/v1/applications/",
    }


def test_every_public_page_has_the_headers_and_no_inline_code(client, world):
    for name, url in public_pages(world).items():
        response = client.get(url)
        assert response.status_code in (200, 404), f"{name}: {response.status_code}"
        check(response, name)


def test_every_staff_page_has_the_headers_and_no_inline_code(client, world):
    client.force_login(world["admin"])
    for name, url in staff_pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        check(response, name)


def test_the_tickets_pages_have_the_headers_and_no_inline_code(client, world, working_hours):
    center, service = world["center"].code, world["service"]
    issued = client.post(f"/queue/{center}/kiosk/issue/", {"service": service.code, "priority": "", "phone": ""})
    assert issued.status_code == 302
    code = issued["Location"].rstrip("/").rsplit("/", 1)[-1]
    ticket = Ticket.objects.get(public_code=code)
    check(issued, "kiosk issue")
    for name, url in {
        "kiosk ticket": issued["Location"],
        "ticket live page": f"/queue/ticket/{ticket.public_code}/",
        "ticket status": f"/queue/ticket/{ticket.public_code}/status/",
        "ticket print": f"/queue/ticket/{ticket.public_code}/print/?print=1",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, name
        check(response, name)


def test_every_admin_page_has_the_headers_and_no_inline_code(client, world, rf):
    client.force_login(world["admin"])
    request = rf.get("/")
    request.user = world["admin"]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        first = model.objects.first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            check(response, url)


def test_error_pages_and_refusals_have_the_headers(client, world):
    for name, response in {
        "403": client.get(f"/queue/{world['center'].code}/manager/", follow=False),
        "405": client.get(f"/queue/{world['center'].code}/kiosk/issue/"),
        "API 401/403": client.get("/api/v1/tasks/"),
    }.items():
        assert response.status_code in (302, 401, 403, 405), name
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, name
