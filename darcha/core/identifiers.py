"""Validation of Uzbek personal and company identifiers, with translated messages.

PINFL (JShShIR): 14 digits — century/sex, birth date DDMMYY, area, serial, check digit.
STIR (INN): 9 digits. Passport: two Latin letters and seven digits. Phone: +998 and nine digits.
"""

import datetime as dt
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PINFL_WEIGHTS = (7, 3, 1)
_PASSPORT = re.compile(r"^[A-Z]{2}\d{7}$")


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", str(value or ""))


def pinfl_check_digit(first13: str) -> int:
    return sum(int(d) * _PINFL_WEIGHTS[i % 3] for i, d in enumerate(first13)) % 10


def pinfl_birth_date(pinfl: str) -> dt.date | None:
    """Birth date encoded in a PINFL (digit 1 gives the century), or None if it is not a date."""
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}.get(pinfl[0])
    if century is None:
        return None
    try:
        return dt.date(century + int(pinfl[5:7]), int(pinfl[3:5]), int(pinfl[1:3]))
    except ValueError:
        return None


def validate_pinfl(value: str) -> str:
    pinfl = _digits(value)
    if not re.fullmatch(r"\d{14}", pinfl):
        raise ValidationError(_("A PINFL has exactly 14 digits."), code="pinfl_format")
    if pinfl[0] not in "123456":
        raise ValidationError(_("A PINFL starts with a digit from 1 to 6."), code="pinfl_century")
    if pinfl_birth_date(pinfl) is None:
        raise ValidationError(_("Digits 2–7 of a PINFL must be a birth date (DDMMYY)."), code="pinfl_date")
    if settings.DARCHA_PINFL_CHECK_DIGIT and pinfl_check_digit(pinfl[:13]) != int(pinfl[13]):
        raise ValidationError(_("The PINFL check digit does not match; please check the number."), code="pinfl_check")
    return pinfl


def validate_stir(value: str) -> str:
    stir = _digits(value)
    if not re.fullmatch(r"\d{9}", stir):
        raise ValidationError(_("A STIR (taxpayer number) has exactly 9 digits."), code="stir_format")
    if stir[0] == "0":
        raise ValidationError(_("A STIR does not start with 0."), code="stir_format")
    return stir


def validate_passport(value: str) -> str:
    passport = re.sub(r"\s", "", str(value or "")).upper()
    if not _PASSPORT.match(passport):
        raise ValidationError(
            _("A passport number is two Latin letters and seven digits, e.g. AA1234567."), code="passport_format"
        )
    return passport


def validate_phone(value: str) -> str:
    """Returns the number in E.164 form (+998XXXXXXXXX)."""
    raw = str(value or "").strip()
    try:
        number = phonenumbers.parse(raw, "UZ")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or number.country_code != 998 or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter an Uzbek phone number: +998 and nine digits, e.g. +998 90 123 45 67."), code="phone_format"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "UZ"), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def mask_identifier(value: str, visible: int = 4) -> str:
    """`31203901230123` → `3120…0123`: enough to recognise, not enough to misuse."""
    value = str(value or "")
    if len(value) <= visible * 2:
        return "…" if value else ""
    return f"{value[:visible]}…{value[-visible:]}"


def mask_name(name: str) -> str:
    """`Aliyev Vali Karimovich` → `A. V. K.`: a person's initials, for roles that need figures, not people."""
    initials = " ".join(f"{word[0].upper()}." for word in str(name or "").split() if word[0].isalpha())
    return initials or ("…" if str(name or "").strip() else "")
