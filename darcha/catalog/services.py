"""Every write of the catalog: procedure versions are validated, published and frozen here."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core import pagecache
from darcha.core.audit import audit_record

from .choices import Outcome, VersionStatus
from .models import ProcedureVersion, Service, Step, StepField, Transition


def procedure_problems(version: ProcedureVersion) -> list[str]:
    """Why a version cannot be published (empty when it can)."""
    steps = {s.pk: s for s in version.steps.all()}
    transitions = list(version.transitions.all())
    problems: list[str] = []
    if not steps:
        return [_("The procedure has no steps.")]
    for t in transitions:
        try:
            t.clean()
        except ValidationError as error:
            problems += [f"{t}: {m}" for m in error.messages]
    outgoing: dict[int | None, list[Transition]] = defaultdict(list)
    for t in transitions:
        outgoing[t.from_step_id].append(t)
    if not outgoing.get(None):
        problems.append(_("Nothing starts the procedure: add a transition with no “from step”."))

    reachable: set[int] = set()
    frontier = [t.to_step_id for t in outgoing.get(None, []) if t.to_step_id]
    while frontier:
        step_id = frontier.pop()
        if step_id in reachable:
            continue
        reachable.add(step_id)
        frontier += [t.to_step_id for t in outgoing.get(step_id, []) if t.to_step_id]
    for step_id, step in steps.items():
        if step_id not in reachable:
            problems.append(_("Step “%(step)s” can never be reached.") % {"step": step.code})

    # Every path ends: from every step some transition chain reaches the end.
    ending = {t.from_step_id for t in transitions if t.to_step_id is None and t.from_step_id}
    changed = True
    while changed:
        changed = False
        for t in transitions:
            if t.from_step_id and t.from_step_id not in ending and t.to_step_id in ending:
                ending.add(t.from_step_id)
                changed = True
    for step_id, step in steps.items():
        if step_id not in ending:
            problems.append(_("From step “%(step)s” the procedure never ends.") % {"step": step.code})

    if not any(t.to_step_id is None and t.outcome == Outcome.ISSUED for t in transitions):
        problems.append(_("No path issues a result."))
    for field in StepField.objects.filter(step__version=version).select_related("step"):
        try:
            field.clean()
        except ValidationError as error:
            problems += [f"{field.step.code}.{field.code}: {m}" for m in error.messages]
    for step in steps.values():
        if step.join:
            sources = {t.from_step_id for t in transitions if t.to_step_id == step.pk and t.from_step_id}
            if len(sources) < 2:
                problems.append(
                    _("Join step “%(step)s” needs at least two steps leading into it.") % {"step": step.code}
                )
    return problems


def procedure_publish(*, actor, version: ProcedureVersion) -> ProcedureVersion:
    """Validate and freeze a draft; the version it replaces is retired (applications keep theirs)."""
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ValidationError(_("Only a draft can be published."), code="not_draft")
        problems = procedure_problems(version)
        if problems:
            raise ValidationError(problems, code="invalid_procedure")
        retired = list(
            ProcedureVersion.objects.filter(service=version.service, status=VersionStatus.PUBLISHED).values_list(
                "number", flat=True
            )
        )
        ProcedureVersion.objects.filter(service=version.service, status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        audit_record(
            actor=actor,
            action="procedure_publish",
            obj=version,
            data={"service": version.service.code, "number": version.number, "retired": retired},
        )
        # The service's public page and API show the published version: core.pagecache.
        pagecache.content_changed(model=ProcedureVersion)
    return version


def procedure_new_draft(*, actor, service: Service) -> ProcedureVersion:
    """A new draft: a copy of the newest version's steps and transitions, ready to edit."""
    with transaction.atomic():
        latest = service.versions.order_by("-number").first()
        if latest is not None and latest.status == VersionStatus.DRAFT:
            raise ValidationError(_("This service already has a draft."), code="draft_exists")
        draft = ProcedureVersion.objects.create(service=service, number=(latest.number + 1) if latest else 1)
        if latest is not None:
            step_map: dict[int, Step] = {}
            for step in latest.steps.prefetch_related("documents", "output_fields"):
                documents = list(step.documents.all())
                fields = list(step.output_fields.all())
                old_pk = step.pk
                step.pk = None
                step.id = None
                step.version = draft
                step._state.adding = True
                step.save()
                step.documents.set(documents)
                for field in fields:
                    field.pk = None
                    field.id = None
                    field.step = step
                    field._state.adding = True
                    field.save()
                step_map[old_pk] = step
            for t in latest.transitions.all():
                Transition.objects.create(
                    version=draft,
                    from_step=step_map.get(t.from_step_id),
                    to_step=step_map.get(t.to_step_id),
                    action=t.action,
                    outcome=t.outcome,
                    roles=t.roles,
                    effects=t.effects,
                )
        audit_record(
            actor=actor,
            action="procedure_new_draft",
            obj=draft,
            data={"service": service.code, "copied_from": latest.number if latest else None},
        )
    return draft
