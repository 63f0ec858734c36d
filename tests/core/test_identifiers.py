import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from darcha.core.identifiers import (
    mask_identifier,
    pinfl_birth_date,
    pinfl_check_digit,
    validate_passport,
    validate_phone,
    validate_pinfl,
    validate_stir,
)


def make_pinfl(first13: str) -> str:
    return first13 + str(pinfl_check_digit(first13))


VALID_PINFL = make_pinfl("3120390123012")  # man born 12.03.1990


def test_valid_pinfl_and_its_birth_date():
    assert validate_pinfl(VALID_PINFL) == VALID_PINFL
    assert pinfl_birth_date(VALID_PINFL).isoformat() == "1990-03-12"


@pytest.mark.parametrize(
    "bad, code",
    [
        ("1234", "pinfl_format"),
        ("3120390123012a", "pinfl_format"),
        ("7120390123012" + "0", "pinfl_century"),
        (make_pinfl("3320390123012"), "pinfl_date"),
    ],
)
def test_invalid_pinfl(bad, code):
    with pytest.raises(ValidationError) as error:
        validate_pinfl(bad)
    assert error.value.code == code


@given(st.from_regex(r"[3-6](0[1-9]|1[0-9]|2[0-8])(0[1-9]|1[0-2])[0-9]{2}[0-9]{6}", fullmatch=True))
def test_exactly_one_check_digit_is_accepted(first13):
    accepted = []
    for digit in "0123456789":
        try:
            validate_pinfl(first13 + digit)
            accepted.append(digit)
        except ValidationError:
            pass
    assert accepted == [str(pinfl_check_digit(first13))]


def test_check_digit_can_be_switched_off(settings):
    settings.DARCHA_PINFL_CHECK_DIGIT = False
    wrong = VALID_PINFL[:13] + str((int(VALID_PINFL[13]) + 1) % 10)
    assert validate_pinfl(wrong) == wrong


def test_stir_and_passport():
    assert validate_stir("301 234 567") == "301234567"
    assert validate_passport("aa 1234567") == "AA1234567"
    for bad in ("12345678", "0123456789", "abc"):
        with pytest.raises(ValidationError):
            validate_stir(bad)
    for bad in ("A1234567", "AA123456", "ФА1234567"):
        with pytest.raises(ValidationError):
            validate_passport(bad)


@pytest.mark.parametrize("raw", ["+998 90 123 45 67", "998901234567", "90 123-45-67", "(90) 1234567"])
def test_phone_numbers_normalised_to_e164(raw):
    assert validate_phone(raw) == "+998901234567"


@pytest.mark.parametrize("raw", ["+7 916 123 45 67", "123", "", "+998 12"])
def test_non_uzbek_phone_numbers_refused(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_error_messages_are_translated():
    with pytest.raises(ValidationError) as error:
        validate_passport("x")
    with translation.override("ru"):
        assert "паспорт" in error.value.messages[0].lower()
    with translation.override("uz"):
        assert "pasport" in error.value.messages[0].lower()
    with translation.override("uz-cyrl"):
        assert "паспорт" in error.value.messages[0].lower()


def test_masking():
    assert mask_identifier(VALID_PINFL) == f"{VALID_PINFL[:4]}…{VALID_PINFL[-4:]}"
    assert mask_identifier("AA12") == "…"
    assert mask_identifier("") == ""
