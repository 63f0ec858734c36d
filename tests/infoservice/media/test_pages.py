"""The accreditation's pages through the test client: sign-up at /press/join/, the application with its
files, the commission's desk (approve, refuse with a reason, the quota's refusal as a translated 409), the
card PDF and its verification page, a media request with its 7-day due date in the account, and who may
open what."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from darcha.infoservice import terms
from darcha.infoservice.media.choices import AccreditationStatus as S
from darcha.infoservice.media.models import Accreditation, PressRequest
from darcha.infoservice.media.services import accreditation as service
from darcha.infoservice.services._common import calendar
from tests.infoservice.media.helpers import PASSWORD, apply, documents, fake_png, office, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return office()


def _join_data(place, **extra):
    data = {
        "full_name": "Dilnoza Karimova",
        "phone": "+998 90 111 22 33",
        "email": "dilnoza@example.org",
        "organization": place.hokimiyat.code,
        "outlet": "",
        "outlet_name": "Chust tongi",
        "outlet_kind": "online",
        "registration_number": "1234",
        "position": "muxbir",
        "language": "uz",
        "username": "dilnoza",
        "password": PASSWORD,
    }
    data.update(extra)
    return data


def test_join_signs_up_and_signs_in(client, place):
    place, _commission = place
    page = client.get(reverse("media:join"))
    assert page.status_code == 200 and "Chust tumani hokimligi" in page.content.decode()
    response = client.post(reverse("media:join"), _join_data(place))
    assert response.status_code == 303 and response["Location"] == reverse("media:apply")
    assert client.get(reverse("media:account")).status_code == 200


def test_join_with_bad_input_is_a_400_with_messages(client, place):
    place, _commission = place
    response = client.post(reverse("media:join"), _join_data(place, email="x"))
    assert response.status_code == 400 and "valid email" in response.content.decode()
    response = client.post(reverse("media:join"), _join_data(place, password="1", outlet_name=""))
    body = response.content.decode()
    assert response.status_code == 400 and "Name the media outlet" in body and "too short" in body
    assert not client.session.get("_auth_user_id")


def test_apply_on_the_page_then_the_commission_approves_and_the_card_verifies(client, place):
    place, commission = place
    journalist = sign_up(place)
    client.force_login(journalist.user)
    data = {"organization": place.hokimiyat.code, "specialisation": "Sport", "area": "Chust", "correspondent": "staff"}
    response = client.post(reverse("media:apply"), {**data, **documents(photo=fake_png())})
    assert response.status_code == 400 and "not a photo" in response.content.decode()
    assert not Accreditation.objects.exists()
    response = client.post(reverse("media:apply"), {**data, **documents()})
    assert response.status_code == 303
    accreditation = Accreditation.objects.get()

    client.force_login(commission)
    desk = client.get(reverse("media:commission", args=[place.hokimiyat.code]))
    assert desk.status_code == 200 and "Ali Valiyev" in desk.content.decode()
    item = reverse("media:commission_item", args=[place.hokimiyat.code, accreditation.pk])
    assert client.get(item).status_code == 200
    photo = client.get(reverse("media:commission_file", args=[place.hokimiyat.code, accreditation.pk, "photo"]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    approve = reverse("media:commission_approve", args=[place.hokimiyat.code, accreditation.pk])
    assert client.post(approve, {"reason": ""}).status_code == 303
    accreditation.refresh_from_db()
    assert accreditation.status == S.APPROVED

    client.force_login(journalist.user)
    card = client.get(reverse("media:card", args=[accreditation.pk]))
    assert card.status_code == 200 and card["Content-Type"] == "application/pdf"
    assert card.content.startswith(b"%PDF")
    client.logout()
    verify = client.get(reverse("media:verify", args=[accreditation.card_code]))
    assert verify.status_code == 200 and "in force today" in verify.content.decode()
    assert client.get(reverse("media:verify", args=["ABCDEFGHJKLM"])).status_code == 404
    service.accreditation_revoke(actor=commission, accreditation=accreditation, reason="Qoidabuzarlik")
    assert "revoked" in client.get(reverse("media:verify", args=[accreditation.card_code])).content.decode()


@override_settings(MEDIA_ACCREDITATION_QUOTAS={"newspaper": 1})
def test_the_quota_refusal_comes_back_translated_on_the_commissions_page(client, place):
    place, commission = place
    first = apply(sign_up(place), place)
    second = apply(sign_up(place, "vali"), place)
    service.accreditation_approve(actor=commission, accreditation=first)
    client.force_login(commission)
    url = reverse("media:commission_approve", args=[place.hokimiyat.code, second.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 409 and "The quota of Namangan haqiqati" in response.content.decode()
    second.refresh_from_db()
    assert second.status == S.SUBMITTED


def test_refusal_needs_a_reason_on_the_page(client, place):
    place, commission = place
    accreditation = apply(sign_up(place), place)
    client.force_login(commission)
    url = reverse("media:commission_refuse", args=[place.hokimiyat.code, accreditation.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Hujjatlar toʻliq emas"}).status_code == 303
    accreditation.refresh_from_db()
    assert accreditation.status == S.REFUSED and accreditation.reason == "Hujjatlar toʻliq emas"


def test_who_may_open_what(client, place):
    place, commission = place
    ali = sign_up(place)
    accreditation = apply(ali, place)
    vali = sign_up(place, "vali")
    client.force_login(vali.user)
    assert client.get(reverse("media:my_accreditation", args=[accreditation.pk])).status_code == 404
    assert client.get(reverse("media:card", args=[accreditation.pk])).status_code == 404
    assert client.get(reverse("media:commission", args=[place.hokimiyat.code])).status_code == 403
    client.force_login(place.officer)
    assert client.get(reverse("media:account")).status_code == 403
    client.logout()
    assert client.get(reverse("media:account")).status_code == 302


def test_a_media_request_is_registered_with_its_7_day_due_date(client, place):
    place, _commission = place
    journalist = sign_up(place)
    client.force_login(journalist.user)
    data = {"kind": "media", "organization": place.hokimiyat.code, "text": "Intervyu soʻrayman", "address": "Chust"}
    response = client.post(reverse("media:request_new"), data)
    assert response.status_code == 303
    press_request = PressRequest.objects.select_related("appeal").get()
    appeal = press_request.appeal
    assert appeal.kind == "media" and appeal.author_name == "Ali Valiyev" and appeal.media_outlet == "Namangan haqiqati"
    registered = terms.registration_day(appeal.received_at, calendar())
    due = terms.due_date(kind="media", type=appeal.type, registered=registered, calendar=calendar())
    assert timezone.localtime(appeal.due_at).date() == due
    assert 7 <= (due - registered).days <= 10  # 7 days, moved past a day off
    account = client.get(reverse("media:account")).content.decode()
    assert appeal.number in account and f'data-due="{due:%Y-%m-%d}"' in account
    page = client.get(reverse("media:my_request", args=[press_request.pk]))
    assert page.status_code == 200 and "Intervyu" in page.content.decode()
    info = client.post(reverse("media:request_new"), {**data, "kind": "information"})
    assert info.status_code == 303
    later = PressRequest.objects.exclude(pk=press_request.pk).get().appeal
    assert (timezone.localtime(later.due_at).date() - registered).days >= 15


def test_a_press_request_without_an_address_is_refused(client, place):
    place, _commission = place
    client.force_login(sign_up(place).user)
    data = {"kind": "media", "organization": place.hokimiyat.code, "text": "Savol", "address": " "}
    response = client.post(reverse("media:request_new"), data)
    assert response.status_code == 400 and not PressRequest.objects.exists()


def test_outlets_registry_is_public(client, place):
    place, _commission = place
    sign_up(place)
    page = client.get(reverse("media:outlets"))
    assert page.status_code == 200 and "Namangan haqiqati" in page.content.decode()


def test_the_card_pdf_holds_the_name_and_the_verification_address(place):
    import io

    from pypdf import PdfReader

    from darcha.infoservice.media.card import render_card

    place, commission = place
    accreditation = apply(sign_up(place), place)
    service.accreditation_approve(actor=commission, accreditation=accreditation)
    accreditation.refresh_from_db()
    reader = PdfReader(io.BytesIO(render_card(accreditation, "en")))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 2
    assert "Ali Valiyev" in text and accreditation.card_code in text
    assert re.search(r"/press/verify/" + accreditation.card_code, text.replace("\n", ""))
