"""A child joins the queue, and the family's changes after: checks, history, audit, notices, tracking."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from darcha.cases.services.tracking import TrackingRefused
from darcha.core.audit import SYSTEM
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.notify.models import Message
from darcha.preschool import services
from darcha.preschool.choices import (
    AgeGroup,
    BenefitStatus,
    Channel,
    EnrollmentStatus,
    EventKind,
    KindergartenKind,
    PlacementStatus,
    PreschoolRefusal,
)
from darcha.preschool.models import (
    ApplicationBenefit,
    Campaign,
    Child,
    EnrollmentApplication,
    Event,
    Placement,
    Preference,
)
from darcha.preschool.services import BenefitClaim
from tests.factories import PersonFactory, UserFactory, pdf_file, staff
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tashkent"))
THREE = dt.date(2024, 3, 1)  # 3 on 1 September 2027: the 3–4 group


@pytest.fixture
def city():
    place = helpers.district("namangan-test")
    garden = helpers.kindergarten(place, 1)
    other = helpers.kindergarten(place, 2)
    return {
        "place": place,
        "garden": garden,
        "g3": helpers.program(garden, AgeGroup.G3),
        "g3b": helpers.program(other, AgeGroup.G3),
        "g4": helpers.program(garden, AgeGroup.G4),
        "early": helpers.program(garden, AgeGroup.EARLY),
        "center": helpers.center(place),
    }


@pytest.fixture
def operator(city):
    return staff("operator", city["center"], Role.OPERATOR)


def register(city, choices, **fields):
    fields.setdefault("actor", fields.pop("by", None) or SYSTEM)
    fields.setdefault("now", NOW)
    fields.setdefault("birth_date", THREE)
    return helpers.enroll(city["place"], choices, **fields)


def nothing_written():
    return (
        EnrollmentApplication.objects.count(),
        Child.objects.count(),
        Event.objects.count(),
        ApplicationBenefit.objects.count(),
    ) == (0, 0, 0, 0)


def field_error(error: ValidationError, field: str) -> tuple[list[str], list[str]]:
    items = error.error_dict[field]
    return [str(m) for item in items for m in item.messages], [item.code for item in items]


def test_an_operator_registers_a_child_with_ranked_choices(city, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = register(
            city, [city["g3"], city["g3b"]], by=operator, center=city["center"], language="ru", phone="+998901112233"
        )
    assert re.fullmatch(r"M26-\d{7}", application.number)
    assert re.fullmatch(r"\d{6}", application.access_code)
    assert application.queue_date == NOW and application.status == EnrollmentStatus.WAITING
    assert application.registered_by == operator
    assert list(application.preferences.values_list("program_id", flat=True)) == [city["g3"].pk, city["g3b"].pk]
    assert list(application.events.values_list("kind", flat=True)) == [EventKind.REGISTERED]
    entry = AuditEntry.objects.get(action="preschool_application_register")
    assert entry.chain.organization_id == city["place"].pk  # the district's chain, not the center's
    message = Message.objects.get(template="preschool_registered")
    assert message.language == "ru" and message.address == "+998901112233"
    assert application.access_code not in message.body  # the code is sealed, never stored in clear


def test_queue_numbers_follow_each_other(city):
    first = register(city, [city["g3"]])
    second = register(city, [city["g3"]])
    assert int(second.number[-7:]) == int(first.number[-7:]) + 1
    assert first.lottery != second.lottery


def test_a_child_too_young_for_the_group_is_refused_and_nothing_is_written(city):
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g4"]])
    messages, codes = field_error(caught.value, "choices")
    assert codes == [PreschoolRefusal.AGE]
    assert "too young" in messages[0] and "3–4 years" in messages[0]
    assert nothing_written()


def test_a_child_too_old_for_the_group_or_for_kindergarten_is_refused(city):
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"]], birth_date=dt.date(2022, 3, 1))
    messages, codes = field_error(caught.value, "choices")
    assert codes == [PreschoolRefusal.AGE] and "too old for the group" in messages[0]
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"]], birth_date=dt.date(2020, 3, 1))
    messages, _codes = field_error(caught.value, "choices")
    assert "go to school" in messages[0]
    assert nothing_written()


def test_the_age_message_is_in_the_language_of_the_request(city):
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        register(city, [city["g4"]])
    messages, _codes = field_error(caught.value, "choices")
    with translation.override("ru"):
        expected = gettext(
            "The child is too young for the group “%(group)s” of %(kindergarten)s: on %(day)s they will be "
            "%(age)d. Choose the group “%(entry)s”."
        )
        assert messages[0].startswith(re.split("[“«]", expected)[0])
        assert str(AgeGroup.G3.label) in messages[0]


def test_a_newborn_chooses_the_youngest_group_the_kindergarten_takes(city):
    newborn = dt.date(2026, 11, 20)
    # A state kindergarten takes it at 2, in 2029, into its early group.
    application = register(city, [city["early"]], birth_date=newborn, channel=Channel.BIRTH_REGISTRATION)
    assert application.preferences.get().program == city["early"]
    # The same kindergarten's 3–4 group is not its group: it enters the early one first.
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"]], birth_date=dt.date(2026, 11, 21))
    messages, _codes = field_error(caught.value, "choices")
    assert "too young" in messages[0] and str(AgeGroup.EARLY.label) in messages[0]
    # A kindergarten without an early group takes it at 3, into its 3–4 group.
    assert register(city, [city["g3b"]], birth_date=dt.date(2026, 11, 22)).pk


def test_a_privilege_without_evidence_is_refused(city):
    category = helpers.benefit("disabled-parent")
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"]], benefits=[BenefitClaim(category)])
    messages, codes = field_error(caught.value, "benefits")
    assert codes == [PreschoolRefusal.EVIDENCE_MISSING]
    assert "needs its evidence" in messages[0] and "Ma'lumotnoma" in messages[0]
    # Nor may the center say it obtained what only the family can bring.
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"]], benefits=[BenefitClaim(category, obtained_by_center=True)])
    assert field_error(caught.value, "benefits")[1] == [PreschoolRefusal.EVIDENCE_MISSING]
    assert nothing_written()


def test_evidence_by_reference_scan_or_the_center(city):
    by_reference = helpers.benefit("large-family")
    by_scan = helpers.benefit("single-mother")
    by_center = helpers.benefit("poor-family", center_obtains=True)
    application = register(
        city,
        [city["g3"]],
        benefits=[
            BenefitClaim(by_reference, evidence_reference="Mahalla ma'lumotnomasi 123"),
            BenefitClaim(by_scan, evidence_file=pdf_file()),
            BenefitClaim(by_center, obtained_by_center=True),
        ],
    )
    claims = {claim.benefit.code: claim for claim in application.benefits.all()}
    assert {claim.status for claim in claims.values()} == {BenefitStatus.CLAIMED}
    assert claims["single-mother"].evidence_file.name.startswith("preschool/evidence/")
    assert claims["poor-family"].obtained_by_center


def test_a_scan_is_checked_by_its_content(city):
    category = helpers.benefit("single-mother")
    fake = SimpleUploadedFile("scan.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"]], benefits=[BenefitClaim(category, evidence_file=fake)])
    assert "benefits" in caught.value.error_dict
    assert nothing_written()


def test_a_program_of_another_district_is_refused_in_a_district_only_campaign(city):
    elsewhere = helpers.district("yangikurgan-test", kind="district")
    foreign = helpers.program(helpers.kindergarten(elsewhere, 7), AgeGroup.G3)
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"], foreign])
    messages, codes = field_error(caught.value, "choices")
    assert codes == [PreschoolRefusal.NOT_IN_DISTRICT]
    assert "is not in" in messages[0]
    assert nothing_written()
    # A campaign that lets families choose elsewhere takes it.
    Campaign.objects.create(
        district=city["place"],
        school_year=2027,
        reference_date=dt.date(2027, 9, 1),
        district_only=False,
        created_at=NOW,
    )
    application = register(city, [city["g3"], foreign])
    assert application.preferences.count() == 2


def test_at_most_the_campaigns_number_of_choices(city):
    extra = helpers.program(helpers.kindergarten(city["place"], 3), AgeGroup.G3)
    fourth = helpers.program(helpers.kindergarten(city["place"], 4), AgeGroup.G3)
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"], city["g3b"], extra, fourth])
    assert field_error(caught.value, "choices")[1] == [PreschoolRefusal.TOO_MANY_CHOICES]
    Campaign.objects.create(
        district=city["place"], school_year=2027, reference_date=dt.date(2027, 9, 1), max_choices=1, created_at=NOW
    )
    with pytest.raises(ValidationError):
        register(city, [city["g3"], city["g3b"]])
    assert nothing_written()


def test_one_active_application_per_child(city):
    register(city, [city["g3"]], birth_certificate="I-NA 1234567")
    before = (EnrollmentApplication.objects.count(), Event.objects.count())
    with pytest.raises(Refused) as caught:
        register(city, [city["g3b"]], birth_certificate="i-na1234567")
    assert caught.value.code == PreschoolRefusal.DUPLICATE_CHILD
    assert (EnrollmentApplication.objects.count(), Event.objects.count()) == before


def test_a_child_who_left_may_register_again(city):
    first = register(city, [city["g3"]], birth_certificate="I-NA7654321")
    services.application_leave(actor=services.FAMILY, application=first, now=NOW)
    again = register(city, [city["g3b"]], birth_certificate="I-NA7654321")
    assert again.child_id == first.child_id and again.pk != first.pk


def test_bad_details_are_field_errors(city):
    with pytest.raises(ValidationError) as caught:
        helpers.enroll(
            city["place"],
            [],
            birth_date=dt.date(2030, 1, 1),
            child_name=" ",
            birth_certificate="??",
            phone="12",
            relation="neighbour",
            now=NOW,
        )
    assert {"child_name", "birth_certificate", "birth_date", "phone", "relation", "choices"} <= set(
        caught.value.error_dict
    )
    assert nothing_written()


def test_who_may_register(city):
    stranger = UserFactory(username="stranger")
    with pytest.raises(Forbidden):
        register(city, [city["g3"]], by=stranger, center=city["center"])
    officer = helpers.officer(city["place"])
    assert register(city, [city["g3"]], by=officer).registered_by == officer
    # A birth registration comes from a partner's system only.
    with pytest.raises(Forbidden):
        register(city, [city["g3"]], by=officer, channel=Channel.BIRTH_REGISTRATION)


def test_twins_are_placed_together(city):
    parent = PersonFactory()
    first = register(city, [city["g3"], city["g3b"]], applicant=parent)
    second = register(city, [city["g3"], city["g3b"]], applicant=parent, together_with=first)
    first.refresh_from_db()
    assert first.together == second.together == first.number
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3b"]], applicant=parent, together_with=first)
    assert "together_with" in caught.value.error_dict
    elsewhere = helpers.district("yangikurgan-test", kind="district")
    outsider = helpers.enroll(elsewhere, [helpers.program(helpers.kindergarten(elsewhere, 9))], now=NOW)
    with pytest.raises(ValidationError) as caught:
        register(city, [city["g3"], city["g3b"]], together_with=outsider)
    assert field_error(caught.value, "together_with")[1][0] == PreschoolRefusal.NOT_IN_DISTRICT


def test_a_birth_record_sent_again_returns_the_same_application(city):
    first = register(city, [city["early"]], birth_date=dt.date(2026, 11, 1), birth_record="R-2026-1")
    again = register(city, [city["g3b"]], birth_date=dt.date(2026, 11, 1), birth_record="R-2026-1")
    assert again.pk == first.pk
    assert EnrollmentApplication.objects.count() == 1 and Preference.objects.count() == 1


def test_edits_keep_the_queue_date(city, operator):
    application = register(city, [city["g3"]], queue_date=NOW - dt.timedelta(days=400))
    later = NOW + dt.timedelta(days=30)
    services.application_edit(actor=operator, application=application, phone="+998907654321", language="ru", now=later)
    services.application_choices_set(actor=services.FAMILY, application=application, choices=[city["g3b"]], now=later)
    application.refresh_from_db()
    assert application.queue_date == NOW - dt.timedelta(days=400)
    assert (application.phone, application.language) == ("+998907654321", "ru")
    assert list(application.preferences.values_list("program_id", flat=True)) == [city["g3b"].pk]
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.EDITED, EventKind.PREFERENCES]
    with pytest.raises(ValidationError):
        services.application_choices_set(actor=services.FAMILY, application=application, choices=[city["g4"]])
    assert list(application.preferences.values_list("program_id", flat=True)) == [city["g3b"].pk]


def test_children_placed_together_keep_one_list(city):
    parent = PersonFactory()
    first = register(city, [city["g3"]], applicant=parent)
    second = register(city, [city["g3"]], applicant=parent, together_with=first)
    services.application_choices_set(
        actor=services.FAMILY, application=second, choices=[city["g3b"], city["g3"]], now=NOW
    )
    for member in (first, second):
        assert list(member.preferences.values_list("program_id", flat=True)) == [city["g3b"].pk, city["g3"].pk]


def test_leaving_frees_a_held_seat(city):
    application = register(city, [city["g3"]])
    placement = Placement.objects.create(
        application=application,
        program=city["g3"],
        status=PlacementStatus.OFFERED,
        offered_at=NOW,
        expires_at=NOW + dt.timedelta(days=21),
    )
    EnrollmentApplication.objects.filter(pk=application.pk).update(status=EnrollmentStatus.OFFERED)
    application.refresh_from_db()
    services.application_leave(actor=services.FAMILY, application=application, reason="Moved away", now=NOW)
    application.refresh_from_db()
    placement.refresh_from_db()
    assert application.status == EnrollmentStatus.LEFT and application.left_reason == "Moved away"
    assert not placement.holds_seat
    assert application.events.filter(kind=EventKind.LEFT_QUEUE).exists()
    with pytest.raises(Refused) as caught:
        services.application_leave(actor=services.FAMILY, application=application, now=NOW)
    assert caught.value.code == PreschoolRefusal.APPLICATION_CLOSED


def test_a_privilege_claimed_later_and_decided_by_staff(city, operator):
    application = register(city, [city["g3"]])
    category = helpers.benefit("large-family")
    with pytest.raises(ValidationError):
        services.benefit_claim(actor=services.FAMILY, application=application, claim=BenefitClaim(category))
    claim = services.benefit_claim(
        actor=services.FAMILY,
        application=application,
        claim=BenefitClaim(category, evidence_reference="Ma'lumotnoma 5"),
        now=NOW,
    )
    with pytest.raises(Forbidden):
        services.benefit_decide(actor=services.FAMILY, claim=claim, confirm=True)
    with pytest.raises(ValidationError):
        services.benefit_decide(actor=operator, claim=claim, confirm=False)  # a rejection says why
    decided = services.benefit_decide(actor=operator, claim=claim, confirm=True, now=NOW)
    assert decided.status == BenefitStatus.CONFIRMED and decided.decided_by == operator
    with pytest.raises(Refused) as caught:
        services.benefit_decide(actor=operator, claim=claim, confirm=False, note="No")
    assert caught.value.code == PreschoolRefusal.BENEFIT_DECIDED
    statuses = [event.data["status"] for event in application.events.filter(kind=EventKind.BENEFIT)]
    assert statuses == [BenefitStatus.CLAIMED, BenefitStatus.CONFIRMED]


def test_a_private_early_group_takes_a_one_year_old(city):
    private = helpers.kindergarten(city["place"], 5, kind=KindergartenKind.PRIVATE)
    early = helpers.program(private, AgeGroup.EARLY)
    assert register(city, [early], birth_date=dt.date(2026, 6, 1)).pk


@override_settings(CASES_TRACK_NUMBER_FAILURES=3, CASES_TRACK_CLIENT_FAILURES=100)
def test_the_family_page_lookup_locks_after_wrong_codes(city):
    cache.clear()
    application = register(city, [city["g3"]])
    found = services.track_lookup(number=application.number, code=application.access_code, client="addr:1")
    assert found == application
    wrong = "000000" if application.access_code != "000000" else "111111"
    assert services.track_lookup(number=application.number, code=wrong, client="addr:1") is None
    assert services.track_lookup(number=application.number.lower(), code=wrong, client="addr:2") is None
    with pytest.raises(TrackingRefused) as caught:
        services.track_lookup(number=application.number, code=wrong, client="addr:3")
    assert caught.value.code == PreschoolRefusal.TRACKING_LOCKED and caught.value.status == 429
    with pytest.raises(TrackingRefused):  # the right code too, while locked
        services.track_lookup(number=application.number, code=application.access_code, client="addr:1")
    cache.clear()


@override_settings(CASES_TRACK_CLIENT_FAILURES=2)
def test_one_client_guessing_numbers_is_stopped(city):
    cache.clear()
    assert services.track_lookup(number="M26-0000098", code="123456", client="addr:9") is None
    assert services.track_lookup(number="nonsense", code="123456", client="addr:9") is None
    with pytest.raises(TrackingRefused) as caught:
        services.track_lookup(number="M26-0000099", code="123456", client="addr:9")
    assert caught.value.code == PreschoolRefusal.TOO_MANY_LOOKUPS
    cache.clear()
