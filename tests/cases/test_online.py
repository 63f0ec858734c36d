"""Applying online: the phone confirmed by an SMS code, the form with scans, and the application
entering the same workflow; refusals create nothing."""

import time
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from darcha.cases.choices import ApplicationStatus, Channel, DocumentPurpose, FeeStatus
from darcha.cases.models import Application, Document, Task
from darcha.cases.views import public
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.models import Person
from darcha.notify.models import Message, PhoneCode
from darcha.notify.selectors import message_values
from tests.factories import PDF, OrganizationFactory, pdf_file, two_agency_service

pytestmark = pytest.mark.django_db

PHONE = "+998901112233"
PINFL = "31203901230017"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def online_service(service):
    service.online = True
    service.save()
    return service


def apply_url(service):
    return reverse("cases:apply", args=[service.code])


def sent_code(phone=PHONE) -> str:
    """The code of the SMS waiting to be delivered (the message keeps it until it is sent)."""
    message = Message.objects.filter(template="otp", address=phone).latest("id")
    return message_values(message)["code"]


def confirm_phone(client, service, phone=PHONE):
    response = client.post(apply_url(service), {"step": "phone", "phone": phone})
    assert response.status_code == 303, response.content.decode()[-2000:]
    response = client.post(apply_url(service), {"step": "code", "code": sent_code(phone)})
    assert response.status_code == 303


def documents(service):
    passport, site_plan, cadastre = service.documents.order_by("position")
    assert passport.mandatory and not site_plan.mandatory and cadastre.obtained_by_center
    return passport, site_plan, cadastre


