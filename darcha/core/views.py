from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from psycopg_pool import PoolTimeout

from . import access, throttle
from .desk import panels_for
from .errors import attempt
from .forms import LoginForm
from .selectors import api_tokens_of
from .services import api_token_create, api_token_revoke, user_set_language


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@never_cache
@csrf_protect
def login_view(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("core:desk"))
    form = LoginForm(request, data=request.POST or None)
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")
        address = throttle.client_address(request)
        if throttle.login_blocked(username, address):
            # Refused before the password is even checked, so a blocked attacker learns nothing.
            form = LoginForm(request, initial={"username": username})
            blocked = _("Too many failed attempts. Please wait 15 minutes and try again.")
            return render(
                request,
                "core/login.html",
                {"form": form, "blocked": blocked, "next": _safe_next(request, "")},
                status=429,
            )
        elif form.is_valid():
            user = form.get_user()
            login(request, user)
            throttle.login_succeeded(username, address)
            translation.activate(user.language)
            response = HttpResponseRedirect(translate_url(_safe_next(request, reverse("core:desk")), user.language))
            response.set_cookie(
                "darcha_language",
                user.language,
                max_age=365 * 24 * 3600,
                samesite="Lax",
            )
            return response
        else:
            throttle.login_failed(username, address)
            status = 400
    return render(request, "core/login.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return HttpResponseRedirect(reverse("home"))


@require_POST
def set_language(request):
    """Django's language switch, remembered on the user's account as well."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        user_set_language(actor=request.user, user=request.user, language=language)
    return django_set_language(request)


@login_required
def desk(request):
    memberships = access.memberships(request.user)
    sections = [(m, panels_for(request, m)) for m in memberships]
    if not memberships and not request.user.is_staff:
        messages.info(request, _("Your account has no role yet. Ask an administrator to grant you one."))
    return render(request, "core/desk.html", {"sections": sections})


HEALTH_TIMEOUT_SECONDS = 2


def _database_answers() -> None:
    pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
    if pool is not None:
        # A connection from the pool within 2 s, or the database is reported down (the pool's own wait is longer).
        # Django opens its pool on a process's first query: /health/ may be that one (a server's readiness probe).
        pool.open(wait=False)
        with pool.connection(timeout=HEALTH_TIMEOUT_SECONDS) as conn:
            conn.execute("SELECT 1").fetchone()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@require_GET
def health(request):
    """200 when the database answers, 503 otherwise (for load balancers and monitoring), within 2 seconds."""
    try:
        _database_answers()
    except (DatabaseError, PoolTimeout):
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def live(request):
    """Liveness without touching the database; also the bare baseline view of the benchmarks."""
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):  # an address no route takes (a code with characters none allows)
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):  # API clients read JSON with a stable code, even from a crash
        return JsonResponse({"code": "server_error", "detail": _("Something went wrong on our side.")}, status=500)
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The signed-in user's API tokens: make one (shown this once), revoke one."""
    created, status, error = None, 200, ""
    if request.method == "POST":
        if "revoke" in request.POST:
            token = api_tokens_of(request.user).filter(pk=request.POST.get("revoke", "")).first()
            if token is None:
                status, error = 404, _("This token no longer exists.")
            else:
                api_token_revoke(actor=request.user, token=token)
                messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
                return HttpResponseRedirect(reverse("core:api_tokens"), status=303)
        else:
            result = attempt(
                lambda: api_token_create(actor=request.user, user=request.user, name=request.POST.get("name"))
            )
            if result.ok:
                created = {"token": result.value[1], "name": result.value[0].name}
            else:
                status, error = result.status, result.message
    context = {"tokens": list(api_tokens_of(request.user)), "created": created, "error": error}
    return render(request, "core/api_tokens.html", context, status=status)
