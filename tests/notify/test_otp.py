"""Phone confirmation by one-time code, sent as an SMS through the Eskiz stand-in."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from darcha.core.audit import SYSTEM, audit_verify
from darcha.core.identifiers import validate_phone
from darcha.core.models import AuditEntry
from darcha.notify.choices import CodeStatus, MessageStatus
from darcha.notify.models import Message, PhoneCode
from darcha.notify.services import otp_send, otp_verify
from darcha.notify.tasks import deliver_message
from darcha.notify.templates import MASK

pytestmark = pytest.mark.django_db

PHONE = "+998901234567"


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def request_code(eskiz, django_capture_on_commit_callbacks):
    """Ask for a code and deliver its SMS through the stand-in; return the code the person reads."""

    def request_code(phone=PHONE, purpose="booking", now=None, language="uz") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            otp_send(actor=SYSTEM, phone=phone, purpose=purpose, language=language, now=now)
        phone = validate_phone(phone)
        message = PhoneCode.objects.filter(phone=phone).order_by("-id").first().message
        with django_capture_on_commit_callbacks(execute=True):
            deliver_message.call(message.pk)
        sms = eskiz.sends[-1].form
        assert sms["mobile_phone"] == phone.removeprefix("+")
        return re.search(r"\b(\d{6})\b", sms["message"]).group(1)

    return request_code


def verify_error(code, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        otp_verify(
            actor=SYSTEM,
            phone=kwargs.pop("phone", PHONE),
            purpose=kwargs.pop("purpose", "booking"),
            code=code,
            **kwargs,
        )
    return error.value


def test_the_right_code_confirms_the_phone_once(request_code):
    code = request_code(phone="90 123 45 67")
    assert otp_verify(actor=SYSTEM, phone=PHONE, purpose="booking", code=f" {code[:3]} {code[3:]} ") is True
    phone_code = PhoneCode.objects.get()
    assert phone_code.status == CodeStatus.CONFIRMED and phone_code.confirmed_at is not None
    assert verify_error(code).code == "otp_missing"  # used up


def test_the_code_is_never_stored_or_logged_in_clear(request_code):
    code = request_code()
    phone_code = PhoneCode.objects.get()
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT and message.template == "otp"
    assert code not in phone_code.code_hash
    assert code not in message.body and MASK in message.body
    assert code not in str(message.context)  # wiped once sent
    assert all(code not in str(entry.data) for entry in AuditEntry.objects.all())
    assert audit_verify()[1] is None


def test_a_wrong_code_is_refused_and_counted(request_code):
    code = request_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    error = verify_error(wrong)
    assert error.code == "otp_wrong" and "4" in error.messages[0]
    assert PhoneCode.objects.get().attempts == 1  # kept although the error was raised
    assert AuditEntry.objects.filter(action="otp_wrong").count() == 1
    assert otp_verify(actor=SYSTEM, phone=PHONE, purpose="booking", code=code)


def test_five_wrong_attempts_void_the_code(request_code):
    code = request_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    codes = [verify_error(wrong).code for _attempt in range(5)]
    assert codes == ["otp_wrong"] * 4 + ["otp_attempts"]
    assert verify_error(code).code == "otp_attempts"  # even the right code, now
    assert PhoneCode.objects.get().attempts == 5


def test_a_code_expires_after_five_minutes(request_code, start):
    code = request_code(now=start)
    assert verify_error(code, now=start + dt.timedelta(minutes=5, seconds=1)).code == "otp_expired"
    assert otp_verify(
        actor=SYSTEM, phone=PHONE, purpose="booking", code=code, now=start + dt.timedelta(minutes=4, seconds=59)
    )


def test_at_most_three_codes_per_phone_in_fifteen_minutes(request_code, start):
    request_code(now=start)
    request_code(now=start + dt.timedelta(minutes=1), purpose="application")
    request_code(now=start + dt.timedelta(minutes=2))
    with pytest.raises(ValidationError) as error:
        otp_send(actor=SYSTEM, phone=PHONE, purpose="booking", now=start + dt.timedelta(minutes=3))
    assert error.value.code == "otp_rate" and "12" in error.value.messages[0]  # the first code leaves the window
    assert PhoneCode.objects.count() == 3
    # Another phone is not affected; this one may ask again once the first code leaves the window.
    request_code(phone="+998911234567", now=start + dt.timedelta(minutes=3))
    request_code(now=start + dt.timedelta(minutes=15, seconds=1))


def test_a_new_code_replaces_the_previous_one(request_code, start):
    first = request_code(now=start)
    second = request_code(now=start + dt.timedelta(minutes=1))
    if first != second:  # one in a million they coincide
        assert verify_error(first, now=start + dt.timedelta(minutes=2)).code == "otp_wrong"
    assert otp_verify(actor=SYSTEM, phone=PHONE, purpose="booking", code=second, now=start + dt.timedelta(minutes=2))
    assert set(PhoneCode.objects.values_list("status", flat=True)) == {CodeStatus.SUPERSEDED, CodeStatus.CONFIRMED}


def test_codes_are_kept_apart_by_purpose(request_code):
    code = request_code(purpose="booking")
    assert verify_error(code, purpose="application").code == "otp_missing"
    assert otp_verify(actor=SYSTEM, phone=PHONE, purpose="booking", code=code)


def test_bad_input_is_refused():
    with pytest.raises(ValidationError) as error:
        otp_send(actor=SYSTEM, phone="12345", purpose="booking")
    assert error.value.code == "phone_format"
    with pytest.raises(ValidationError) as error:
        otp_send(actor=SYSTEM, phone=PHONE, purpose="Not a purpose!")
    assert error.value.code == "otp_purpose"
    assert verify_error("123456", phone="+998 90 000 00 00").code == "otp_missing"


def test_without_an_sms_provider_the_code_is_in_the_log(caplog, django_capture_on_commit_callbacks, immediate_tasks):
    with caplog.at_level("INFO", logger="darcha.notify.console"), django_capture_on_commit_callbacks(execute=True):
        otp_send(actor=SYSTEM, phone=PHONE, purpose="application", language="ru")
    code = re.search(r"\b(\d{6})\b", caplog.text).group(1)
    assert Message.objects.get().fallback is True
    assert otp_verify(actor=SYSTEM, phone=PHONE, purpose="application", code=code)
