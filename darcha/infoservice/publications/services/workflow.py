"""A publication's way out: draft → in review (the writer sends it) → scheduled or published (the press
secretary approves, or sends it back with what to change) → withdrawn. The press secretary may also
schedule or publish their own draft at once. The scheduler (`publish_due`, every minute) publishes what is
due; what is still not out PUBLICATIONS_MISSED_MINUTES after its time is told to the press secretaries
once (`missed_alert`) and shown on their desk.

What publishing requires (`readiness`): the uz text with its title and body, a decision's number, date,
subject and signed PDF; images keep their uz alt text by construction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core.audit import actor_user, audit_record
from darcha.core.errors import Refused

from .. import sanitize, signals
from ..choices import PublicationKind, PublicationRefusal, PublicationStatus
from ..models import Publication
from ._common import (
    SCHEDULER,
    announce_published,
    changed,
    editors,
    locked,
    log,
    notify_users,
    require_editor,
    require_writer,
)

DEFAULT = settings.LANGUAGE_CODE
SCHEDULABLE = (PublicationStatus.DRAFT, PublicationStatus.IN_REVIEW, PublicationStatus.WITHDRAWN)
PUBLISHABLE = (*SCHEDULABLE, PublicationStatus.SCHEDULED)


def missed_minutes() -> int:
    return int(getattr(settings, "PUBLICATIONS_MISSED_MINUTES", 5))


def readiness(publication: Publication) -> list[str]:
    """What is missing before the publication may go out (translated messages; empty: ready)."""
    missing = []
    text = publication.texts.filter(language=DEFAULT, is_published=True).first()
    if text is None or not text.title.strip():
        missing.append(_("The text in Oʻzbekcha, the default language, is required to publish."))
    elif not sanitize.plain_text(text.body) and not text.lead.strip():
        missing.append(_("Write the body of the text in Oʻzbekcha."))
    if publication.kind == PublicationKind.DECISION:
        if not publication.decision_number:
            missing.append(_("Give the decision's number."))
        if not publication.decision_date:
            missing.append(_("Give the decision's date."))
        if not publication.decision_subject:
            missing.append(_("Give the decision's subject."))
        if not publication.signed_pdf:
            missing.append(_("Upload the signed decision as a PDF."))
    if publication.embargo and publication.kind != PublicationKind.PRESS_RELEASE:
        missing.append(_("Only a press release is sent to journalists under embargo."))
    return missing


def _require_ready(publication: Publication) -> None:
    missing = readiness(publication)
    if missing:
        raise Refused(" ".join(missing), PublicationRefusal.NOT_READY)


def _require_status(publication: Publication, statuses) -> None:
    if publication.status not in statuses:
        raise Refused(
            _("This is not possible while the publication is “%(status)s”.")
            % {"status": PublicationStatus(publication.status).label},
            PublicationRefusal.STATE,
        )


def _title(publication: Publication) -> str:
    text = publication.texts.filter(language=DEFAULT).first()
    return text.title if text else publication.slug


def _context(publication: Publication, **extra) -> dict:
    return {"title": _title(publication), "organization": publication.organization.code, **extra}


def publication_submit_review(*, actor, publication: Publication, now=None) -> Publication:
    """The writer sends the draft to the press secretary."""
    with transaction.atomic():
        publication = locked(publication)
        require_writer(actor, publication.organization)
        _require_status(publication, (PublicationStatus.DRAFT,))
        _require_ready(publication)
        publication.status = PublicationStatus.IN_REVIEW
        publication.review_comment = ""
        publication.save(update_fields=["status", "review_comment", "updated_at"])
        audit_record(actor=actor, action="publication_submit_review", obj=publication, data={})
        changed()
        reviewers = [user for user in editors(publication.organization_id) if user.pk != getattr(actor, "pk", None)]
        notify_users(reviewers, "publication_to_review", _context(publication), publication)
    return publication


def publication_send_back(*, actor, publication: Publication, comment: str) -> Publication:
    """The press secretary returns the draft to its writer with what to change."""
    with transaction.atomic():
        publication = locked(publication)
        require_editor(actor, publication.organization)
        _require_status(publication, (PublicationStatus.IN_REVIEW,))
        comment = str(comment or "").strip()
        if not comment:
            raise ValidationError({"comment": _("Say what to change in the draft.")})
        publication.status = PublicationStatus.DRAFT
        publication.review_comment = comment[:2000]
        publication.save(update_fields=["status", "review_comment", "updated_at"])
        audit_record(actor=actor, action="publication_send_back", obj=publication, data={"comment": comment[:2000]})
        changed()
        if publication.author_id and publication.author_id != getattr(actor, "pk", None):
            notify_users([publication.author], "publication_sent_back", _context(publication), publication)
    return publication


def publication_approve(*, actor, publication: Publication, at: dt.datetime | None = None, now=None) -> Publication:
    """The press secretary approves a draft under review: published now, or scheduled for `at`."""
    if at is not None:
        return publication_schedule(actor=actor, publication=publication, at=at, now=now, review=True)
    return publication_publish(actor=actor, publication=publication, now=now, review=True)


def publication_schedule(
    *, actor, publication: Publication, at: dt.datetime, now=None, review: bool = False
) -> Publication:
    """Publish at `at` (in the future): the scheduler publishes it then. An embargoed press release's
    `at` is when the embargo lifts."""
    now = now or timezone.now()
    with transaction.atomic():
        publication = locked(publication)
        require_editor(actor, publication.organization)
        _require_status(
            publication, (PublicationStatus.IN_REVIEW,) if review else SCHEDULABLE + (PublicationStatus.SCHEDULED,)
        )
        if at is None or not isinstance(at, dt.datetime):
            raise ValidationError({"at": _("Give the date and time to publish at.")})
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at <= now:
            raise ValidationError({"at": _("The time to publish at has passed: choose a later one, or publish now.")})
        _require_ready(publication)
        previous = publication.status
        publication.status = PublicationStatus.SCHEDULED
        publication.publish_at = at
        publication.missed_alerted_at = None
        publication.reviewed_by = actor_user(actor) or publication.reviewed_by
        publication.save(update_fields=["status", "publish_at", "missed_alerted_at", "reviewed_by", "updated_at"])
        audit_record(
            actor=actor,
            action="publication_schedule",
            obj=publication,
            data={"at": at.isoformat(), "from": previous},
        )
        changed()
        transaction.on_commit(
            lambda: signals.publication_scheduled.send_robust(Publication, publication=publication, actor=actor)
        )
    return publication


def publication_unschedule(*, actor, publication: Publication) -> Publication:
    """Take a scheduled publication back to a draft."""
    with transaction.atomic():
        publication = locked(publication)
        require_editor(actor, publication.organization)
        _require_status(publication, (PublicationStatus.SCHEDULED,))
        publication.status = PublicationStatus.DRAFT
        publication.missed_alerted_at = None
        publication.save(update_fields=["status", "missed_alerted_at", "updated_at"])
        audit_record(actor=actor, action="publication_unschedule", obj=publication, data={})
        changed()
    return publication


def publication_publish(*, actor, publication: Publication, now=None, review: bool = False) -> Publication:
    """Publish now (the press secretary, or the scheduler when the time comes)."""
    now = now or timezone.now()
    with transaction.atomic():
        publication = locked(publication)
        require_editor(actor, publication.organization)
        _require_status(publication, (PublicationStatus.IN_REVIEW,) if review else PUBLISHABLE)
        if publication.status == PublicationStatus.SCHEDULED and actor is SCHEDULER:
            if publication.publish_at and publication.publish_at > now:
                raise Refused(_("It is not yet time to publish it."), PublicationRefusal.STATE)
        _require_ready(publication)
        previous = publication.status
        publication.status = PublicationStatus.PUBLISHED
        publication.published_at = now
        if actor is not SCHEDULER:
            publication.reviewed_by = actor_user(actor) or publication.reviewed_by
        publication.save(update_fields=["status", "published_at", "reviewed_by", "updated_at"])
        late = (
            (now - publication.publish_at).total_seconds()
            if previous == PublicationStatus.SCHEDULED and publication.publish_at
            else 0
        )
        audit_record(
            actor=actor,
            action="publication_publish",
            obj=publication,
            data={"from": previous, "late_seconds": int(max(late, 0))},
        )
        changed()
        announce_published(publication)
    return publication


def publication_withdraw(*, actor, publication: Publication, reason: str) -> Publication:
    """Take a published (or scheduled) publication off the public pages and feeds, with the reason."""
    with transaction.atomic():
        publication = locked(publication)
        require_editor(actor, publication.organization)
        _require_status(publication, (PublicationStatus.PUBLISHED, PublicationStatus.SCHEDULED))
        reason = str(reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Give the reason for withdrawing the publication.")})
        previous = publication.status
        publication.status = PublicationStatus.WITHDRAWN
        publication.missed_alerted_at = None
        publication.save(update_fields=["status", "missed_alerted_at", "updated_at"])
        audit_record(
            actor=actor,
            action="publication_withdraw",
            obj=publication,
            data={"from": previous, "reason": reason[:2000]},
        )
        changed()
    return publication


# --- the scheduler ----------------------------------------------------------------------------------
def publish_due(now: dt.datetime | None = None) -> int:
    """Publish every scheduled publication whose time has come (each in its own transaction; one that
    cannot go out is logged and left scheduled, for the missed-schedule alert). Returns how many went out."""
    now = now or timezone.now()
    due = list(
        Publication.objects.filter(status=PublicationStatus.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    published = 0
    for pk in due:
        try:
            publication_publish(actor=SCHEDULER, publication=Publication(pk=pk), now=now)
            published += 1
        except (Refused, ValidationError) as error:
            log.warning("publications: scheduled publication %s did not go out: %s", pk, error)
        except Publication.DoesNotExist:
            continue
    return published


def missed_alert(now: dt.datetime | None = None) -> int:
    """Tell the press secretaries, once per publication, of scheduled ones still not out
    PUBLICATIONS_MISSED_MINUTES after their time. Returns how many were told of."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=missed_minutes())
    told = 0
    ids = list(
        Publication.objects.filter(
            status=PublicationStatus.SCHEDULED, publish_at__lt=limit, missed_alerted_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            publication = locked(Publication(pk=pk))
            if publication.status != PublicationStatus.SCHEDULED or publication.missed_alerted_at is not None:
                continue
            publication.missed_alerted_at = now
            publication.save(update_fields=["missed_alerted_at"])
            missing = readiness(publication)
            context = _context(
                publication,
                at=formats.date_format(timezone.localtime(publication.publish_at), "DATETIME_FORMAT"),
                reason=" ".join(missing),
            )
            audit_record(
                actor=SCHEDULER,
                action="publication_missed_alert",
                obj=publication,
                data={"publish_at": publication.publish_at.isoformat(), "missing": missing},
            )
            notify_users(editors(publication.organization_id), "publication_missed", context, publication)
            told += 1
    return told


def is_missed(publication: Publication, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        publication.status == PublicationStatus.SCHEDULED
        and publication.publish_at is not None
        and publication.publish_at < now - dt.timedelta(minutes=missed_minutes())
    )
