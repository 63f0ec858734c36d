"""Accreditation through its services: sign-up, the application with the documents of Cabinet
resolution 243 (the photo an image), the commission's decisions with reasons, the outlet's quota, the
temporary accreditation of foreign media, suspension, revocation, expiry and the renewal reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.media import selectors
from darcha.infoservice.media.choices import AccreditationStatus as S
from darcha.infoservice.media.choices import MediaRefusal
from darcha.infoservice.media.models import Accreditation, Journalist, Outlet
from darcha.infoservice.media.services import accreditation as service
from darcha.notify.models import Message
from tests.factories import pdf_file
from tests.infoservice.helpers import at
from tests.infoservice.media.helpers import apply, fake_png, office, photo_file, sign_up

pytestmark = pytest.mark.django_db
NOW = at(2026, 5, 4, 10)


@pytest.fixture
def place():
    return office()


def test_sign_up_makes_the_account_the_outlet_and_the_role(place):
    place, _commission = place
    journalist = sign_up(place)
    assert journalist.user.check_password("Quill-and-ink-2026")
    assert journalist.outlet.name == "Namangan haqiqati" and journalist.outlet.registration_number == "0123"
    assert access.has_role(journalist.user, Role.JOURNALIST, place.hokimiyat)
    again = sign_up(place, "vali", outlet=None)  # the same certificate number: the registry's outlet
    assert again.outlet_id == journalist.outlet_id and Outlet.objects.count() == 1


def test_sign_up_refuses_bad_input_and_saves_nothing(place):
    place, _commission = place
    sign_up(place)
    with pytest.raises(ValidationError) as error:
        sign_up(place, "ALI", email="not-an-email", phone="12", full_name=" ")
    assert {"username", "email", "phone", "full_name"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        sign_up(place, "bobur", number="")  # a national outlet names its certificate
    assert "registration_number" in error.value.message_dict
    assert Journalist.objects.count() == 1


def test_apply_and_approve_gives_a_year_and_a_card_code(place, django_capture_on_commit_callbacks):
    place, commission = place
    journalist = sign_up(place)
    with django_capture_on_commit_callbacks(execute=True):
        accreditation = apply(journalist, place, now=NOW)
    assert accreditation.status == S.SUBMITTED
    assert Message.objects.filter(template="media_accreditation_submitted", address="c@example.org").exists()
    assert accreditation.photo.name.endswith(".jpg") and accreditation.letter.name.endswith(".pdf")
    with django_capture_on_commit_callbacks(execute=True):
        service.accreditation_approve(actor=commission, accreditation=accreditation, now=NOW)
    accreditation.refresh_from_db()
    assert accreditation.status == S.APPROVED and accreditation.decided_by == commission
    assert (accreditation.valid_from, accreditation.valid_until) == (dt.date(2026, 5, 4), dt.date(2027, 5, 3))
    assert len(accreditation.card_code) == 12
    assert Message.objects.filter(template="media_accreditation_approved", address="ali@example.org").exists()
    assert [e.action for e in accreditation.events.all()] == ["submit", "approve"]


def test_the_documents_are_checked_and_the_photo_must_be_an_image(place):
    place, _commission = place
    journalist = sign_up(place)
    with pytest.raises(ValidationError) as error:
        apply(journalist, place, photo=fake_png(), passport=None, letter=pdf_file("x.pdf", b"MZ\x90\x00 not a pdf"))
    errors = error.value.message_dict
    assert "not a photo" in errors["photo"][0]
    assert "passport" in errors and "letter" in errors
    with pytest.raises(ValidationError) as error:
        apply(journalist, place, photo=photo_file(size=(60, 80)))
    assert "at least 240×300" in error.value.message_dict["photo"][0]
    with pytest.raises(ValidationError) as error:
        apply(journalist, place, photo=pdf_file("photo.pdf"))
    assert "photo" in error.value.message_dict
    assert not Accreditation.objects.exists()


def test_one_application_at_a_time_and_only_ones_own(place):
    place, commission = place
    journalist = sign_up(place)
    apply(journalist, place, now=NOW)
    with pytest.raises(Refused) as refused:
        apply(journalist, place, now=NOW)
    assert refused.value.code == MediaRefusal.DUPLICATE
    other = sign_up(place, "vali")
    with pytest.raises(Forbidden):
        service.accreditation_apply(
            actor=other.user,
            journalist=journalist,
            organization=place.hokimiyat,
            specialisation="x",
            area="y",
            correspondent="staff",
        )


def test_only_the_commission_decides_and_a_refusal_needs_a_reason(place, django_capture_on_commit_callbacks):
    place, commission = place
    accreditation = apply(sign_up(place), place, now=NOW)
    with pytest.raises(Forbidden):
        service.accreditation_approve(actor=place.officer, accreditation=accreditation, now=NOW)
    with pytest.raises(ValidationError) as error:
        service.accreditation_refuse(actor=commission, accreditation=accreditation, reason=" ", now=NOW)
    assert "reason" in error.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        service.accreditation_refuse(actor=commission, accreditation=accreditation, reason="Xat imzolanmagan", now=NOW)
    message = Message.objects.get(template="media_accreditation_refused")
    assert "Xat imzolanmagan" in message.body
    with pytest.raises(Refused) as refused:
        service.accreditation_approve(actor=commission, accreditation=accreditation, now=NOW)
    assert refused.value.code == MediaRefusal.STATE


@override_settings(MEDIA_ACCREDITATION_QUOTAS={"newspaper": 1})
def test_over_the_outlets_quota_is_refused_with_a_message(place):
    place, commission = place
    ali = sign_up(place)
    first = apply(ali, place, now=NOW)
    vali = sign_up(place, "vali")  # the same outlet (its certificate number)
    second = apply(vali, place, now=NOW)  # nobody accredited yet: may apply
    service.accreditation_approve(actor=commission, accreditation=first, now=NOW)
    with pytest.raises(Refused) as refused:
        service.accreditation_approve(actor=commission, accreditation=second, now=NOW)
    assert refused.value.code == MediaRefusal.QUOTA
    assert "quota of Namangan haqiqati" in refused.value.message and "at most 1" in refused.value.message
    second.refresh_from_db()
    assert second.status == S.SUBMITTED
    service.accreditation_withdraw(actor=vali.user, accreditation=second, now=NOW)
    with pytest.raises(Refused) as refused:
        apply(vali, place, now=NOW)
    assert refused.value.code == MediaRefusal.QUOTA
    service.accreditation_revoke(actor=commission, accreditation=first, reason="Qoidabuzarlik", now=NOW)
    assert apply(vali, place, now=NOW).status == S.SUBMITTED  # a seat is free again


def test_foreign_media_get_a_temporary_accreditation_of_at_most_three_months(place):
    place, commission = place
    journalist = sign_up(place, "john", kind="foreign")
    with pytest.raises(ValidationError) as error:
        apply(journalist, place, now=NOW)
    assert {"requested_from", "requested_until"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        apply(journalist, place, now=NOW, requested_from=dt.date(2026, 5, 10), requested_until=dt.date(2026, 9, 1))
    assert "at most 92 days" in error.value.message_dict["requested_until"][0]
    accreditation = apply(
        journalist, place, now=NOW, requested_from=dt.date(2026, 5, 10), requested_until=dt.date(2026, 7, 31)
    )
    assert accreditation.temporary
    service.accreditation_approve(actor=commission, accreditation=accreditation, now=NOW)
    accreditation.refresh_from_db()
    assert (accreditation.valid_from, accreditation.valid_until) == (dt.date(2026, 5, 10), dt.date(2026, 7, 31))


def test_suspend_resume_revoke(place, django_capture_on_commit_callbacks):
    place, commission = place
    accreditation = apply(sign_up(place), place, now=NOW)
    service.accreditation_approve(actor=commission, accreditation=accreditation, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        service.accreditation_suspend(actor=commission, accreditation=accreditation, reason="Tekshiruv", now=NOW)
    accreditation.refresh_from_db()
    assert accreditation.status == S.SUSPENDED and not accreditation.is_valid_on(NOW.date())
    assert Message.objects.filter(template="media_accreditation_suspended").exists()
    service.accreditation_resume(actor=commission, accreditation=accreditation, now=NOW)
    accreditation.refresh_from_db()
    assert accreditation.status == S.APPROVED
    service.accreditation_revoke(actor=commission, accreditation=accreditation, reason="Qoidabuzarlik", now=NOW)
    with pytest.raises(Refused):
        service.accreditation_resume(actor=commission, accreditation=accreditation, now=NOW)
    assert [e.action for e in accreditation.events.all()] == ["submit", "approve", "suspend", "resume", "revoke"]


def test_reminder_a_month_before_then_renewal_then_expiry(place, django_capture_on_commit_callbacks):
    place, commission = place
    journalist = sign_up(place)
    accreditation = apply(journalist, place, now=NOW)
    service.accreditation_approve(actor=commission, accreditation=accreditation, now=NOW)  # until 2027-05-03
    assert service.renewal_reminders(now=at(2027, 4, 2)) == 0  # 31 days before
    with django_capture_on_commit_callbacks(execute=True):
        assert service.renewal_reminders(now=at(2027, 4, 3)) == 1
    assert service.renewal_reminders(now=at(2027, 4, 4)) == 0  # once
    assert "2027-yil 3-may" in Message.objects.get(template="media_accreditation_renewal").body
    rows = selectors.journalist_accreditations(journalist)
    assert selectors.renewable(rows[0], rows, today=dt.date(2027, 4, 3))
    renewal = apply(journalist, place, now=at(2027, 4, 5), renewal_of=accreditation)
    service.accreditation_approve(actor=commission, accreditation=renewal, now=at(2027, 4, 6))
    renewal.refresh_from_db()
    assert renewal.valid_from == dt.date(2027, 5, 4)  # from the day after the first one ends
    assert service.accreditations_expire(now=at(2027, 5, 3, 23)) == 0
    assert service.accreditations_expire(now=at(2027, 5, 4, 0, 10)) == 1
    accreditation.refresh_from_db()
    assert accreditation.status == S.EXPIRED
    assert not Message.objects.filter(template="media_accreditation_expired").exists()  # renewed: not told
