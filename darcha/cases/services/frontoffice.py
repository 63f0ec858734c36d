"""The front office after intake: the fee paid or waived, and the result handed over to the applicant
whose identity document the operator has checked (a link to rate the service follows)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import audit_record
from darcha.core.errors import Refused
from darcha.core.links import absolute_url

from ..choices import ApplicationStatus, CaseRefusal, EventKind, FeeStatus
from ..models import Application
from ._common import CENTER_STAFF_ONLY, citizen_path, notify_applicant, record_event
from .ratings import rating_token


def application_record_payment(
    *,
    actor,
    application: Application,
    payment_reference: str = "",
    waiver_reason: str = "",
    now: dt.datetime | None = None,
) -> Application:
    now = now or timezone.now()
    access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    reference, reason = (payment_reference or "").strip(), (waiver_reason or "").strip()
    if bool(reference) == bool(reason):
        raise ValidationError({"fee": [_("Record the payment reference of the fee, or the reason it is waived.")]})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.fee_status != FeeStatus.DUE:
            raise Refused(_("No fee is due on this application."), CaseRefusal.NO_FEE_DUE)
        application.fee_status = FeeStatus.PAID if reference else FeeStatus.WAIVED
        application.payment_reference = reference[:64]
        application.fee_waiver_reason = reason[:255]
        application.save(update_fields=["fee_status", "payment_reference", "fee_waiver_reason"])
        record_event(application, EventKind.PAYMENT, actor=actor, now=now, data={"fee_status": application.fee_status})
        audit_record(
            actor=actor,
            action="application_record_payment",
            obj=application,
            data={"fee_status": application.fee_status, "amount": application.fee_amount},
        )
    return application


def identity_matches(application: Application, identifier: str) -> bool:
    typed = "".join(str(identifier or "").split()).upper()
    person = application.applicant
    known = [v for v in (person.pinfl, person.passport, person.stir) if v]
    return bool(typed) and any(constant_time_compare(typed, v.upper()) for v in known)


def application_handover(
    *, actor, application: Application, identifier: str, now: dt.datetime | None = None
) -> Application:
    """Give the result to the applicant, whose identity document number the operator has checked."""
    now = now or timezone.now()
    access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("applicant").get(pk=application.pk)
        if application.status != ApplicationStatus.READY:
            raise Refused(_("The result is not ready to be handed over."), CaseRefusal.NOT_READY)
        if application.fee_status == FeeStatus.DUE:
            raise Refused(_("The fee is still to be paid."), CaseRefusal.FEE_DUE)
        if not identity_matches(application, identifier):
            raise ValidationError(
                {"identifier": [_("The document number does not match the applicant's. Check the identity document.")]}
            )
        application.status = ApplicationStatus.CLOSED
        application.closed_at = now
        application.handed_over_by = actor
        application.save(update_fields=["status", "closed_at", "handed_over_by"])
        record_event(application, EventKind.HANDED_OVER, actor=actor, now=now)
        audit_record(actor=actor, action="application_handover", obj=application, data={"identity_checked": True})
        token = rating_token(application)
        link = absolute_url(citizen_path(application, "cases:rate", token))
        notify_applicant(application, "rating_request", {"link": link})
    return application
