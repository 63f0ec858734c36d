"""Registering appeals (issue 13, part 1): never refused for the author's lack of data, refused only for
input that cannot be stored (and then nothing is written); numbers per hokimiyat and year, the access
code, the stored due date, the acknowledgement, the history and the audit chain; partners' resends;
collective appeals; tracking by number and access code under the limits."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from darcha.core.audit import chain_key
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden
from darcha.core.lookups import TrackingRefused
from darcha.core.models import AuditEntry
from darcha.infoservice import services
from darcha.infoservice.choices import (
    AppealForm,
    AppealRefusal,
    AppealStatus,
    AppealType,
    Channel,
    EventKind,
    NotConsideredGround,
    RequestKind,
)
from darcha.infoservice.models import Appeal, AppealNumberSequence, Attachment, Event, Signatory
from darcha.infoservice.services import AUTHOR, SignatoryData
from darcha.notify.models import Message
from tests.factories import PDF, PNG, OrganizationFactory, PersonFactory, UserFactory, staff
from tests.infoservice.helpers import PARTNERS, at, calendar_2026, end_of, hokimiyat, partner, register

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _setup():
    translation.activate("en")
    cache.clear()
    calendar_2026()
    yield
    cache.clear()


@pytest.fixture
def place():
    return hokimiyat("chust")


def test_a_web_appeal_is_registered_with_number_code_and_due_date(place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(place, now=at(2026, 3, 6, 10, 0))
    assert appeal.number == "CHU-26-000001"
    assert len(appeal.access_code) == 6 and appeal.access_code.isdigit()
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.form == AppealForm.ELECTRONIC
    assert appeal.registered_at == at(2026, 3, 6, 10, 0)
    # 6 March + 15 days = 21 March, Navruz; the weekend and the observed Monday: Tuesday 24 March.
    assert appeal.due_at == end_of(D(2026, 3, 24))
    assert appeal.search_text.startswith("mahallamizdagi yol")
    second = register(place, now=at(2026, 3, 6, 11, 0), text="Boshqa masala: koʻcha chirogʻlari yonmayapti.")
    assert second.number == "CHU-26-000002"


def test_the_acknowledgement_gives_number_code_and_due_date_in_the_authors_language(
    place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(place, now=at(2026, 3, 6, 10, 0), language="ru")
    message = Message.objects.get(template="appeal_registered")
    assert message.address == "+998901234567"
    assert message.language == "ru"
    assert appeal.number in message.body
    assert "24.03.2026" in message.body
    # The access code is sealed: never stored in clear.
    assert appeal.access_code not in message.body
    assert appeal.access_code not in str(message.context)


def test_an_email_only_author_is_acknowledged_by_email(place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(place, now=at(2026, 3, 6, 10, 0), author_phone="", author_email="aziz@example.org")
    assert Message.objects.get(template="appeal_registered").address == "aziz@example.org"


def test_an_appeal_after_hours_is_registered_on_the_next_working_day(place):
    appeal = register(place, now=at(2026, 3, 6, 18, 30))
    # Friday evening; the weekend; Monday 9 March is a day off: registered Tuesday 10 March.
    assert appeal.received_at == at(2026, 3, 6, 18, 30)
    assert appeal.registered_at == at(2026, 3, 10, 0, 0)
    assert appeal.due_at == end_of(D(2026, 3, 25))


def test_terms_by_type_and_kind(place):
    now = at(2026, 4, 29, 10, 0)
    proposal = register(place, now=now, type=AppealType.PROPOSAL, text="Taklif: bogʻ barpo etish")
    media = register(place, now=now, kind=RequestKind.MEDIA, media_outlet="Namangan haqiqati", text="Intervyu")
    assert proposal.due_at == end_of(D(2026, 6, 1))  # 29 May is a day off, then the weekend
    assert media.due_at == end_of(D(2026, 5, 6))


def test_numbers_are_per_hokimiyat_and_year(place):
    other = hokimiyat("pop", region=place.region)
    assert register(place, now=at(2026, 12, 30, 10)).number == "CHU-26-000001"
    assert register(other, now=at(2026, 12, 30, 11)).number == "POP-26-000001"
    # Received on 31 December (a day off) is registered in the new year: the new year's sequence.
    assert register(place, now=at(2026, 12, 31, 10), text="Yangi yil arafasida").number == "CHU-27-000001"
    assert AppealNumberSequence.objects.get(organization=place.hokimiyat, year=2026).last == 1


def test_hokimiyats_whose_codes_give_the_same_letters_get_distinct_prefixes(place):
    first = OrganizationFactory(code="namangan-city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=place.region)
    second = OrganizationFactory(code="nukus-city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=place.region)
    assert services.number_prefix(first) == "NC"
    assert services.number_prefix(second) == "NC2"
    assert services.number_prefix(place.hokimiyat) == "CHU"


def test_history_and_audit_in_the_hokimiyats_chain(place):
    appeal = register(place, now=at(2026, 3, 6, 10))
    event = Event.objects.get(appeal=appeal)
    assert event.kind == EventKind.REGISTERED and event.public
    assert event.data["due"] == "2026-03-24"
    entry = AuditEntry.objects.get(action="appeal_register")
    assert entry.chain.key == chain_key(place.hokimiyat.pk)
    assert entry.data["number"] == appeal.number


def test_an_appeal_without_a_name_is_registered_and_flagged_for_not_considered(
    place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(place, now=at(2026, 3, 6, 10), author_name="", author_address="")
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert services.not_considered_ground(appeal) == NotConsideredGround.ANONYMOUS
    assert appeal.events.get().data["not_considered_ground"] == NotConsideredGround.ANONYMOUS
    # The phone it gave still gets the number.
    assert Message.objects.filter(template="appeal_registered").count() == 1


def test_an_appeal_without_a_residence_is_anonymous_too(place):
    appeal = register(place, now=at(2026, 3, 6, 10), author_address="")
    assert services.not_considered_ground(appeal) == NotConsideredGround.ANONYMOUS
    assert services.not_considered_ground(register(place, now=at(2026, 3, 6, 11), text="Boshqa")) is None


def test_a_file_that_is_not_a_pdf_or_image_is_a_field_error_and_nothing_is_saved(
    place, django_capture_on_commit_callbacks
):
    program = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\0" * 200, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        register(place, now=at(2026, 3, 6, 10), attachments=[SimpleUploadedFile("ok.pdf", PDF), program])
    assert "attachments" in error.value.message_dict
    assert not Appeal.objects.exists()
    assert not Attachment.objects.exists()
    assert not AppealNumberSequence.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action="appeal_register").exists()


def test_a_bad_scan_is_a_field_error_under_scan(place):
    with pytest.raises(ValidationError) as error:
        register(place, now=at(2026, 3, 6, 10), channel=Channel.LETTER, scan=SimpleUploadedFile("s.pdf", b"%PDF-no"))
    assert set(error.value.message_dict) == {"scan"}
    assert not Appeal.objects.exists()


def test_files_checked_by_content_are_kept_with_the_scan(place):
    appeal = register(
        place,
        actor=place.officer,
        now=at(2026, 3, 6, 10),
        channel=Channel.LETTER,
        attachments=[SimpleUploadedFile("photo.png", PNG)],
        scan=SimpleUploadedFile("letter.pdf", PDF),
    )
    assert appeal.form == AppealForm.WRITTEN
    assert appeal.registered_by == place.officer
    kept = {(a.name, a.content_type, a.is_scan) for a in appeal.attachments.all()}
    assert kept == {("photo.png", "image/png", False), ("letter.pdf", "application/pdf", True)}


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_appeal_without_text_is_a_field_error(place, text):
    with pytest.raises(ValidationError) as error:
        register(place, now=at(2026, 3, 6, 10), text=text)
    assert "text" in error.value.message_dict
    assert not Appeal.objects.exists()


def test_a_malformed_phone_or_email_is_a_field_error(place):
    with pytest.raises(ValidationError) as error:
        register(place, now=at(2026, 3, 6, 10), author_phone="12345", author_email="not-an-address")
    assert {"author_phone", "author_email"} <= set(error.value.message_dict)
    assert not Appeal.objects.exists()


def test_appeals_go_to_a_hokimiyat(place):
    with pytest.raises(ValidationError) as error:
        services.appeal_register(actor=AUTHOR, organization=place.department, text="Salom", channel=Channel.WEB)
    assert "organization" in error.value.message_dict


def test_collective_appeal_keeps_every_signatory_author_first(place):
    appeal = register(
        place,
        now=at(2026, 3, 6, 10),
        author_name="",
        author_address="",
        author_phone="",
        signatories=[
            SignatoryData("Karimov Aziz", "Navoiy koʻchasi, 5", "+998901234567"),
            {"name": "Rahimova Dilnoza", "address": "Navoiy koʻchasi, 7"},
            ("Toshmatov Bekzod", "Navoiy koʻchasi, 9", ""),
        ],
    )
    assert appeal.is_collective
    assert appeal.author_name == "Karimov Aziz" and appeal.author_phone == "+998901234567"
    assert list(appeal.signatories.values_list("name", flat=True)) == [
        "Karimov Aziz",
        "Rahimova Dilnoza",
        "Toshmatov Bekzod",
    ]
    assert services.not_considered_ground(appeal) is None


def test_a_named_author_not_among_the_signatories_is_the_first(place):
    appeal = register(place, now=at(2026, 3, 6, 10), signatories=[("Rahimova Dilnoza", "Navoiy 7", "")])
    assert list(appeal.signatories.values_list("name", flat=True)) == ["Karimov Aziz", "Rahimova Dilnoza"]
    assert appeal.is_collective


def test_a_signatory_without_a_name_is_a_field_error(place):
    with pytest.raises(ValidationError) as error:
        register(place, now=at(2026, 3, 6, 10), signatories=[("Rahimova Dilnoza",), ("",)])
    assert "signatories" in error.value.message_dict
    assert not Signatory.objects.exists()


def test_a_known_person_fills_the_author(place):
    person = PersonFactory(name="Aliyev Sardor", phone="+998931112233")
    appeal = register(place, now=at(2026, 3, 6, 10), person=person, author_name="", author_phone="")
    assert appeal.author_name == "Aliyev Sardor"
    assert appeal.author_phone == "+998931112233"


@override_settings(**PARTNERS.options)
def test_a_partner_resend_returns_the_appeal_registered_first(place, django_capture_on_commit_callbacks):
    _reception, clerk, _token = partner()
    fields = {
        "actor": clerk,
        "channel": Channel.VIRTUAL_RECEPTION,
        "external_source": "virtual_reception",
        "external_number": "PM-2026-0001234",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = register(place, now=at(2026, 3, 6, 10), **fields)
        again = register(place, now=at(2026, 3, 7, 10), text="Changed text", **fields)
    assert again.pk == first.pk
    assert again.text == first.text
    assert Appeal.objects.count() == 1
    assert Event.objects.count() == 1
    assert Message.objects.filter(template="appeal_registered").count() == 1
    # Another source may use the same number.
    other = register(place, now=at(2026, 3, 7, 10), **{**fields, "external_source": "peoples_reception"})
    assert other.pk != first.pk


def test_a_number_without_its_source_is_a_field_error(place):
    with pytest.raises(ValidationError) as error:
        register(place, now=at(2026, 3, 6, 10), external_number="123")
    assert "external_source" in error.value.message_dict


def test_who_may_register(place):
    assert register(place, actor=place.officer, now=at(2026, 3, 6, 10)).registered_by == place.officer
    assert register(place, actor=place.hokim, now=at(2026, 3, 6, 10), text="Hokim qabulida").pk
    assert register(place, actor=place.operator, now=at(2026, 3, 6, 10), text="Markazda yozma murojaat").pk
    elsewhere = hokimiyat("pop", region=place.region)
    with pytest.raises(Forbidden):
        register(place, actor=elsewhere.operator, now=at(2026, 3, 6, 10), text="Boshqa tuman markazidan")
    with pytest.raises(Forbidden):
        register(place, actor=elsewhere.officer, now=at(2026, 3, 6, 10), text="Boshqa tuman hokimligidan")
    with pytest.raises(Forbidden):
        register(place, actor=UserFactory(username="nobody"), now=at(2026, 3, 6, 10), text="Hech kim")
    executor = staff("chust-staff-executor", place.hokimiyat, Role.APPEALS_EXECUTOR)
    assert register(place, actor=executor, now=at(2026, 3, 6, 10), text="Xodim qabul qildi").pk


def test_a_repeated_appeal_from_the_same_phone_is_recorded(place):
    first = register(place, now=at(2026, 3, 6, 10))
    repeat = register(place, now=at(2026, 5, 6, 10), text="Yana yoʻl haqida: hech narsa qilinmadi, tuzatib bering")
    assert repeat.similar_to_id == first.pk
    assert repeat.similarity is not None
    assert repeat.events.get().data["same_author"] is True


def test_a_near_identical_text_in_cyrillic_from_another_author_is_a_duplicate(place):
    first = register(
        place, now=at(2026, 3, 6, 10), text="Mahallamizdagi yoʻl chuqurlarini tuzatib berishingizni soʻraymiz"
    )
    duplicate = register(
        place,
        now=at(2026, 3, 9, 10),
        text="Маҳалламиздаги йўл чуқурларини тузатиб беришингизни сўраймиз",
        author_name="Rahimova Dilnoza",
        author_phone="+998907654321",
    )
    assert duplicate.similar_to_id == first.pk
    assert duplicate.similarity == 1.0


def test_unrelated_appeals_and_appeals_older_than_a_year_are_not_similar(place):
    register(place, now=at(2026, 3, 6, 10))
    other = register(
        place,
        now=at(2026, 3, 9, 10),
        text="Maktab oldida svetofor oʻrnatishni taklif qilaman",
        author_name="Rahimova Dilnoza",
        author_phone="+998907654321",
    )
    assert other.similar_to_id is None and other.similarity is None
    late = register(place, now=at(2027, 3, 8, 10))  # the same author and text, more than a year later
    assert late.similar_to_id != other.pk
    assert late.similar_to_id is None


def test_a_clarification_is_not_a_repeat_of_the_appeal_it_follows(place):
    first = register(place, now=at(2026, 3, 6, 10))
    clarification = register(place, now=at(2026, 3, 20, 10), follows=first)
    assert clarification.similar_to_id is None


# --- tracking ----------------------------------------------------------------------------------------


def test_tracking_by_number_and_code(place):
    appeal = register(place, now=at(2026, 3, 6, 10))
    found = services.track_lookup(number=appeal.number.lower(), code=appeal.access_code, client="addr:1.2.3.4")
    assert found == appeal
    wrong = f"{(int(appeal.access_code) + 1) % 1_000_000:06d}"
    assert services.track_lookup(number=appeal.number, code=wrong, client="addr:1.2.3.4") is None
    assert services.track_lookup(number="CHU-26-999999", code=wrong, client="addr:1.2.3.4") is None
    assert services.track_lookup(number="nonsense", code=wrong, client="addr:1.2.3.4") is None


@override_settings(CASES_TRACK_NUMBER_FAILURES=3, CASES_TRACK_CLIENT_FAILURES=100)
def test_a_number_locks_after_wrong_codes_even_for_the_right_code(place):
    appeal = register(place, now=at(2026, 3, 6, 10))
    wrong = f"{(int(appeal.access_code) + 1) % 1_000_000:06d}"
    for index in range(2):
        assert services.track_lookup(number=appeal.number, code=wrong, client=f"addr:10.0.0.{index}") is None
    with pytest.raises(TrackingRefused) as refused:
        services.track_lookup(number=appeal.number, code=wrong, client="addr:10.0.0.9")
    assert refused.value.code == AppealRefusal.TRACKING_LOCKED and refused.value.status == 429
    with pytest.raises(TrackingRefused):
        services.track_lookup(number=appeal.number, code=appeal.access_code, client="addr:10.0.0.10")
    # The applications' counters are not the appeals': each app counts its own numbers.
    assert services.tracking_limits().numbers.name != "cases-track-number"


@override_settings(CASES_TRACK_NUMBER_FAILURES=100, CASES_TRACK_CLIENT_FAILURES=2)
def test_a_client_over_its_limit_is_told_to_wait_but_right_lookups_pass(place):
    appeal = register(place, now=at(2026, 3, 6, 10))
    for number in ("CHU-26-000101", "CHU-26-000102"):
        assert services.track_lookup(number=number, code="000000", client="addr:5.5.5.5") is None
    with pytest.raises(TrackingRefused) as refused:
        services.track_lookup(number="CHU-26-000103", code="000000", client="addr:5.5.5.5")
    assert refused.value.code == AppealRefusal.TOO_MANY_LOOKUPS
    assert services.track_lookup(number=appeal.number, code=appeal.access_code, client="addr:5.5.5.5") == appeal