def form_data(service, where, **changes):
    passport, _site_plan, _cadastre = documents(service)
    data = {
        "step": "submit",
        "kind": PersonKind.INDIVIDUAL,
        "name": "Karimova Dilnoza",
        "pinfl": PINFL,
        "passport": "",
        "language": "ru",
        "center": str(where.pk),
        f"document_{passport.pk}": pdf_file("passport.pdf"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def counts():
    return (Application.objects.count(), Person.objects.count(), Document.objects.count())


def test_the_whole_online_flow(client, online_service, center, django_capture_on_commit_callbacks):
    url = apply_url(online_service)
    first = client.get(url)
    assert first.status_code == 200 and b'name="phone"' in first.content
    assert '<meta name="robots" content="noindex">' in first.content.decode()

    assert client.post(url, {"step": "phone", "phone": "90 111 22 33"}).status_code == 303
    assert PhoneCode.objects.filter(phone=PHONE, purpose=public.OTP_PURPOSE).exists()
    asking = client.get(url)
    assert b'name="code"' in asking.content and b"\xe2\x80\xa2\xe2\x80\xa2 33" in asking.content  # masked: •• 33
    assert client.post(url, {"step": "code", "code": sent_code()}).status_code == 303

    form = client.get(url)
    assert form.status_code == 200
    page = form.content.decode()
    passport, site_plan, cadastre = documents(online_service)
    assert f'name="document_{passport.pk}"' in page and f'name="document_{site_plan.pk}"' in page
    assert f'name="document_{cadastre.pk}"' not in page and escape(str(cadastre.name)) in page  # obtained by the center
    assert "412" in page  # the fee today (1 BRV)
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(online_service, center))
    assert response.status_code == 303, response.content.decode()[-3000:]
    assert response["Location"] == f"{url}?done=1"

    application = Application.objects.get()
    assert application.channel == Channel.ONLINE and application.registered_by is None
    assert application.phone == PHONE and application.language == "ru"
    assert application.center == center and application.status == ApplicationStatus.IN_PROGRESS
    assert application.fee_amount == 412_000 and application.fee_status == FeeStatus.DUE
    person = application.applicant
    assert person.pinfl == PINFL and person.name == "Karimova Dilnoza" and person.phone == PHONE
    scan = Document.objects.get(application=application)
    assert scan.required == passport and scan.purpose == DocumentPurpose.INTAKE and scan.sha256
    # The same workflow as at the front office: the first agency's task is open.
    assert Task.objects.get(application=application).agency.code == "land"
    assert Message.objects.filter(template="application_received", address=PHONE).exists()

    done = client.get(response["Location"])
    assert done.status_code == 200
    body = done.content.decode()
    assert application.number in body and application.access_code in body
    tracking = reverse("cases:track_detail", args=[application.number]) + f"?code={application.access_code}"
    assert escape(tracking) in body
    assert client.get(tracking).status_code == 200
    # The confirmation is used up: a second application needs the phone confirmed again.
    assert b'name="phone"' in client.get(url).content


def test_a_wrong_code_does_not_confirm_the_phone(client, online_service, center):
    url = apply_url(online_service)
    assert client.post(url, {"step": "phone", "phone": PHONE}).status_code == 303
    right = sent_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(url, {"step": "code", "code": wrong})
    assert response.status_code == 400
    assert b'role="alert"' in response.content and b'name="code"' in response.content
    assert PhoneCode.objects.get(phone=PHONE).attempts == 1
    # Still not confirmed: the form cannot be sent.
    before = counts()
    refused = client.post(url, form_data(online_service, center))
    assert refused.status_code == 400 and counts() == before
    assert client.post(url, {"step": "code", "code": ""}).status_code == 400
    assert client.post(url, {"step": "code", "code": right}).status_code == 303


def test_a_bad_phone_number_is_refused(client, online_service):
    response = client.post(apply_url(online_service), {"step": "phone", "phone": "12345"})
    assert response.status_code == 400
    assert not PhoneCode.objects.exists()


def test_codes_asked_for_are_limited_per_address(client, online_service, monkeypatch):
    monkeypatch.setitem(public.LIMITS, "otp", replace(public.LIMITS["otp"], attempts=1))
    assert client.post(apply_url(online_service), {"step": "phone", "phone": PHONE}).status_code == 303
    again = client.post(apply_url(online_service), {"step": "phone", "phone": "+998901112244"})
    assert again.status_code == 429
    assert PhoneCode.objects.count() == 1


def test_a_service_not_offered_online_is_not_found(client, service, center):
    assert not service.online
    url = apply_url(service)
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": "phone", "phone": PHONE}).status_code == 404
    assert not PhoneCode.objects.exists()
    assert client.get(reverse("cases:apply", args=["no-such-service"])).status_code == 404


def test_a_missing_mandatory_scan_creates_nothing(client, online_service, center):
    confirm_phone(client, online_service)
    passport, *_rest = documents(online_service)
    before = counts()
    response = client.post(
        apply_url(online_service), form_data(online_service, center, **{f"document_{passport.pk}": None})
    )
    assert response.status_code == 400
    assert counts() == before == (0, 0, 0)
    body = response.content.decode()
    assert f'id="id_document_{passport.pk}_error"' in body
    # The answers typed are kept for the next try.
    assert 'value="Karimova Dilnoza"' in body


def test_a_file_that_is_not_a_scan_creates_nothing(client, online_service, center):
    confirm_phone(client, online_service)
    passport, site_plan, _cadastre = documents(online_service)
    data = form_data(
        online_service,
        center,
        **{f"document_{site_plan.pk}": SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf")},
    )
    response = client.post(apply_url(online_service), data)
    assert response.status_code == 400
    assert counts() == (0, 0, 0)
    assert f'id="id_document_{site_plan.pk}_error"' in response.content.decode()


def test_bad_identity_and_no_center_are_field_errors(client, online_service, center):
    confirm_phone(client, online_service)
    response = client.post(
        apply_url(online_service), form_data(online_service, center, pinfl="31203901230010", name="", center="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("id_pinfl_error", "id_name_error", "id_center_error"):
        assert f'id="{field}"' in body
    assert counts() == (0, 0, 0)
    # A center of another kind is not a choice.
    agency = OrganizationFactory(code="some-agency", kind=OrganizationKind.AGENCY)
    response = client.post(apply_url(online_service), form_data(online_service, center, center=str(agency.pk)))
    assert response.status_code == 400 and counts() == (0, 0, 0)


def test_the_confirmation_expires_after_30_minutes(client, online_service, center):
    confirm_phone(client, online_service)
    session = client.session
    session[public.SESSION_PHONE] = {"phone": PHONE, "at": time.time() - public.PHONE_CONFIRMED_SECONDS - 1}
    session.save()
    response = client.post(apply_url(online_service), form_data(online_service, center))
    assert response.status_code == 400
    assert b'name="phone"' in response.content
    assert counts() == (0, 0, 0)


def test_the_form_is_csrf_protected(online_service, center):
    client = Client(enforce_csrf_checks=True)
    assert client.post(apply_url(online_service), {"step": "phone", "phone": PHONE}).status_code == 403
    assert not PhoneCode.objects.exists()


def test_a_known_applicant_keeps_the_phone_on_file(client, online_service, center, applicant):
    assert applicant.phone == "+998901234567"
    confirm_phone(client, online_service)
    response = client.post(apply_url(online_service), form_data(online_service, center, name="Aliyev Vali"))
    assert response.status_code == 303
    application = Application.objects.get()
    assert application.applicant == applicant and application.phone == PHONE
    applicant.refresh_from_db()
    assert applicant.phone == "+998901234567"


def test_a_legal_entity_applies_with_its_stir(client, db, center):
    service = two_agency_service(code="trade-licence", name_uz="Savdo litsenziyasi", online=True)
    service.for_individuals, service.for_legal_entities = False, True
    service.save()
    confirm_phone(client, service)
    page = client.get(apply_url(service)).content.decode()
    assert 'name="stir"' in page and 'name="pinfl"' not in page
    data = form_data(service, center, kind=PersonKind.LEGAL_ENTITY, name=None, pinfl=None)
    data.update(org_name="Nur Savdo MChJ", stir="301234567")
    response = client.post(apply_url(service), data)
    assert response.status_code == 303, response.content.decode()[-3000:]
    person = Application.objects.get().applicant
    assert person.kind == PersonKind.LEGAL_ENTITY and person.stir == "301234567" and person.name == "Nur Savdo MChJ"
    # An individual cannot apply for it.
    confirm_phone(client, service, "+998901112244")
    refused = client.post(apply_url(service), form_data(service, center))
    assert refused.status_code == 400
    assert Application.objects.count() == 1


def test_an_oversized_scan_is_refused(client, online_service, center, settings):
    settings.CASES_UPLOAD_MAX_BYTES = len(PDF) - 1
    confirm_phone(client, online_service)
    response = client.post(apply_url(online_service), form_data(online_service, center))
    assert response.status_code == 400
    assert counts() == (0, 0, 0)
