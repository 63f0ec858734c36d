"""Applying for a kindergarten place online: the phone confirmed by an SMS code, the district and the
child's date of birth deciding the groups offered, privileges with evidence, ranked choices, and the
done page with the number, the access code and the receipt. Bad input gets a translated message and
writes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext

from darcha.cases.models import PendingUpload
from darcha.core.models import Person
from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from darcha.preschool import ages
from darcha.preschool.choices import AgeGroup, BenefitStatus, Channel, KindergartenKind, Relation
from darcha.preschool.models import ApplicationBenefit, Child, EnrollmentApplication
from tests.factories import PDF
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

EN = "/en"
URL = f"{EN}/preschool/apply/"
PHONE = "+998901112233"
PINFL = "31203901230017"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def born_aged(years: int) -> dt.date:
    day = ages.reference_date(ages.school_year_for(timezone.now()))
    return day.replace(year=day.year - years) - dt.timedelta(days=31)


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def gardens(city):
    first, second = helpers.kindergarten(city, 12), helpers.kindergarten(city, 7, kind=KindergartenKind.PRIVATE)
    return {
        "g12_1": helpers.program(first, AgeGroup.EARLY),
        "g12_3": helpers.program(first, AgeGroup.G3),
        "g12_5": helpers.program(first, AgeGroup.G5),
        "g7_3": helpers.program(second, AgeGroup.G3),
    }


@pytest.fixture
def large_family(db):
    return helpers.benefit("large-family")


@pytest.fixture
def poor_family(db):
    return helpers.benefit("poor-family", center_obtains=True)


def text(response) -> str:
    return response.content.decode()


def sms_code(phone=PHONE) -> str:
    return message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]


def confirm_phone(client):
    assert client.post(URL, {"step": "phone", "phone": "90 111 22 33"}).status_code == 303
    assert client.post(URL, {"step": "code", "code": sms_code()}).status_code == 303


def form_data(city, gardens, **changes) -> dict:
    data = {
        "step": "submit",
        "district": str(city.pk),
        "birth_date": born_aged(3).isoformat(),
        "applicant_name": "Karimova Dilnoza",
        "applicant_pinfl": PINFL,
        "relation": Relation.PARENT,
        "language": "ru",
        "child_name": "Karimov Alisher",
        "birth_certificate": "I-NA 1234567",
        "child_pinfl": "",
        "choice_1": str(gardens["g7_3"].pk),
        "choice_2": str(gardens["g12_3"].pk),
        "choice_3": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def counts() -> tuple[int, int, int, int]:
    return (
        EnrollmentApplication.objects.count(),
        Child.objects.count(),
        Person.objects.count(),
        ApplicationBenefit.objects.count(),
    )


def test_the_whole_online_application(client, city, gardens, large_family, poor_family):
    first = client.get(URL)
    assert first.status_code == 200 and 'name="phone"' in text(first)
    assert client.post(URL, {"step": "phone", "phone": "90 111 22 33"}).status_code == 303
    asking = text(client.get(URL))
    assert 'name="code"' in asking and "•• 33" in asking
    assert client.post(URL, {"step": "code", "code": sms_code()}).status_code == 303

    # The district and the date of birth first: the groups offered are those of the child's age.
    step = text(client.get(URL, {"district": city.pk, "birth_date": born_aged(3).isoformat()}))
    assert f'value="{gardens["g12_3"].pk}"' in step and f'value="{gardens["g7_3"].pk}"' in step
    assert "5–6 years" not in step  # not for a child of three
    assert "The center obtains the evidence from the state register itself" in step  # poor families
    assert 'enctype="multipart/form-data"' in step

    data = form_data(
        city,
        gardens,
        **{
            f"benefit_{large_family.pk}": "on",
            f"evidence_{large_family.pk}": SimpleUploadedFile("family.pdf", PDF, content_type="application/pdf"),
            f"benefit_{poor_family.pk}": "on",
        },
    )
    response = client.post(URL, data)
    assert response.status_code == 303, text(response)[-3000:]
    assert response["Location"] == f"{URL}?done=1"
    application = EnrollmentApplication.objects.get()
    assert application.channel == Channel.ONLINE and application.center is None
    assert application.phone == PHONE and application.language == "ru" and application.district == city
    assert application.applicant.pinfl == PINFL and application.child.birth_certificate == "I-NA1234567"
    assert [p.program for p in application.preferences.order_by("rank")] == [gardens["g7_3"], gardens["g12_3"]]
    scanned = application.benefits.get(benefit=large_family)
    assert scanned.status == BenefitStatus.CLAIMED and scanned.evidence_file
    assert application.benefits.get(benefit=poor_family).obtained_by_center

    done = text(client.get(f"{URL}?done=1"))
    assert application.number in done and application.access_code in done
    # The done page's links work in this session: the family's page and the receipt.
    assert client.get(f"{EN}/preschool/family/{application.number}/").status_code == 200
    receipt = client.get(f"{EN}/preschool/family/{application.number}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF-")


def test_the_form_needs_a_confirmed_phone(client, city, gardens):
    response = client.post(URL, form_data(city, gardens))
    assert response.status_code == 400 and "Confirm your phone number first" in text(response)
    assert counts() == (0, 0, 0, 0)


def test_a_wrong_sms_code_is_refused(client):
    assert client.post(URL, {"step": "phone", "phone": PHONE}).status_code == 303
    wrong = "000000" if sms_code() != "000000" else "111111"
    response = client.post(URL, {"step": "code", "code": wrong})
    assert response.status_code == 400
    assert 'name="phone"' not in text(response) and 'name="code"' in text(response)


def test_a_child_too_old_for_a_kindergarten_is_refused_and_nothing_is_written(client, city, gardens):
    confirm_phone(client)
    step = text(client.get(URL, {"district": city.pk, "birth_date": born_aged(7).isoformat()}))
    assert "No kindergarten group of this city or district takes children of this age." in step
    response = client.post(URL, form_data(city, gardens, birth_date=born_aged(7).isoformat(), choice_2=""))
    assert response.status_code == 400
    assert "The child is too old for a kindergarten" in text(response)
    assert counts() == (0, 0, 0, 0)


def test_a_child_too_young_for_the_group_is_told_which_group(client, city, gardens):
    confirm_phone(client)
    # Kindergarten 12 has an early group: a child of one enters that one, not the 3–4 group.
    step = text(client.get(URL, {"district": city.pk, "birth_date": born_aged(1).isoformat()}))
    assert "1–3 years" in step and "12-son MTT · 3–4 years" not in step
    assert "7-son MTT · 3–4 years" in step  # no early group there: the child waits until three
    data = form_data(city, gardens, birth_date=born_aged(1).isoformat(), choice_1=str(gardens["g12_3"].pk))
    response = client.post(URL, {**data, "choice_2": ""})
    assert response.status_code == 400
    assert "The child is too young for the group" in text(response) and "Choose the group" in text(response)
    assert counts() == (0, 0, 0, 0)


def test_a_privilege_without_evidence_is_refused_and_nothing_is_written(client, city, gardens, large_family):
    confirm_phone(client)
    response = client.post(URL, form_data(city, gardens, **{f"benefit_{large_family.pk}": "on"}))
    assert response.status_code == 400
    assert "needs its evidence" in text(response)
    assert counts() == (0, 0, 0, 0)


def test_a_scan_that_is_not_a_document_is_refused(client, city, gardens, large_family):
    confirm_phone(client)
    fake = SimpleUploadedFile("family.pdf", b"MZ not a pdf", content_type="application/pdf")
    data = form_data(city, gardens, **{f"benefit_{large_family.pk}": "on", f"evidence_{large_family.pk}": fake})
    response = client.post(URL, data)
    assert response.status_code == 400
    assert counts() == (0, 0, 0, 0)


def test_messages_come_in_the_page_language(client):
    response = client.post("/ru/preschool/apply/", {"step": "phone", "phone": ""})
    assert response.status_code == 400
    with translation.override("ru"):
        expected = gettext("Enter your mobile phone number.")
    assert expected != "Enter your mobile phone number." and expected in text(response)


def test_the_same_child_cannot_join_twice(client, city, gardens):
    confirm_phone(client)
    assert client.post(URL, form_data(city, gardens)).status_code == 303
    confirm_phone(client)
    again = client.post(URL, form_data(city, gardens))
    assert again.status_code in (400, 409)
    assert EnrollmentApplication.objects.count() == 1


def test_a_scan_sent_with_a_refused_form_is_kept_for_the_next_try(client, city, gardens, large_family):
    confirm_phone(client)
    scan = SimpleUploadedFile("family.pdf", PDF, content_type="application/pdf")
    data = form_data(city, gardens, applicant_name="", **{f"benefit_{large_family.pk}": "on"})
    refused = client.post(URL, {**data, f"evidence_{large_family.pk}": scan})
    assert refused.status_code == 400 and "kept: family.pdf" in text(refused)
    draft = re.search(r'name="draft" value="([^"]+)"', text(refused)).group(1)
    # The next try sends no file: the kept one goes with the application.
    done = client.post(URL, {**form_data(city, gardens, **{f"benefit_{large_family.pk}": "on"}), "draft": draft})
    assert done.status_code == 303, text(done)[-2000:]
    claim = EnrollmentApplication.objects.get().benefits.get(benefit=large_family)
    assert claim.evidence_file
    with claim.evidence_file.open("rb") as handle:
        assert handle.read() == PDF
    assert not PendingUpload.objects.exists()


def test_the_first_step_asks_for_what_is_missing(client, city, gardens):
    confirm_phone(client)
    no_date = client.get(URL, {"district": city.pk, "birth_date": ""})
    assert no_date.status_code == 400 and "Type the child's date of birth." in text(no_date)
    assert 'name="step" value="submit"' not in text(no_date)
    no_district = client.get(URL, {"district": "", "birth_date": born_aged(3).isoformat()})
    assert no_district.status_code == 400 and "Choose the city or district." in text(no_district)
