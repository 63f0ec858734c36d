"""A child joins the district's kindergarten queue, and the family's changes after: details, choices,
privileges (claimed with evidence, checked by staff), leaving; and the family page's lookup by number
and access code under the tracking limits.

Who may register: the center's operators (at their center) and the district's preschool department
(`core.access`); the family itself online (`FAMILY`); the registry office's or maternity hospital's
system through the partner API (`channel=BIRTH_REGISTRATION`, a clerk of an organization named in
PRESCHOOL_BIRTH_PARTNERS). The queue date is set once, at registration, and every edit keeps it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import SystemActor, actor_user, audit_batch, audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.i18n import LANGUAGE_CODES
from darcha.core.identifiers import validate_phone, validate_pinfl
from darcha.core.lookups import TrackingRefused
from darcha.core.models import Organization, Person
from darcha.core.pagecache import content_changed
from darcha.core.throttle import KeyLimit
from darcha.core.uploads import check_upload

from .. import ages
from ..choices import (
    AGE_GROUP_ORDER,
    SEAT_HOLDING,
    AgeGroup,
    BenefitStatus,
    Channel,
    EnrollmentStatus,
    EventKind,
    PlacementStatus,
    PreschoolRefusal,
    Relation,
)
from ..models import (
    ACTIVE_STATUSES,
    ApplicationBenefit,
    Benefit,
    Child,
    EnrollmentApplication,
    Kindergarten,
    Placement,
    Preference,
    Program,
)
from ._common import (
    BIRTH_PARTNER_ONLY,
    FAMILY,
    STAFF_ONLY,
    access_code,
    district_campaign,
    district_only,
    lottery_number,
    max_choices,
    next_number,
    notify_family,
    record_event,
)

BIRTH_CERTIFICATE = re.compile(r"[A-Z0-9-]{5,16}")


@dataclass
class BenefitClaim:
    """A privilege claimed for the child, with its evidence: a document's reference, a scan, or — for a
    category whose evidence a state register holds — the center obtaining it itself."""

    benefit: Benefit
    evidence_reference: str = ""
    evidence_file: UploadedFile | None = None
    obtained_by_center: bool = False


# --- who may ------------------------------------------------------------------------------------


def birth_partner_organizations() -> list[Organization]:
    codes = [code for code in getattr(settings, "PRESCHOOL_BIRTH_PARTNERS", ()) if code]
    return list(Organization.objects.filter(code__in=codes, kind=OrganizationKind.AGENCY)) if codes else []


def is_birth_partner(actor) -> bool:
    """Is the actor a clerk (or head) of the registry office or maternity system (PRESCHOOL_BIRTH_PARTNERS)?"""
    if actor_user(actor) is None:
        return False
    return any(access.has_role(actor, access.AGENCY_STAFF, org) for org in birth_partner_organizations())


def _department_of(district: Organization) -> Organization:
    """Where the district's preschool officers hold their role (their reach is the district)."""
    department = district.children.filter(kind=OrganizationKind.PRESCHOOL_DEPARTMENT).first()
    return department or district


def is_staff_for(actor, district: Organization, center: Organization | None = None) -> bool:
    """A center's operator (any center serves any family: `center` is where they work) or the district's
    preschool department."""
    if center is not None and access.has_role(actor, access.CENTER_STAFF, center):
        return True
    if center is None and access.holds_any(actor, access.CENTER_STAFF):
        return True
    return access.has_role(actor, Role.PRESCHOOL_OFFICER, _department_of(district))


def require_family_or_staff(actor, application: EnrollmentApplication) -> None:
    """The family itself (a system actor: online, the bot), or staff who serve families."""
    if isinstance(actor, SystemActor):
        return
    if not is_staff_for(actor, application.district):
        raise Forbidden(STAFF_ONLY)


def _require_may_register(actor, *, district, channel, center) -> None:
    if channel == Channel.BIRTH_REGISTRATION:
        if isinstance(actor, SystemActor) and actor is not FAMILY:
            return  # the system loading data (the demo)
        if not is_birth_partner(actor):
            raise Forbidden(BIRTH_PARTNER_ONLY)
        return
    if isinstance(actor, SystemActor):
        return
    if not is_staff_for(actor, district, center):
        raise Forbidden(STAFF_ONLY)


