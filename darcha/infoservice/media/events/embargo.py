"""Embargoed press releases: a publication of kind press_release with `embargo` set and a `publish_at` is
sent to the journalists accredited at its hokimiyat as soon as it is scheduled, and goes public by itself
when the embargo lifts (the publications' scheduled publishing, `publication_publish`).

    embargo_release_send     send it now (the press secretary's button; the scheduler and the
                             publications' signals call it too): to every accredited journalist not sent
                             it yet, so one accredited later gets it as well
    embargo_follow           one dispatch brought in line with its publication: lifted, moved (the
                             journalists told the new time) or withdrawn (told it is called back)
    embargo_sync             the scheduler, every minute: sends what is scheduled and not sent; follows
                             every dispatch under embargo (embargo_follow)
    on_scheduled             `publication_scheduled` receiver: sent at once when the press secretary
                             schedules it (`publications.services.publication_schedule`)
    on_published             `publication_published` receiver: the dispatch is marked lifted

The publications app never imports this one: it sends its signals (`publications.signals`) and this app
listens (connected from the media app's ready()). The journalists read the full text in their account
(`media:release`), never on a public page before the embargo lifts.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import SYSTEM, actor_user, audit_record
from darcha.core.choices import Role
from darcha.core.errors import Refused

from ..models_events import EmbargoDispatch, EmbargoRecipient
from . import delivery, selectors
from .choices import DispatchStatus, EventsRefusal

log = logging.getLogger("darcha.media")

LEAD_CHARS = 600


def release_texts(publication, language: str) -> tuple[str, str, bool]:
    """(title, lead or the body's beginning as plain text, is_fallback) in `language`, else the default's."""
    try:
        from darcha.infoservice.publications.selectors import publication_text

        text, fallback = publication_text(publication, language)
    except ImportError:  # pragma: no cover - the publications' selector is the contract's
        texts = {t.language: t for t in publication.texts.all()}
        text = texts.get(language) or texts.get("uz")
        fallback = text is not None and text.language != language
    if text is None:
        return "", "", True
    lead = strip_tags(text.lead or "").strip() or strip_tags(text.body or "").strip()
    if len(lead) > LEAD_CHARS:
        lead = lead[: LEAD_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text.title, lead, fallback


def _texts_of(publication):
    def texts(language):
        title, lead, _fallback = release_texts(publication, language)
        return title, lead

    return texts


def _lock_publication(publication):
    from darcha.infoservice.publications.models import Publication

    return Publication.objects.select_for_update(of=("self",)).select_related("organization").get(pk=publication.pk)


def _check_release(publication, now: dt.datetime) -> None:
    if publication.kind != selectors.PRESS_RELEASE or not publication.embargo:
        raise Refused(
            _("Only a press release under embargo is sent ahead to the journalists."), EventsRefusal.NOT_EMBARGOED
        )
    if publication.status != selectors.SCHEDULED or publication.publish_at is None:
        raise Refused(
            _("Schedule the press release first: its publishing time is the end of the embargo."),
            EventsRefusal.NOT_EMBARGOED,
        )
    if publication.publish_at <= now:
        raise Refused(_("The embargo time has passed."), EventsRefusal.EMBARGO_PASSED)
    title, _lead, _fallback = release_texts(publication, "uz")
    if not title:
        raise Refused(
            _("The press release has no text in the default language (Uzbek, Latin)."), EventsRefusal.NO_DEFAULT_TEXT
        )


def embargo_release_send(*, actor, publication, now: dt.datetime | None = None) -> int:
    """Send an embargoed press release to every journalist accredited at its hokimiyat today who was not
    sent it yet; how many got it now. The press secretary of the hokimiyat, or the system. A release
    called back (taken off the schedule) and scheduled again goes to everyone again, with its new time."""
    now = now or timezone.now()
    with transaction.atomic():
        publication = _lock_publication(publication)
        if actor_user(actor) is not None:
            access.require_role(
                actor,
                Role.PRESS_SECRETARY,
                publication.organization,
                _("Only the hokimiyat's press secretary sends its press releases to the journalists."),
            )
        _check_release(publication, now)
        dispatch = EmbargoDispatch.objects.select_for_update().filter(publication=publication).first()
        reopened = False
        if dispatch is None:
            dispatch = EmbargoDispatch.objects.create(
                publication=publication,
                organization=publication.organization,
                embargo_until=publication.publish_at,
                sent_at=now,
                sent_by_label=actor.get_username() if actor_user(actor) else getattr(actor, "label", "system"),
            )
        elif dispatch.status == DispatchStatus.WITHDRAWN:
            reopened = True
            dispatch.status, dispatch.withdrawn_at = DispatchStatus.UNDER_EMBARGO, None
            dispatch.embargo_until, dispatch.sent_at = publication.publish_at, now
            dispatch.save(update_fields=["status", "withdrawn_at", "embargo_until", "sent_at"])
            dispatch.recipients.update(told_until=publication.publish_at, sent_at=now)
        elif dispatch.status != DispatchStatus.UNDER_EMBARGO:
            raise Refused(_("This press release is not under embargo any more."), EventsRefusal.STATE)
        already = set(dispatch.recipients.values_list("journalist_id", flat=True))
        accredited = selectors.accredited_journalists(publication.organization, on=now)
        journalists = [j for j in accredited if j.pk not in already]
        EmbargoRecipient.objects.bulk_create(
            [
                EmbargoRecipient(
                    dispatch=dispatch,
                    journalist=j,
                    channels=",".join(delivery.channels_of(j)),
                    sent_at=now,
                    told_until=dispatch.embargo_until,
                )
                for j in journalists
            ]
        )
        dispatch.recipients_count = len(already) + len(journalists)
        dispatch.save(update_fields=["recipients_count"])
        told = _recipients(dispatch) if reopened else journalists
        audit_record(
            actor=actor,
            action="press_release_embargo_send",
            obj=dispatch,
            data={
                "publication": publication.pk,
                "until": dispatch.embargo_until.isoformat(),
                "sent": len(told),
                "again": reopened,
            },
        )
        delivery.release_notice(publication, dispatch, "press_release_embargoed", told, texts=_texts_of(publication))
    return len(told)


def _recipients(dispatch) -> list:
    return [r.journalist for r in dispatch.recipients.select_related("journalist__user").order_by("pk")]


def _lift(dispatch, *, actor, now) -> None:
    dispatch.status, dispatch.lifted_at = DispatchStatus.LIFTED, now
    dispatch.save(update_fields=["status", "lifted_at"])
    audit_record(
        actor=actor, action="press_release_embargo_lifted", obj=dispatch, data={"publication": dispatch.publication_id}
    )


def embargo_follow(*, dispatch_id: int, now: dt.datetime, actor=SYSTEM) -> str:
    """Bring one dispatch under embargo in line with its publication: "lifted" once published,
    "withdrawn" (the journalists told) when taken off the schedule, "moved" (the journalists told the new
    time) when its time changed; "" when nothing changed."""
    with transaction.atomic():
        dispatch = (
            EmbargoDispatch.objects.select_for_update(of=("self",))
            .select_related("publication__organization")
            .get(pk=dispatch_id)
        )
        if dispatch.status != DispatchStatus.UNDER_EMBARGO:
            return ""
        publication = dispatch.publication
        if publication.status == selectors.PUBLISHED:
            _lift(dispatch, actor=actor, now=now)
            return "lifted"
        if publication.status != selectors.SCHEDULED or publication.publish_at is None:
            dispatch.status, dispatch.withdrawn_at = DispatchStatus.WITHDRAWN, now
            dispatch.save(update_fields=["status", "withdrawn_at"])
            audit_record(
                actor=actor,
                action="press_release_embargo_withdrawn",
                obj=dispatch,
                data={"publication": publication.pk, "status": publication.status},
            )
            delivery.release_notice(
                publication,
                dispatch,
                "press_release_embargo_withdrawn",
                _recipients(dispatch),
                texts=_texts_of(publication),
            )
            return "withdrawn"
        if publication.publish_at != dispatch.embargo_until:
            before = dispatch.embargo_until
            dispatch.embargo_until = publication.publish_at
            dispatch.save(update_fields=["embargo_until"])
            dispatch.recipients.update(told_until=publication.publish_at)
            audit_record(
                actor=actor,
                action="press_release_embargo_moved",
                obj=dispatch,
                data={"from": before.isoformat(), "to": publication.publish_at.isoformat()},
            )
            delivery.release_notice(
                publication,
                dispatch,
                "press_release_embargo_moved",
                _recipients(dispatch),
                texts=_texts_of(publication),
            )
            return "moved"
    return ""


def embargo_sync(*, now: dt.datetime | None = None, actor=SYSTEM) -> dict:
    """The scheduler's minute: send what is scheduled under embargo and not sent; for what was sent, mark
    it lifted once published, tell the journalists the new time when the embargo moved, or that it is
    withdrawn when it was taken off the schedule. Counts of each."""
    now = now or timezone.now()
    done = {"sent": 0, "lifted": 0, "moved": 0, "withdrawn": 0}
    for publication in selectors.embargo_candidates(now=now):
        try:
            done["sent"] += embargo_release_send(actor=actor, publication=publication, now=now)
        except Refused as refusal:  # changed meanwhile, or no default text yet
            log.info("embargoed release %s not sent: %s", publication.pk, refusal.message)
    for dispatch in selectors.dispatches_under_embargo():
        outcome = embargo_follow(dispatch_id=dispatch.pk, now=now, actor=actor)
        if outcome:
            done[outcome] += 1
    return done


def on_published(sender=None, publication=None, **kwargs) -> None:
    """`publications.signals.publication_published`: the embargo of a dispatched release is lifted."""
    if publication is None:
        return
    with transaction.atomic():
        dispatch = (
            EmbargoDispatch.objects.select_for_update()
            .filter(publication_id=publication.pk, status=DispatchStatus.UNDER_EMBARGO)
            .first()
        )
        if dispatch is not None:
            _lift(dispatch, actor=SYSTEM, now=timezone.now())


def on_scheduled(sender=None, publication=None, actor=None, **kwargs) -> None:
    """`publications.signals.publication_scheduled` (sent after the commit of `publication_schedule`): an
    embargoed press release goes to the accredited journalists at once, in the name of the press secretary
    who scheduled it (else the system's); one already sent and moved to a new time, the journalists are
    told the new time. What fails here is left to the scheduler's `embargo_sync` a minute later."""
    if publication is None or publication.kind != selectors.PRESS_RELEASE or not publication.embargo:
        return
    now = timezone.now()
    user = actor_user(actor) if actor is not None else None
    by = actor if user is not None and access.has_role(user, Role.PRESS_SECRETARY, publication.organization) else SYSTEM
    dispatch = EmbargoDispatch.objects.filter(publication_id=publication.pk).first()
    try:
        if dispatch is not None and dispatch.status == DispatchStatus.UNDER_EMBARGO:
            embargo_follow(dispatch_id=dispatch.pk, now=now, actor=by)
        embargo_release_send(actor=by, publication=publication, now=now)
    except Refused as refusal:
        log.info("embargoed release %s not sent on scheduling: %s", publication.pk, refusal.message)
