"""core.errors: one refusal type, mapped once for pages (attempt) and once for the API."""

import enum

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from darcha.core.errors import AccessRefusal, Forbidden, Refused, attempt


class SampleRefusal(enum.StrEnum):
    BUSY = "busy"


def test_a_refusal_code_must_come_from_an_enum():
    with pytest.raises(TypeError):
        Refused("No.", "busy")
    refusal = Refused("Finish the current ticket first.", SampleRefusal.BUSY)
    assert (refusal.status, refusal.code, str(refusal)) == (409, "busy", "Finish the current ticket first.")


def test_forbidden_is_a_403_and_a_permission_denied():
    refusal = Forbidden("Not yours.")
    assert refusal.status == 403 and refusal.code == AccessRefusal.FORBIDDEN
    assert isinstance(refusal, PermissionDenied) and isinstance(refusal, Refused)


def test_attempt_turns_each_kind_of_refusal_into_a_status_and_message():
    assert attempt(lambda: 42).value == 42 and attempt(lambda: 42).ok

    def refuse(error):
        def run():
            raise error

        return attempt(run)

    conflict = refuse(Refused("Busy.", SampleRefusal.BUSY))
    assert (conflict.ok, conflict.status, conflict.message) == (False, 409, "Busy.")
    forbidden = refuse(Forbidden("Not yours."))
    assert (forbidden.status, forbidden.message) == (403, "Not yours.")
    invalid = refuse(ValidationError({"phone": ["Enter a phone number."], "name": ["Enter a name."]}))
    assert invalid.status == 400
    assert invalid.field_errors == {"phone": ["Enter a phone number."], "name": ["Enter a name."]}
    assert "Enter a phone number." in invalid.message
    plain = refuse(ValidationError("No BRV for today."))
    assert plain.field_errors == {"__all__": ["No BRV for today."]}
    with pytest.raises(ZeroDivisionError):  # a bug is not a refusal
        attempt(lambda: 1 / 0)


def test_the_api_maps_a_refusal_to_its_status_and_stable_code():
    from darcha.core.api import exception_handler

    response = exception_handler(Refused("Busy.", SampleRefusal.BUSY), {})
    assert response.status_code == 409 and response.data == {"code": "busy", "detail": "Busy."}
    response = exception_handler(Forbidden("Not yours."), {})
    assert response.status_code == 403 and response.data == {"code": "forbidden", "detail": "Not yours."}