# --- validation ---------------------------------------------------------------------------------


def _when(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _offered_groups(choices: Sequence[Program]) -> dict[tuple[int, str], set[str]]:
    """(kindergarten, language of instruction) -> the age groups it takes children into now."""
    offered: dict[tuple[int, str], set[str]] = {}
    rows = Program.objects.filter(kindergarten__in={program.kindergarten_id for program in choices}, is_active=True)
    for kindergarten_id, language, age_group in rows.values_list("kindergarten_id", "language", "age_group"):
        offered.setdefault((kindergarten_id, language), set()).add(age_group)
    return offered


def youngest_group_for(
    kind: str, offered: Iterable[str], birth_date: dt.date, from_year: int
) -> tuple[str, int] | None:
    """The group a child enters at a kindergarten (of this kind, taking these groups), and the school
    year it enters it: the youngest group, from the one of its age in the first school year it may join
    any, that the kindergarten takes. None when it will be of school age first."""
    year = ages.first_school_year(kind, birth_date, from_year)
    if year is None:
        return None
    order = list(AGE_GROUP_ORDER)
    start = order.index(ages.age_group_on(birth_date, ages.reference_date(year)))
    for group in order[start:]:
        if group in offered:
            # It waits until it is of that group's age (a kindergarten without an early group takes it at 3).
            while ages.age_group_on(birth_date, ages.reference_date(year)) != group:
                year += 1
            return group, year
    return None


def _age_problem(program: Program, birth_date: dt.date, from_year: int, offered: set[str]) -> ValidationError | None:
    """Why the child may not join this group (`offered`: the groups of its kindergarten), or None."""
    kind = program.kindergarten.kind
    year = ages.first_school_year(kind, birth_date, from_year)
    if year is None:
        day = ages.reference_date(from_year)
        message = _("The child is too old for a kindergarten: on %(day)s they will be %(age)d and go to school.") % {
            "day": _when(day),
            "age": ages.age_on(birth_date, day),
        }
        return ValidationError(message, code=PreschoolRefusal.AGE)
    order = list(AGE_GROUP_ORDER)
    entry = ages.age_group_on(birth_date, ages.reference_date(year))
    youngest = youngest_group_for(kind, offered | {program.age_group}, birth_date, from_year)
    if youngest is not None and youngest[0] == program.age_group:
        return None
    too_young = order.index(program.age_group) > order.index(entry)
    if too_young:
        message = _(
            "The child is too young for the group “%(group)s” of %(kindergarten)s: on %(day)s they will be "
            "%(age)d. Choose the group “%(entry)s”."
        )
        suggested = youngest[0] if youngest is not None else entry
    else:
        message = _(
            "The child is too old for the group “%(group)s” of %(kindergarten)s: on %(day)s they will be "
            "%(age)d. Choose the group “%(entry)s”."
        )
        suggested = entry
    day = ages.reference_date(year)
    values = {
        "group": AgeGroup(program.age_group).label,
        "kindergarten": program.kindergarten,
        "day": _when(day),
        "age": ages.age_on(birth_date, day),
        "entry": AgeGroup(suggested).label,
    }
    return ValidationError(message % values, code=PreschoolRefusal.AGE)


def _choices_problems(
    choices: Sequence[Program], *, district: Organization, birth_date: dt.date | None, now: dt.datetime
) -> list[ValidationError]:
    campaign = district_campaign(district.pk)
    problems: list[ValidationError] = []
    if not choices:
        return [ValidationError(_("Choose at least one kindergarten group."), code="required")]
    limit = max_choices(campaign)
    if len(choices) > limit:
        problems.append(
            ValidationError(
                _("A family may choose at most %(count)d kindergarten groups.") % {"count": limit},
                code=PreschoolRefusal.TOO_MANY_CHOICES,
            )
        )
    if len({program.pk for program in choices}) != len(choices):
        problems.append(ValidationError(_("Each group may be chosen once."), code="duplicate_choice"))
    from_year = ages.school_year_for(now)
    offered = _offered_groups(choices) if birth_date is not None else {}
    for program in choices:
        organization = program.kindergarten.organization
        if not program.is_active:
            problems.append(
                ValidationError(
                    _("The group “%(program)s” takes no children now.") % {"program": program}, code="inactive"
                )
            )
        if district_only(campaign) and organization.parent_id != district.pk:
            problems.append(
                ValidationError(
                    _(
                        "%(kindergarten)s is not in %(district)s: this district's queue takes only its own "
                        "kindergartens."
                    )
                    % {"kindergarten": program.kindergarten, "district": district},
                    code=PreschoolRefusal.NOT_IN_DISTRICT,
                )
            )
        if birth_date is not None:
            groups = offered.get((program.kindergarten_id, program.language), set())
            problem = _age_problem(program, birth_date, from_year, groups)
            if problem is not None:
                problems.append(problem)
    return problems


def _is_loaded(program) -> bool:
    """A saved Program whose kindergarten and its organization are loaded with it."""
    if not isinstance(program, Program) or program.pk is None:
        return False
    kindergarten = program._state.fields_cache.get("kindergarten")
    return kindergarten is not None and "organization" in kindergarten._state.fields_cache


def _load_choices(choices: Iterable[Program]) -> list[Program]:
    """The chosen programs with their kindergartens and organizations (for the checks), in the order given."""
    choices = list(choices)
    if all(_is_loaded(program) for program in choices):
        return choices  # given loaded (the demo's replay: one query less per child)
    ids = [program.pk for program in choices]
    loaded = Program.objects.select_related("kindergarten__organization").in_bulk(ids)
    return [loaded.get(pk, program) for pk, program in zip(ids, choices, strict=True)]


def _benefit_problems(claim: BenefitClaim, today: dt.date) -> tuple[list[ValidationError], object]:
    """What is wrong with a claim, and its checked scan (None without one)."""
    problems: list[ValidationError] = []
    benefit = claim.benefit
    if benefit.valid_from > today or (benefit.valid_to is not None and benefit.valid_to < today):
        problems.append(
            ValidationError(
                _("The category “%(benefit)s” does not give a privilege now.") % {"benefit": benefit}, code="inactive"
            )
        )
    checked = None
    if claim.evidence_file:
        try:
            checked = check_upload(claim.evidence_file)
        except ValidationError as error:
            problems.extend(ValidationError(message, code="file") for message in error.messages)
    by_center = claim.obtained_by_center and benefit.center_obtains
    if claim.obtained_by_center and not benefit.center_obtains:
        problems.append(
            ValidationError(
                _("The center cannot obtain the evidence of “%(benefit)s” itself: bring the document.")
                % {"benefit": benefit},
                code=PreschoolRefusal.EVIDENCE_MISSING,
            )
        )
    elif not (claim.evidence_reference.strip() or claim.evidence_file or by_center):
        problems.append(
            ValidationError(
                _("The privilege “%(benefit)s” needs its evidence: %(evidence)s")
                % {"benefit": benefit, "evidence": benefit.evidence or _("a document")},
                code=PreschoolRefusal.EVIDENCE_MISSING,
            )
        )
    return problems, checked


def _claim_row(application, claim: BenefitClaim, checked, now: dt.datetime) -> ApplicationBenefit:
    row = ApplicationBenefit(
        application=application,
        benefit=claim.benefit,
        status=BenefitStatus.CLAIMED,
        evidence_reference=claim.evidence_reference.strip()[:255],
        obtained_by_center=bool(claim.obtained_by_center and claim.benefit.center_obtains),
        created_at=now,
    )
    if checked is not None:
        # From the upload itself: a temporary file is moved into place, never read into memory.
        row.evidence_file.save("evidence", checked.file, save=False)
    return row


def _clean_details(*, phone, language, errors: dict) -> tuple[str, str]:
    try:
        phone = validate_phone(phone) if str(phone or "").strip() else ""
    except ValidationError as error:
        errors.setdefault("phone", []).extend(error.error_list)
        phone = ""
    if language not in LANGUAGE_CODES:
        errors.setdefault("language", []).append(ValidationError(_("Choose a language of notices."), code="invalid"))
    return phone, language


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- services -----------------------------------------------------------------------------------


def application_register(
    *,
    actor,
    child_name: str,
    birth_date: dt.date,
    birth_certificate: str,
    applicant: Person,
    relation: str,
    district: Organization,
    choices: list[Program],
    phone: str = "",
    language: str = "uz",
    child_pinfl: str | None = None,
    benefits: Sequence[BenefitClaim] = (),
    staff_at: Kindergarten | None = None,
    together_with: EnrollmentApplication | None = None,
    channel: str = Channel.FRONT_OFFICE,
    center: Organization | None = None,
    birth_record: str | None = None,
    queue_date: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> EnrollmentApplication:
    """Put a child in the district's queue with its ranked choices and claimed privileges.

    Checked: the child's age for every choice (on the reference date of the school year it may first
    join), choices within the district (unless its campaign lets families choose elsewhere) and within
    the campaign's number, evidence for each privilege (unless the center obtains it), one active
    application per child (by birth certificate), a child placed together with one in the same district
    choosing the same groups. The lottery number is drawn once here. A `birth_record` already registered
    returns that application unchanged (the partner's resend)."""
    now = now or timezone.now()
    _require_may_register(actor, district=district, channel=channel, center=center)
    birth_record = str(birth_record or "").strip() or None
    if birth_record is not None:
        existing = EnrollmentApplication.objects.filter(birth_record=birth_record).first()
        if existing is not None:
            return existing

    errors: dict[str, list[ValidationError]] = {}
    child_name = " ".join(str(child_name or "").split())[:255]
    if not child_name:
        errors["child_name"] = [ValidationError(_("Enter the child's full name."), code="required")]
    certificate = re.sub(r"\s+", "", str(birth_certificate or "")).upper()
    if not BIRTH_CERTIFICATE.fullmatch(certificate):
        errors["birth_certificate"] = [
            ValidationError(
                _("A birth certificate number is 5 to 16 Latin letters, digits or hyphens."), code="invalid"
            )
        ]
    pinfl = None
    if str(child_pinfl or "").strip():
        try:
            pinfl = validate_pinfl(child_pinfl)
        except ValidationError as error:
            errors["child_pinfl"] = error.error_list
    if not isinstance(birth_date, dt.date) or birth_date > timezone.localdate(now):
        errors["birth_date"] = [ValidationError(_("The date of birth cannot be in the future."), code="invalid")]
        birth_date = None
    if relation not in Relation.values:
        errors["relation"] = [ValidationError(_("Choose who applies for the child."), code="invalid")]
    if district.kind not in (OrganizationKind.CITY, OrganizationKind.DISTRICT):
        errors["district"] = [ValidationError(_("Choose a city or district."), code="invalid")]
    phone, language = _clean_details(phone=phone or applicant.phone, language=language, errors=errors)
    choices = _load_choices(choices)
    problems = _choices_problems(choices, district=district, birth_date=birth_date, now=now)
    if problems:
        errors["choices"] = problems
    if together_with is not None:
        together_problems = []
        if together_with.district_id != district.pk:
            together_problems.append(
                ValidationError(
                    _("Children placed together are in the same district's queue."),
                    code=PreschoolRefusal.NOT_IN_DISTRICT,
                )
            )
        if not together_with.is_active:
            together_problems.append(
                ValidationError(_("That application has left the queue."), code=PreschoolRefusal.APPLICATION_CLOSED)
            )
        theirs = list(together_with.preferences.order_by("rank").values_list("program_id", flat=True))
        if theirs != [program.pk for program in choices]:
            together_problems.append(
                ValidationError(
                    _("Children placed together choose the same groups in the same order."), code="together_choices"
                )
            )
        if together_problems:
            errors["together_with"] = together_problems
    if staff_at is not None and staff_at.organization.parent_id != district.pk:
        errors.setdefault("staff_at", []).append(
            ValidationError(_("The kindergarten the applicant works at is in another district."), code="invalid")
        )
    today = timezone.localdate(now)
    checked_claims = []
    seen_benefits = set()
    for claim in benefits:
        claim_problems, checked = _benefit_problems(claim, today)
        if claim.benefit.pk in seen_benefits:
            claim_problems.append(ValidationError(_("Each privilege is claimed once."), code="duplicate"))
        seen_benefits.add(claim.benefit.pk)
        if claim_problems:
            errors.setdefault("benefits", []).extend(claim_problems)
        checked_claims.append((claim, checked))
    _raise(errors)

    try:
        with transaction.atomic(), audit_batch():
            child = Child.objects.select_for_update().filter(birth_certificate=certificate).first()
            if pinfl is not None and Child.objects.filter(pinfl=pinfl).exclude(birth_certificate=certificate).exists():
                raise ValidationError(
                    {"child_pinfl": [_("This PINFL belongs to a child with another birth certificate.")]}
                )
            if child is None:
                child = Child.objects.create(
                    name=child_name, birth_date=birth_date, birth_certificate=certificate, pinfl=pinfl
                )
            elif child.birth_date != birth_date:
                raise ValidationError(
                    {"birth_date": [_("The birth certificate is registered with another date of birth.")]}
                )
            elif child.applications.filter(status__in=ACTIVE_STATUSES).exists():
                raise Refused(
                    _("This child is already in a kindergarten queue (birth certificate %(certificate)s).")
                    % {"certificate": certificate},
                    PreschoolRefusal.DUPLICATE_CHILD,
                )
            else:
                child.name, child.pinfl = child_name, pinfl or child.pinfl
                child.save(update_fields=["name", "pinfl"])
            together = ""
            if together_with is not None:
                partner = EnrollmentApplication.objects.select_for_update().get(pk=together_with.pk)
                together = partner.together or partner.number
                if not partner.together:
                    partner.together = together
                    partner.save(update_fields=["together"])
            number = next_number(now)
            application = EnrollmentApplication.objects.create(
                number=number,
                access_code=access_code(),
                child=child,
                applicant=applicant,
                relation=relation,
                phone=phone,
                language=language,
                district=district,
                channel=channel,
                center=center,
                registered_by=actor_user(actor),
                birth_record=birth_record,
                queue_date=queue_date or now,
                lottery=lottery_number(district.pk, number, now),
                together=together,
                staff_at=staff_at,
                created_at=now,
                updated_at=now,
            )
            Preference.objects.bulk_create(
                Preference(application=application, rank=rank, program=program)
                for rank, program in enumerate(choices, start=1)
            )
            for claim, checked in checked_claims:
                _claim_row(application, claim, checked, now).save()
            record_event(
                application,
                EventKind.REGISTERED,
                actor=actor,
                now=now,
                data={"channel": channel, "choices": [program.pk for program in choices]},
            )
            for claim, _checked in checked_claims:
                record_event(
                    application,
                    EventKind.BENEFIT,
                    actor=actor,
                    now=now,
                    data={"benefit": claim.benefit.code, "status": BenefitStatus.CLAIMED},
                )
            audit_record(
                actor=actor,
                action="preschool_application_register",
                obj=application,
                data={
                    "channel": channel,
                    "choices": [program.pk for program in choices],
                    "benefits": [claim.benefit.code for claim, _checked in checked_claims],
                    "together": bool(together),
                },
            )
            notify_family(application, "preschool_registered", {"code": application.access_code})
            content_changed(kind="preschool")  # the registry's queue lengths
    except IntegrityError:
        # Two registrations of one child (or one birth record) racing: the unique constraints decide.
        if birth_record is not None:
            existing = EnrollmentApplication.objects.filter(birth_record=birth_record).first()
            if existing is not None:
                return existing
        raise Refused(
            _("This child is already in a kindergarten queue (birth certificate %(certificate)s).")
            % {"certificate": certificate},
            PreschoolRefusal.DUPLICATE_CHILD,
        ) from None
    return application


def _locked(application: EnrollmentApplication) -> EnrollmentApplication:
    locked = (
        EnrollmentApplication.objects.select_for_update().select_related("district", "child").get(pk=application.pk)
    )
    if not locked.is_active:
        raise Refused(_("This application has left the queue."), PreschoolRefusal.APPLICATION_CLOSED)
    return locked


def application_edit(
    *, actor, application: EnrollmentApplication, phone: str | None = None, language: str | None = None, now=None
) -> EnrollmentApplication:
    """The family's phone and language of notices (the queue date is kept)."""
    now = now or timezone.now()
    require_family_or_staff(actor, application)
    errors: dict[str, list] = {}
    new_phone, new_language = _clean_details(
        phone=application.phone if phone is None else phone,
        language=application.language if language is None else language,
        errors=errors,
    )
    _raise(errors)
    with transaction.atomic():
        application = _locked(application)
        changed = [
            name
            for name, value in (("phone", new_phone), ("language", new_language))
            if getattr(application, name) != value
        ]
        if not changed:
            return application
        application.phone, application.language, application.updated_at = new_phone, new_language, now
        application.save(update_fields=[*changed, "updated_at"])
        record_event(application, EventKind.EDITED, actor=actor, now=now, data={"changed": changed})
        audit_record(actor=actor, action="preschool_application_edit", obj=application, data={"changed": changed})
    return application


def application_choices_set(
    *, actor, application: EnrollmentApplication, choices: list[Program], now=None
) -> EnrollmentApplication:
    """Rank the family's groups again (the queue date is kept). Children placed together keep one list:
    the change applies to each of them. A child holding a seat keeps it: these are the groups it would
    rather have (a transfer)."""
    now = now or timezone.now()
    require_family_or_staff(actor, application)
    choices = _load_choices(choices)
    problems = _choices_problems(
        choices, district=application.district, birth_date=application.child.birth_date, now=now
    )
    if problems:
        raise ValidationError({"choices": problems})
    with transaction.atomic(), audit_batch():
        application = _locked(application)
        group = [application]
        if application.together:
            group = list(
                EnrollmentApplication.objects.select_for_update()
                .filter(together=application.together, status__in=ACTIVE_STATUSES)
                .order_by("pk")
            )
        new = [program.pk for program in choices]
        for member in group:
            old = list(member.preferences.order_by("rank").values_list("program_id", flat=True))
            if old == new:
                continue
            member.preferences.all().delete()
            Preference.objects.bulk_create(
                Preference(application=member, rank=rank, program=program)
                for rank, program in enumerate(choices, start=1)
            )
            member.updated_at = now
            member.save(update_fields=["updated_at"])
            record_event(member, EventKind.PREFERENCES, actor=actor, now=now, data={"from": old, "to": new})
            audit_record(actor=actor, action="preschool_application_choices", obj=member, data={"from": old, "to": new})
            content_changed(kind="preschool")
    application.refresh_from_db()
    return application


def _release_seat(placement: Placement, *, actor, reason: str, now: dt.datetime) -> None:
    """Free the seat a leaving child holds, through the referral services when they are there (they
    record the referral's own history and offer the seat on), else here, in this transaction."""
    try:
        from . import referrals
    except ImportError:
        referrals = None
    if placement.status == PlacementStatus.OFFERED and hasattr(referrals, "placement_decline"):
        referrals.placement_decline(actor=actor, placement=placement, now=now)
        return
    if placement.status == PlacementStatus.ENROLLED and hasattr(referrals, "placement_leave"):
        referrals.placement_leave(actor=actor, placement=placement, reason=reason, now=now)
        return
    placement.status = PlacementStatus.WITHDRAWN
    placement.ended_at = now
    placement.end_reason = (reason or _("The family left the queue."))[:255]
    placement.save(update_fields=["status", "ended_at", "end_reason"])
    audit_record(
        actor=actor, action="preschool_placement_withdraw", obj=placement, data={"program": placement.program_id}
    )


def application_leave(
    *, actor, application: EnrollmentApplication, reason: str = "", now=None
) -> EnrollmentApplication:
    """The child leaves the queue; a seat it holds (a referral offered, or its place at a kindergarten)
    is freed for the next child. The application is kept, closed, with its history."""
    now = now or timezone.now()
    require_family_or_staff(actor, application)
    reason = " ".join(str(reason or "").split())[:255]
    with transaction.atomic(), audit_batch():
        application = _locked(application)
        # An enrolled child offered a transfer holds two seats: both are freed.
        held = list(
            Placement.objects.select_for_update()
            .filter(application=application, status__in=SEAT_HOLDING)
            .order_by("pk")
        )
        # Leaving the kindergarten withdraws an open transfer referral too.
        enrolled = [placement for placement in held if placement.status == PlacementStatus.ENROLLED]
        for placement in enrolled or held:
            _release_seat(placement, actor=actor, reason=reason, now=now)
        application.refresh_from_db(fields=["status"])
        application.status = EnrollmentStatus.LEFT
        application.left_at, application.left_reason, application.updated_at = now, reason, now
        application.save(update_fields=["status", "left_at", "left_reason", "updated_at"])
        record_event(
            application,
            EventKind.LEFT_QUEUE,
            actor=actor,
            now=now,
            data={"reason": reason, "seats_freed": [placement.program_id for placement in held]},
        )
        audit_record(
            actor=actor,
            action="preschool_application_leave",
            obj=application,
            data={"seats_freed": len(held)},
        )
        content_changed(kind="preschool")
    return application


def benefit_claim(*, actor, application: EnrollmentApplication, claim: BenefitClaim, now=None) -> ApplicationBenefit:
    """Claim a privilege after registration, with its evidence; it counts once staff confirm it. A claim
    rejected or no longer held may be made again with new evidence."""
    now = now or timezone.now()
    require_family_or_staff(actor, application)
    problems, checked = _benefit_problems(claim, timezone.localdate(now))
    if problems:
        raise ValidationError({"benefits": problems})
    with transaction.atomic():
        application = _locked(application)
        row = (
            ApplicationBenefit.objects.select_for_update()
            .filter(application=application, benefit=claim.benefit)
            .first()
        )
        if row is not None and row.status in (BenefitStatus.CLAIMED, BenefitStatus.CONFIRMED):
            raise ValidationError(
                {"benefits": [_("The privilege “%(benefit)s” is claimed already.") % {"benefit": claim.benefit}]}
            )
        fresh = _claim_row(application, claim, checked, now)
        if row is not None:
            fresh.pk = row.pk
            fresh.decided_by, fresh.decided_at, fresh.note = None, None, ""
        fresh.save()
        record_event(
            application,
            EventKind.BENEFIT,
            actor=actor,
            now=now,
            data={"benefit": claim.benefit.code, "status": BenefitStatus.CLAIMED},
        )
        audit_record(actor=actor, action="preschool_benefit_claim", obj=fresh, data={"benefit": claim.benefit.code})
    return fresh


def benefit_decide(*, actor, claim: ApplicationBenefit, confirm: bool, note: str = "", now=None) -> ApplicationBenefit:
    """Staff confirm or reject a claimed privilege after checking its evidence; a confirmed one counts in
    the next positions and allocation."""
    now = now or timezone.now()
    application = claim.application
    if isinstance(actor, SystemActor) or not is_staff_for(actor, application.district):
        raise Forbidden(STAFF_ONLY)
    note = " ".join(str(note or "").split())[:255]
    if not confirm and not note:
        raise ValidationError({"note": [_("Say why the privilege is rejected.")]})
    with transaction.atomic():
        _locked(application)
        claim = ApplicationBenefit.objects.select_for_update().select_related("benefit").get(pk=claim.pk)
        if claim.status != BenefitStatus.CLAIMED:
            raise Refused(
                _("This privilege was checked already: %(status)s.") % {"status": claim.get_status_display()},
                PreschoolRefusal.BENEFIT_DECIDED,
            )
        claim.status = BenefitStatus.CONFIRMED if confirm else BenefitStatus.REJECTED
        claim.decided_by, claim.decided_at, claim.note = actor_user(actor), now, note
        claim.save(update_fields=["status", "decided_by", "decided_at", "note"])
        record_event(
            application,
            EventKind.BENEFIT,
            actor=actor,
            now=now,
            data={"benefit": claim.benefit.code, "status": claim.status, "note": note},
        )
        audit_record(
            actor=actor,
            action="preschool_benefit_decide",
            obj=claim,
            data={"benefit": claim.benefit.code, "status": claim.status},
        )
        content_changed(kind="preschool")  # the privileged queue's length
    return claim


# --- the family page's lookup -------------------------------------------------------------------

NUMBER_FORMAT = re.compile(r"M\d{2}-\d{7}")


def tracking_limits() -> tuple[KeyLimit, KeyLimit]:
    """(wrong codes per queue number, wrong lookups per client), under the cases tracking's settings."""
    return (
        KeyLimit(
            "preschool-track-number",
            int(getattr(settings, "CASES_TRACK_NUMBER_FAILURES", 10)),
            int(getattr(settings, "CASES_TRACK_NUMBER_WINDOW", 24 * 3600)),
        ),
        KeyLimit(
            "preschool-track-client",
            int(getattr(settings, "CASES_TRACK_CLIENT_FAILURES", 50)),
            int(getattr(settings, "CASES_TRACK_CLIENT_WINDOW", 3600)),
        ),
    )


def _until_text(until: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(until), "SHORT_DATETIME_FORMAT")


def track_lookup(*, number: str, code: str, client: str) -> EnrollmentApplication | None:
    """The application for a queue number and access code, under the limits of the applications'
    tracking (`cases.services.tracking`): only wrong lookups count, per number (it locks: the right code
    is refused too until the window ends) and per client (`addr:<address>`, `telegram:<chat>`). None for
    a wrong number or code; `TrackingRefused` (429) when locked or over the client's limit."""
    numbers, clients = tracking_limits()
    number, code = str(number or "").strip().upper(), str(code or "").strip()
    key = number if NUMBER_FORMAT.fullmatch(number) else None
    if key is not None and numbers.reached(key):
        until = numbers.until(key)
        raise TrackingRefused(_locked_message(until), PreschoolRefusal.TRACKING_LOCKED, until)
    application = (
        EnrollmentApplication.objects.select_related("child", "district").filter(number=number).first()
        if key is not None
        else None
    )
    # Compare even when no application has that number, so timing does not tell which was wrong.
    expected = application.access_code if application is not None else "\0" * 6
    if constant_time_compare(expected, code) and application is not None:
        return application
    over = clients.reached(client)
    clients.count(client)
    if key is not None and numbers.count(key) >= numbers.attempts:
        until = numbers.until(key)
        raise TrackingRefused(_locked_message(until), PreschoolRefusal.TRACKING_LOCKED, until)
    if over:
        until = clients.until(client)
        raise TrackingRefused(
            _("Too many wrong numbers or access codes. Try again after %(time)s.") % {"time": _until_text(until)},
            PreschoolRefusal.TOO_MANY_LOOKUPS,
            until,
        )
    return None


def _locked_message(until: dt.datetime) -> str:
    return _(
        "This queue number is locked after too many wrong access codes. It unlocks by itself at %(time)s; "
        "the center gives a new access code on the applicant's passport."
    ) % {"time": _until_text(until)}


def active_application_of(birth_certificate: str) -> EnrollmentApplication | None:
    """The child's application in a queue now, by birth certificate (for a form that warns early)."""
    certificate = re.sub(r"\s+", "", str(birth_certificate or "")).upper()
    return (
        EnrollmentApplication.objects.filter(Q(child__birth_certificate=certificate), status__in=ACTIVE_STATUSES)
        .select_related("district")
        .first()
    )
