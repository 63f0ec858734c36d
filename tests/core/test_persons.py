"""Applicants: found by PINFL, passport or STIR, registered otherwise, with field-level errors."""

import pytest
from django.core.exceptions import ValidationError

from darcha.core.audit import SYSTEM
from darcha.core.choices import PersonKind
from darcha.core.models import AuditEntry, Person
from darcha.core.services import person_register

pytestmark = pytest.mark.django_db
PINFL = "31203901230017"


def register(**fields):
    return person_register(actor=SYSTEM, **{"kind": PersonKind.INDIVIDUAL, "name": "Aliyev Vali", **fields})


def test_found_again_by_pinfl_and_contacts_updated():
    first = register(pinfl=PINFL, phone="90 123 45 67")
    again = register(pinfl=PINFL, name="Aliyev  Vali  Karimovich", phone="+998 93 555 44 33", language="ru")
    assert again.pk == first.pk and again.phone == "+998935554433" and again.language == "ru"
    assert again.name == "Aliyev Vali Karimovich"
    entry = AuditEntry.objects.filter(action="person_update").last()
    assert PINFL not in str(entry.data) and "3120…0017" in str(entry.data)


def test_found_by_passport_and_pinfl_added_later():
    first = register(passport="aa 1234567")
    assert first.passport == "AA1234567" and first.pinfl is None
    again = register(passport="AA1234567", pinfl=PINFL)
    assert again.pk == first.pk and again.pinfl == PINFL


def test_legal_entity_by_stir():
    company = person_register(
        actor=SYSTEM, kind=PersonKind.LEGAL_ENTITY, name="“Namangan Tekstil” MChJ", stir="301234567"
    )
    assert company.identifier == "301234567" and Person.objects.count() == 1


def test_online_lookup_does_not_rename_a_known_person():
    first = register(pinfl=PINFL, phone="+998901234567")
    found = register(pinfl=PINFL, name="Someone Else", phone="+998977777777", update_existing=False)
    first.refresh_from_db()
    assert found.pk == first.pk and first.name == "Aliyev Vali" and first.phone == "+998901234567"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"pinfl": "123"}, "pinfl"),
        ({}, "pinfl"),
        ({"pinfl": PINFL, "name": "  "}, "name"),
        ({"passport": "A1234567"}, "passport"),
        ({"pinfl": PINFL, "phone": "12345"}, "phone"),
        ({"kind": PersonKind.LEGAL_ENTITY, "stir": ""}, "stir"),
    ],
)
def test_bad_input_is_refused_field_by_field(fields, field):
    with pytest.raises(ValidationError) as error:
        register(**fields)
    assert field in error.value.message_dict
    assert Person.objects.count() == 0
