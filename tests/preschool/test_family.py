"""The family's page: opened by queue number and access code (right, wrong, locked), kept in the session;
it shows the child masked, the queue date, the referral, the position in each group ranked above the
seat held with its reasons and the last cutoff, and the history. Changes need a fresh SMS code to the
phone on file, keep the queue date, and leaving the queue asks for a confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from darcha.preschool import ages
from darcha.preschool import services as preschool
from darcha.preschool.choices import (
    AgeGroup,
    CampaignKind,
    CampaignStatus,
    EnrollmentStatus,
    EventKind,
    PlacementStatus,
    Relation,
)
from darcha.preschool.models import Campaign, Cutoff, EnrollmentApplication, Event, Placement, Position
from darcha.preschool.views import family as views
from tests.factories import PersonFactory
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

EN = "/en"
PHONE = "+998901112233"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def born_aged(years: int) -> dt.date:
    """A child `years` old on the next reference date (a month past a birthday)."""
    day = ages.reference_date(ages.school_year_for(timezone.now()))
    return day.replace(year=day.year - years) - dt.timedelta(days=31)


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def gardens(city):
    first, second = helpers.kindergarten(city, 12), helpers.kindergarten(city, 7)
    return {
        "g12": helpers.program(first, AgeGroup.G3),
        "g7": helpers.program(second, AgeGroup.G3),
        "g12_5": helpers.program(first, AgeGroup.G5),
    }


def register(city, choices, **fields) -> EnrollmentApplication:
    values = {
        "actor": preschool.FAMILY,
        "child_name": "Karimov Alisher Bobur o'g'li",
        "birth_date": born_aged(3),
        "birth_certificate": "INA1234567",
        "applicant": PersonFactory(name="Karimova Dilnoza"),
        "relation": Relation.PARENT,
        "district": city,
        "choices": choices,
        "phone": PHONE,
        "language": "en",
        "channel": "online",
    }
    values.update(fields)
    return preschool.application_register(**values)


@pytest.fixture
def application(city, gardens):
    return register(city, [gardens["g12"], gardens["g7"]])


def text(response) -> str:
    return response.content.decode()


def family_url(application) -> str:
    return f"{EN}/preschool/family/{application.number}/"


def open_page(client, application):
    typed = {"number": application.number.lower(), "code": application.access_code}
    response = client.get(f"{EN}/preschool/track/", typed)
    assert response.status_code == 303, text(response)
    assert response["Location"] == family_url(application)
    return client.get(response["Location"])


# --- tracking -----------------------------------------------------------------------------------
def test_the_right_number_and_code_open_the_page_kept_in_the_session(client, application):
    page = open_page(client, application)
    assert page.status_code == 200
    body = text(page)
    assert application.number in body and "In the queue" in body
    assert "K. A. B. O." in body  # the child's initials, not the name
    assert "Karimov" not in body and "INA1234567" not in body and "INA…567" in body
    assert application.access_code not in body
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    # The address carries no code; the session keeps the page open.
    assert client.get(family_url(application)).status_code == 200


def test_the_qr_link_opens_the_page_and_drops_the_code_from_the_address(client, application):
    response = client.get(family_url(application), {"code": application.access_code})
    assert response.status_code == 303 and response["Location"] == family_url(application)
    assert client.get(response["Location"]).status_code == 200


def test_without_the_code_the_page_asks_for_it(client, application):
    response = client.get(family_url(application))
    assert response.status_code == 303
    form = client.get(response["Location"])
    assert f'value="{application.number}"' in text(form)


def test_a_wrong_code_and_a_wrong_number_get_the_same_answer(client, application):
    wrong_code = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    first = client.get(f"{EN}/preschool/track/", {"number": application.number, "code": wrong_code})
    second = client.get(f"{EN}/preschool/track/", {"number": "M26-9999999", "code": application.access_code})
    assert first.status_code == second.status_code == 404
    message = "No application with this number and code. Check the receipt."
    assert message in text(first) and message in text(second)
    assert client.get(family_url(application)).status_code == 303  # nothing opened


def test_a_number_locks_after_too_many_wrong_codes(client, application, settings):
    settings.CASES_TRACK_NUMBER_FAILURES = 3
    wrong_code = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    for _ in range(2):
        client.get(f"{EN}/preschool/track/", {"number": application.number, "code": wrong_code})
    locked = client.get(f"{EN}/preschool/track/", {"number": application.number, "code": wrong_code})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "locked after too many wrong access codes" in text(locked)
    # Locked: the right code is refused too, and the page stays closed.
    right = client.get(f"{EN}/preschool/track/", {"number": application.number, "code": application.access_code})
    assert right.status_code == 429
    assert client.get(family_url(application)).status_code == 303


def test_an_empty_form_says_what_is_missing(client):
    response = client.get(f"{EN}/preschool/track/", {"number": "", "code": ""})
    assert response.status_code == 400
    assert "Enter the queue number from your receipt." in text(response)


# --- what the page shows ------------------------------------------------------------------------
def test_the_page_shows_positions_with_reasons_the_cutoff_and_the_referral(client, city, gardens):
    application = register(city, [gardens["g12"], gardens["g7"]])
    now = timezone.now()
    campaign = Campaign.objects.create(
        district=city,
        kind=CampaignKind.MAIN,
        school_year=ages.school_year_for(now),
        reference_date=ages.reference_date(ages.school_year_for(now)),
        status=CampaignStatus.DONE,
        created_at=now,
        finished_at=now,
    )
    Cutoff.objects.create(
        campaign=campaign, program=gardens["g12"], placed=2, tier=1, queue_date=now - dt.timedelta(days=400)
    )
    Placement.objects.create(
        application=application,
        program=gardens["g7"],
        campaign=campaign,
        status=PlacementStatus.OFFERED,
        offered_at=now,
        expires_at=now + dt.timedelta(days=21),
    )
    Position.objects.create(
        application=application, program=gardens["g12"], position=3, ahead_privileged=1, computed_at=now
    )
    Event.objects.create(
        application=application,
        kind=EventKind.POSITION,
        data={
            "changes": [
                {
                    "program": gardens["g12"].pk,
                    "from": 1,
                    "to": 3,
                    "ahead_privileged": 1,
                    "reasons": [{"code": "joined_privileged", "count": 2}],
                }
            ]
        },
        created_at=now,
    )
    body = text(open_page(client, application))
    assert "Your child has a referral" in body and "7-son MTT" in body
    assert "•• 33" in body  # the SMS with the referral's code went to the phone on file, shown masked
    assert 'Place <strong class="ps-position">3</strong> in the queue for this group.' in body
    assert "1 of the children ahead has a privilege." in body
    assert "Last admitted: privileged list" in body
    assert "A place here is held for your child by the referral." in body
    # The history says why the place changed, in plain words.
    assert "Position changed" in body and "12-son MTT" in body and "position 1 → 3" in body
    assert "2 children with a privilege joined the queue for this group." in body


def test_a_paused_referral_says_why(client, application, gardens):
    now = timezone.now()
    Placement.objects.create(
        application=application,
        program=gardens["g12"],
        status=PlacementStatus.OFFERED,
        offered_at=now,
        expires_at=now + dt.timedelta(days=21),
        paused_at=now,
        pause_reason="The kindergarten is closed for repairs",
    )
    body = text(open_page(client, application))
    assert "The term is paused" in body and "The kindergarten is closed for repairs" in body
    assert "Not waited for: your child holds a place you ranked higher." in body  # the 2nd choice


# --- changes ------------------------------------------------------------------------------------
def sms_code(phone=PHONE) -> str:
    message = Message.objects.filter(template="otp", address=phone).latest("id")
    return message_values(message)["code"]


def confirm(client, application):
    url = f"{family_url(application)}change/"
    assert client.post(url, {"step": "send"}).status_code == 303
    assert client.post(url, {"step": "code", "code": sms_code()}).status_code == 303


def test_changes_need_a_fresh_sms_code_to_the_phone_on_file(client, application, gardens):
    open_page(client, application)
    url = f"{family_url(application)}change/"
    page = text(client.get(url))
    assert "Send me the code" in page and "Change the kindergartens" not in page
    # Not confirmed: no change is taken, and the choices page sends the visitor back.
    refused = client.post(url, {"step": "contact", "phone": PHONE, "language": "ru"})
    assert refused.status_code == 403
    assert client.get(f"{url}choices/").status_code == 303
    assert client.post(url, {"step": "send"}).status_code == 303
    wrong = client.post(url, {"step": "code", "code": "000000" if sms_code() != "000000" else "111111"})
    assert wrong.status_code == 400
    assert client.post(url, {"step": "code", "code": sms_code()}).status_code == 303
    assert "Change the kindergartens" in text(client.get(url))


def test_language_and_choices_change_keeping_the_queue_date(client, application, gardens):
    queue_date = application.queue_date
    open_page(client, application)
    confirm(client, application)
    url = f"{family_url(application)}change/"
    saved = client.post(url, {"step": "contact", "phone": PHONE, "language": "ru"})
    assert saved.status_code == 303
    choices = client.post(f"{url}choices/", {"choice_1": str(gardens["g7"].pk), "choice_2": ""})
    assert choices.status_code == 303, text(choices)
    application.refresh_from_db()
    assert application.language == "ru" and application.queue_date == queue_date
    assert [p.program for p in application.preferences.order_by("rank")] == [gardens["g7"]]
    assert "Your choice of kindergartens is saved" in text(client.get(family_url(application)))


def test_a_new_phone_is_confirmed_by_a_code_sent_to_it(client, application):
    open_page(client, application)
    confirm(client, application)
    url = f"{family_url(application)}change/"
    new = "+998935556677"
    assert client.post(url, {"step": "contact", "phone": "93 555 66 77", "language": "en"}).status_code == 303
    application.refresh_from_db()
    assert application.phone == PHONE  # not yet
    assert client.post(url, {"step": "new_code", "code": sms_code(new)}).status_code == 303
    application.refresh_from_db()
    assert application.phone == new


def test_a_group_the_child_is_too_old_for_is_refused_and_nothing_changes(client, application, gardens):
    open_page(client, application)
    confirm(client, application)
    # A group not listed for this child (5–6 years), sent anyway: the services say why, in plain words.
    response = client.post(
        f"{family_url(application)}change/choices/", {"choice_1": str(gardens["g12_5"].pk), "choice_2": ""}
    )
    assert response.status_code == 400
    assert "The child is too young for the group" in text(response)
    assert "Choose the group" in text(response)
    # A program of no district of the family's is not taken at all.
    other = helpers.program(helpers.kindergarten(helpers.district("other-city"), 3), AgeGroup.G3)
    response = client.post(f"{family_url(application)}change/choices/", {"choice_1": str(other.pk)})
    assert response.status_code == 400 and "Choose a kindergarten group from the list." in text(response)
    assert [p.program for p in application.preferences.order_by("rank")] == [gardens["g12"], gardens["g7"]]


def test_leaving_asks_for_a_confirmation(client, application):
    open_page(client, application)
    confirm(client, application)
    url = f"{family_url(application)}change/leave/"
    assert "Leave the kindergarten queue?" in text(client.get(url))
    unconfirmed = client.post(url, {"reason": "We moved"})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in text(unconfirmed)
    application.refresh_from_db()
    assert application.status == EnrollmentStatus.WAITING
    assert client.post(url, {"reason": "We moved", "confirm": "on"}).status_code == 303
    application.refresh_from_db()
    assert application.status == EnrollmentStatus.LEFT and application.left_reason == "We moved"
    body = text(client.get(family_url(application)))
    assert "This application has left the queue" in body and "We moved" in body


def test_sms_codes_are_limited_per_address(client, application, monkeypatch):
    monkeypatch.setitem(views.LIMITS, "otp", views.ClientLimit("preschool-otp-test", attempts=1, window=60))
    open_page(client, application)
    url = f"{family_url(application)}change/"
    assert client.post(url, {"step": "send"}).status_code == 303
    assert client.post(url, {"step": "send"}).status_code == 429


# --- after a real campaign ----------------------------------------------------------------------
def test_after_the_main_campaign_the_families_see_the_referral_and_the_reason(client, city, gardens):
    """One seat in the first choice of both: the child who joined the queue first gets the referral, the
    other is told its place and why (through campaign_run and positions_refresh)."""
    gardens["g12"].seats = 1
    gardens["g12"].save(update_fields=["seats"])
    gardens["g7"].seats = 0
    gardens["g7"].save(update_fields=["seats"])
    # A month apart: the queue date decides, not the lottery (the allocation counts whole seconds).
    first = register(city, [gardens["g12"]], birth_certificate="INA1111111", now=timezone.now() - dt.timedelta(days=30))
    second = register(city, [gardens["g12"], gardens["g7"]], birth_certificate="INA2222222", phone="+998935556677")
    officer = helpers.officer(city)
    school_year = ages.school_year_for(timezone.now())
    campaign = preschool.campaign_create(actor=officer, district=city, school_year=school_year)
    preschool.campaign_run(actor=officer, campaign=campaign)

    placed = text(open_page(client, first))
    assert "Your child has a referral" in placed and "12-son MTT" in placed and "Take it up by" in placed
    waiting = text(open_page(client, second))
    assert "Your child has a referral" not in waiting
    assert 'Place <strong class="ps-position">1</strong> in the queue for this group.' in waiting
    assert "Last admitted: general list" in waiting  # the cutoff of the campaign just run
    assert "Position changed" in waiting and "position 1" in waiting


def test_the_history_says_what_each_change_did(client, application, gardens):
    now = timezone.now()
    older = helpers.program(gardens["g12"].kindergarten, AgeGroup.G4)
    Event.objects.create(
        application=application,
        kind=EventKind.AGE_GROUP,
        data={"day": "2027-09-01", "group": AgeGroup.G4, "moved": [[gardens["g12"].pk, older.pk]], "dropped": []},
        created_at=now,
    )
    Event.objects.create(
        application=application,
        kind=EventKind.LAPSED,
        data={"program": gardens["g7"].pk, "kindergarten": gardens["g7"].kindergarten_id, "choice_removed": True},
        created_at=now + dt.timedelta(seconds=1),
    )
    body = text(open_page(client, application))
    assert "Your child moved to the 4–5 years group on 1 September 2027." in body
    assert "12-son MTT · 3–4 years · Uzbek → 12-son MTT · 4–5 years · Uzbek" in body
    assert "Referral lapsed" in body and "This group was taken off your choices." in body


def test_the_family_page_costs_the_same_whatever_its_history(client, city, gardens, query_counts):
    application = register(city, [gardens["g12"], gardens["g7"]])
    open_page(client, application)
    url = family_url(application)
    query_counts.check("family.page", lambda: client.get(url))
    now = timezone.now()
    for program in (gardens["g12"], gardens["g7"]):
        Position.objects.create(application=application, program=program, position=4, computed_at=now)
    for step in range(6):
        Event.objects.create(
            application=application,
            kind=EventKind.POSITION,
            data={"changes": [{"program": gardens["g12"].pk, "from": step + 1, "to": step + 2, "reasons": []}]},
            created_at=now + dt.timedelta(seconds=step),
        )
    query_counts.check("family.page", lambda: client.get(url))


def test_an_enrolled_child_offered_a_higher_choice_sees_both(client, application, gardens):
    now = timezone.now()
    Placement.objects.create(
        application=application,
        program=gardens["g7"],
        status=PlacementStatus.ENROLLED,
        offered_at=now - dt.timedelta(days=60),
        expires_at=now - dt.timedelta(days=40),
        enrolled_at=now - dt.timedelta(days=50),
    )
    Placement.objects.create(
        application=application,
        program=gardens["g12"],
        status=PlacementStatus.OFFERED,
        offered_at=now,
        expires_at=now + dt.timedelta(days=21),
    )
    body = text(open_page(client, application))
    assert "Your child attends the kindergarten" in body and "Your child has a referral" in body
    assert "The place is kept until your child takes up the referral below." in body
    assert "Your child attends this group." in body and "A place here is held for your child by the referral." in body


def test_declining_the_referral_asks_for_a_confirmation_and_frees_the_place(client, application, gardens):
    now = timezone.now()
    offered = Placement.objects.create(
        application=application,
        program=gardens["g7"],
        status=PlacementStatus.OFFERED,
        offered_at=now,
        expires_at=now + dt.timedelta(days=21),
    )
    open_page(client, application)
    url = f"{family_url(application)}change/decline/"
    assert client.get(url).status_code == 303  # the phone on file first
    confirm(client, application)
    assert "Decline the referral…" in text(client.get(f"{family_url(application)}change/"))
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in text(unconfirmed)
    offered.refresh_from_db()
    assert offered.status == PlacementStatus.OFFERED
    assert client.post(url, {"confirm": "on"}).status_code == 303
    offered.refresh_from_db()
    assert offered.status == PlacementStatus.DECLINED
    application.refresh_from_db()
    assert application.is_active  # still waiting for the group ranked higher
    body = text(client.get(family_url(application)))
    assert "The referral is declined" in body and "Referral declined" in body
