"""Ratings: the signed link sent after the handover, and the citizen's rating (once per application)."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core.audit import audit_record
from darcha.core.errors import Refused

from ..choices import ApplicationStatus, CaseRefusal, EventKind
from ..models import Application, Rating, Result
from ..selectors import RATING_SALT
from ._common import CITIZEN, record_event


def rating_token(application: Application) -> str:
    """The signed part of the rating link (`selectors.rating_application` reads it back)."""
    return signing.TimestampSigner(salt=RATING_SALT).sign(application.number)


def rating_submit(*, actor=CITIZEN, application: Application, score, comment: str = "", now=None) -> Rating:
    now = now or timezone.now()
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("Choose from 1 to 5 stars.")]})
    comment = (comment or "").strip()[:2000]
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.CLOSED:
            raise Refused(_("A service is rated after the result is handed over."), CaseRefusal.NOT_CLOSED)
        if Rating.objects.filter(application=application).exists():
            raise Refused(_("This application has already been rated. Thank you!"), CaseRefusal.ALREADY_RATED)
        result = Result.objects.filter(application=application).first()
        rating = Rating.objects.create(
            application=application,
            score=score,
            comment=comment,
            operator=application.registered_by or application.handed_over_by,
            agency=result.agency if result else application.service.responsible_agency,
            center=application.center,
            created_at=now,
        )
        record_event(application, EventKind.RATED, actor=actor, now=now, data={"score": score}, public=True)
        audit_record(actor=actor, action="rating_submit", obj=application, data={"score": score})
    return rating
