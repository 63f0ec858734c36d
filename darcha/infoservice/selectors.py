"""Reads of the information service's appeals: each owns its select_related/prefetch and its permission
scoping, so a page costs a fixed number of queries however many appeals there are
(tests/infoservice/query_counts.json).

Staff part (the hokimiyat's appeals officer, the executors, the hokim):
    staff_hokimiyat, staff_executor_organization    the organization in a desk's address
    InboxFilters, officer_inbox, officer_inbox_page, inbox_counts   the officer's inbox: filters, search in
                                                    any script, keyset pages (seek.py), the tabs' counts
    executor_inbox, executor_counts                 an executor organization's assigned appeals
    appeal_for_staff, staff_attachment, staff_answer   one appeal as staff may see it, its files
    answers_to_approve, flagged_appeals, overdue_appeals, resolutions_given   the head's desk
    executor_choices, forward_choices, executor_officials   what the action forms offer
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from darcha.core import access
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.core.translit import OKINA, cyrillic_to_latin, latin_to_cyrillic, search_key

from . import seek
from .choices import AppealStatus, AppealType, Channel, EventKind, RequestKind
from .models import Answer, Appeal, Assignment, Attachment, Event, Extension, Forward, Population, Resolution, Topic

OPEN_STATUSES = (AppealStatus.REGISTERED, AppealStatus.IN_WORK, AppealStatus.ON_APPROVAL)
EXECUTOR_KINDS = (OrganizationKind.HOKIMIYAT, OrganizationKind.AGENCY)
QUERY_MAX = 100
QUERY_WORDS = 8

# --- the organization of a desk's address ----------------------------------------------------------


def staff_hokimiyat(code: str) -> Organization | None:
    """The active hokimiyat with this code (with its city or district), or None."""
    return (
        Organization.objects.select_related("parent")
        .filter(code=code, kind=OrganizationKind.HOKIMIYAT, is_active=True)
        .first()
    )


def staff_executor_organization(code: str) -> Organization | None:
    """An organization appeals executors work at (the hokimiyat, a department, an agency), or None."""
    return (
        Organization.objects.select_related("parent").filter(code=code, kind__in=EXECUTOR_KINDS, is_active=True).first()
    )


# --- the officer's inbox ------------------------------------------------------------------------------

# The inbox's status filter: one status, every open one, or all.
STATUS_OPEN = "open"
STATUS_ALL = "all"
TERM_OVERDUE = "overdue"
TERM_WEEK = "week"


@dataclass(frozen=True)
class InboxFilters:
    """What the officer asked the inbox for (already checked against the choices: `from_query`)."""

    status: str = AppealStatus.REGISTERED
    type: str = ""
    kind: str = ""
    channel: str = ""
    topic: int | None = None
    executor: int | None = None
    term: str = ""
    similar: bool = False
    query: str = ""

    @classmethod
    def from_query(cls, data) -> InboxFilters:
        """From a GET query; what is not one of the choices is ignored (the inbox shows the default)."""

        def pick(name, values, default=""):
            value = str(data.get(name, "") or "").strip()
            return value if value in values else default

        def number(name):
            value = str(data.get(name, "") or "").strip()
            return int(value) if value.isdigit() and len(value) < 12 else None

        return cls(
            status=pick("status", [*AppealStatus.values, STATUS_OPEN, STATUS_ALL], AppealStatus.REGISTERED),
            type=pick("type", AppealType.values),
            kind=pick("kind", RequestKind.values),
            channel=pick("channel", Channel.values),
            topic=number("topic"),
            executor=number("executor"),
            term=pick("term", (TERM_OVERDUE, TERM_WEEK)),
            similar=str(data.get("similar", "")) in ("1", "on", "true"),
            query=" ".join(str(data.get("q", "") or "").split())[:QUERY_MAX],
        )

    def as_query(self) -> dict:
        """The filters as GET parameters (for the pages' links), without the defaults."""
        values = {
            "status": self.status if self.status != AppealStatus.REGISTERED else "",
            "type": self.type,
            "kind": self.kind,
            "channel": self.channel,
            "topic": self.topic or "",
            "executor": self.executor or "",
            "term": self.term,
            "similar": "1" if self.similar else "",
            "q": self.query,
        }
        return {key: value for key, value in values.items() if value}


def end_of_week(now: dt.datetime) -> dt.datetime:
    """The end of this week's Sunday in Tashkent: "due this week"."""
    today = timezone.localtime(now).date()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    return timezone.make_aware(dt.datetime.combine(sunday, dt.time.max), timezone.get_default_timezone())


def _name_variants(query: str) -> set[str]:
    """The name as typed, in the other script, with the apostrophes the catalog writes (Oʻ, Gʻ), and
    capitalised as names are (SQLite compares letters beyond ASCII case-sensitively)."""
    variants = {query, cyrillic_to_latin(query), latin_to_cyrillic(query)}
    for variant in list(variants):
        variants.add(re.sub(r"(?<=[OoGg])['‘’`]", OKINA, variant))
    for variant in list(variants):
        variants.update({variant.title(), variant.lower()})
    return {variant for variant in variants if variant}


def search_appeals(appeals: QuerySet[Appeal], query: str) -> QuerySet[Appeal]:
    """Appeals whose number, author's name or phone, or text match the query, in any script: the text is
    compared folded to one Latin form (`Appeal.search_text`), every word of the query in it."""
    query = " ".join(str(query or "").split())[:QUERY_MAX]
    if not query:
        return appeals
    match = Q(number__icontains=query)
    for name in _name_variants(query):
        match |= Q(author_name__icontains=name)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "")) - 2:
        match |= Q(author_phone__contains=digits)
    words = search_key(query).split()[:QUERY_WORDS]
    if words:
        text = Q()
        for word in words:
            text &= Q(search_text__contains=word)
        match |= text
    return appeals.filter(match)


def _filtered(appeals: QuerySet[Appeal], filters: InboxFilters, now: dt.datetime) -> QuerySet[Appeal]:
    if filters.status == STATUS_OPEN:
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif filters.status != STATUS_ALL:
        appeals = appeals.filter(status=filters.status)
    for name in ("type", "kind", "channel"):
        if getattr(filters, name):
            appeals = appeals.filter(**{name: getattr(filters, name)})
    if filters.topic:
        appeals = appeals.filter(topic_id=filters.topic)
    if filters.executor:
        appeals = appeals.filter(executor_id=filters.executor)
    if filters.term == TERM_OVERDUE:
        appeals = appeals.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif filters.term == TERM_WEEK:
        appeals = appeals.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=end_of_week(now))
    if filters.similar:
        appeals = appeals.filter(similar_to__isnull=False)
    return search_appeals(appeals, filters.query)


def inbox_order(filters: InboxFilters) -> tuple[str, bool]:
    """The inbox's sort key and whether it descends: the nearest term first; closed ones the latest closed
    first. Ties go by id, the same way (seek.py)."""
    return ("closed_at", True) if filters.status == AppealStatus.CLOSED else ("due_at", False)


# The long texts a row of the inbox never shows (of the appeal and of the similar one it names).
INBOX_UNREAD = ("text", "search_text", "published_text", "satisfaction_note", "open311_attributes")


def officer_inbox(hokimiyat: Organization, filters: InboxFilters, *, now: dt.datetime | None = None):
    """The hokimiyat's appeals the filters ask for, in the inbox's order (`inbox_order`), with what a row
    shows (topic, executor, the similar appeal's number)."""
    now = now or timezone.now()
    appeals = (
        Appeal.objects.filter(organization=hokimiyat)
        .select_related("topic", "executor", "similar_to")
        .defer(*INBOX_UNREAD, *(f"similar_to__{name}" for name in INBOX_UNREAD))
    )
    appeals = _filtered(appeals, filters, now)
    key, descending = inbox_order(filters)
    return appeals.order_by(f"-{key}", "-id") if descending else appeals.order_by(key, "id")


def officer_inbox_page(
    hokimiyat: Organization,
    filters: InboxFilters,
    position: seek.Position,
    *,
    size: int,
    now: dt.datetime | None = None,
) -> seek.SeekPage:
    """One page of the inbox at `position` (after or before a row, or by number), sought by the list's key
    through its index (Appeal.Meta.indexes), never by OFFSET past the counted rows; the list's size is
    counted up to seek.COUNT_CAP. Two queries (none for the rows when nothing matches)."""
    key, descending = inbox_order(filters)
    return seek.seek_page(
        officer_inbox(hokimiyat, filters, now=now), key=key, descending=descending, position=position, size=size
    )


class _Count(Subquery):
    """The number of rows of a queryset (up to `cap` + 1 with a cap), as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, *, cap: int | None = None, **extra):
        rows = queryset.order_by().values("pk")
        super().__init__(rows if cap is None else rows[: cap + 1], **extra)


FLAGGED_CAP = seek.COUNT_CAP


def inbox_counts(hokimiyat: Organization, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The hokimiyat's open appeals by state, overdue, due this week, repeated, and the answers flagged
    "not satisfied": one query of one scalar subquery each.

    Open appeals are counted exactly: each count reads only the open appeals' index entries it counts
    (appeal_inbox_idx per state, appeal_open_idx for the terms, appeal_open_similar_idx), and the law's
    terms keep the open ones to about two months of intake however long the history grows. The flags stay
    on closed appeals for good, so they are counted up to FLAGGED_CAP (+1 tells "more than"): the head
    needs to know there are flags to read, the list shows them the latest first."""
    now = now or timezone.now()
    appeals = Appeal.objects.filter(organization=hokimiyat)
    open_appeals = appeals.filter(status__in=OPEN_STATUSES)
    row = (
        Organization.objects.filter(pk=hokimiyat.pk)
        .values(
            registered=_Count(appeals.filter(status=AppealStatus.REGISTERED)),
            in_work=_Count(appeals.filter(status=AppealStatus.IN_WORK)),
            on_approval=_Count(appeals.filter(status=AppealStatus.ON_APPROVAL)),
            overdue=_Count(open_appeals.filter(due_at__lt=now)),
            week=_Count(open_appeals.filter(due_at__gte=now, due_at__lte=end_of_week(now))),
            similar=_Count(open_appeals.filter(similar_to__isnull=False)),
            flagged=_Count(appeals.filter(flagged_to_head=True), cap=FLAGGED_CAP),
        )
        .first()
    ) or dict.fromkeys(("registered", "in_work", "on_approval", "overdue", "week", "similar", "flagged"), 0)
    counts = {name: int(value or 0) for name, value in row.items()}
    counts["flagged_capped"] = counts["flagged"] > FLAGGED_CAP
    counts["flagged"] = min(counts["flagged"], FLAGGED_CAP)
    return counts


# --- the executor's inbox -----------------------------------------------------------------------------


def _open_assignments(organization: Organization):
    return Assignment.objects.filter(appeal=OuterRef("pk"), executor=organization, done_at__isnull=True)


def executor_inbox(organization: Organization) -> QuerySet[Appeal]:
    """Open appeals the organization has an open assignment on, the earliest of its terms first (so the
    overdue come first), each with `my_due` and `my_role` (main or co-executor)."""
    mine = _open_assignments(organization).order_by("due_at", "id")
    return (
        Appeal.objects.filter(status__in=OPEN_STATUSES)
        .filter(Exists(mine))
        .annotate(my_due=Subquery(mine.values("due_at")[:1]), my_role=Subquery(mine.values("role")[:1]))
        .select_related("organization", "topic", "executor", "similar_to")
        .order_by("my_due", "due_at", "id")
    )


def executor_counts(organization: Organization, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The organization's open assignments: how many, overdue, awaiting approval (one query)."""
    now = now or timezone.now()
    return Assignment.objects.filter(
        executor=organization, done_at__isnull=True, appeal__status__in=OPEN_STATUSES
    ).aggregate(
        assigned=Count("appeal", distinct=True),
        overdue=Count("appeal", distinct=True, filter=Q(due_at__lt=now)),
        on_approval=Count("appeal", distinct=True, filter=Q(appeal__status=AppealStatus.ON_APPROVAL)),
    )


# --- one appeal -------------------------------------------------------------------------------------


def _appeal_detail() -> QuerySet[Appeal]:
    return Appeal.objects.select_related(
        "organization",
        "organization__parent",
        "topic",
        "executor",
        "complained_body",
        "similar_to",
        "follows",
        "registered_by",
        "forward",
        "forward__to_organization",
        "forward__by",
    ).prefetch_related(
        "signatories",
        "attachments",
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("executor", "official", "assigned_by").order_by(
                "done_at", "role", "id"
            ),
        ),
        Prefetch("resolutions", queryset=Resolution.objects.select_related("author")),
        "extensions__by",
        Prefetch(
            "answers", queryset=Answer.objects.select_related("drafted_by", "approved_by").order_by("drafted_at", "id")
        ),
        Prefetch("events", queryset=Event.objects.select_related("actor").order_by("created_at", "id")),
    )


def may_see_appeal(user, appeal: Appeal, assignments=None) -> bool:
    """The hokimiyat's appeals officer (the hokim too) sees its appeals; an executor sees those its
    organization is or was assigned."""
    if access.has_role(user, Role.APPEALS_OFFICER, appeal.organization):
        return True
    mine = access.scope(user).organizations(Role.APPEALS_EXECUTOR)
    if not mine:
        return False
    if appeal.executor_id in mine:
        return True
    if assignments is None:
        return Assignment.objects.filter(appeal=appeal, executor_id__in=mine).exists()
    return any(assignment.executor_id in mine for assignment in assignments)


def appeal_for_staff(user, number: str) -> Appeal | None:
    """The appeal with this number, with everything its page shows, if the user may see it; else None."""
    number = str(number or "").strip().upper()[:24]
    appeal = _appeal_detail().filter(number=number).first()
    if appeal is None or not may_see_appeal(user, appeal, appeal.assignments.all()):
        return None
    return appeal


def staff_attachment(user, number: str, attachment_id: int) -> Attachment | None:
    """One file of an appeal the user may see (None otherwise)."""
    attachment = (
        Attachment.objects.select_related("appeal", "appeal__organization")
        .filter(pk=attachment_id, appeal__number=str(number or "").strip().upper()[:24])
        .first()
    )
    if attachment is None or not may_see_appeal(user, attachment.appeal):
        return None
    return attachment


def staff_answer(user, number: str, answer_id: int) -> Answer | None:
    """One answer (draft or letter) of an appeal the user may see (None otherwise)."""
    answer = (
        Answer.objects.select_related("appeal", "appeal__organization")
        .filter(pk=answer_id, appeal__number=str(number or "").strip().upper()[:24])
        .first()
    )
    if answer is None or not may_see_appeal(user, answer.appeal):
        return None
    return answer


# --- the head's desk -------------------------------------------------------------------------------------


def answers_to_approve(hokimiyat: Organization) -> QuerySet[Answer]:
    """Drafts awaiting the head's approval, the appeal's term nearest first."""
    return (
        Answer.objects.filter(
            appeal__organization=hokimiyat,
            appeal__status=AppealStatus.ON_APPROVAL,
            approved_at__isnull=True,
            sent_back_at__isnull=True,
        )
        .select_related("appeal", "appeal__topic", "appeal__executor", "drafted_by")
        .order_by("appeal__due_at", "drafted_at", "id")
    )


def flagged_appeals(hokimiyat: Organization) -> QuerySet[Appeal]:
    """Answered appeals whose authors said they are not satisfied, the latest answered first."""
    return (
        Appeal.objects.filter(organization=hokimiyat, flagged_to_head=True)
        .select_related("topic", "executor")
        .order_by("-closed_at", "-id")
    )


def overdue_appeals(hokimiyat: Organization, *, now: dt.datetime | None = None) -> QuerySet[Appeal]:
    """Open appeals past their term, the longest overdue first, each with `escalated` (the head was told)."""
    now = now or timezone.now()
    return (
        Appeal.objects.filter(organization=hokimiyat, status__in=OPEN_STATUSES, due_at__lt=now)
        .annotate(escalated=Exists(Event.objects.filter(appeal=OuterRef("pk"), kind=EventKind.OVERDUE)))
        .select_related("topic", "executor")
        .order_by("due_at", "id")
    )


def resolutions_given(hokimiyat: Organization) -> QuerySet[Resolution]:
    """The hokimiyat's resolutions, the latest first."""
    return (
        Resolution.objects.filter(appeal__organization=hokimiyat)
        .select_related("appeal", "appeal__executor", "author")
        .order_by("-created_at", "-id")
    )


# --- what the action forms offer ---------------------------------------------------------------------------


def _ancestor_ids(organization: Organization) -> list[int]:
    return [int(part) for part in organization.path.strip("/").split("/") if part.isdigit()]


def executor_choices(hokimiyat: Organization) -> QuerySet[Organization]:
    """Who the hokimiyat may give an appeal to, as its forms list them: itself, the departments and
    agencies of its city or district, and the agencies directly under the region above it."""
    territory = access.jurisdiction(hokimiyat)
    above = [pk for pk in _ancestor_ids(territory) if pk != territory.pk]
    return (
        Organization.objects.filter(is_active=True)
        .filter(
            Q(pk=hokimiyat.pk)
            | Q(kind=OrganizationKind.AGENCY, path__startswith=territory.path)
            | Q(kind=OrganizationKind.AGENCY, parent_id__in=above)
        )
        .order_by("kind", "name_uz", "code")
    )


def forward_choices(hokimiyat: Organization) -> QuerySet[Organization]:
    """Bodies of Darcha an appeal may be forwarded to: the other hokimiyats and the agencies."""
    return (
        Organization.objects.filter(is_active=True, kind__in=EXECUTOR_KINDS)
        .exclude(pk=hokimiyat.pk)
        .order_by("kind", "path", "name_uz")
    )


def executor_officials(organizations) -> QuerySet[User]:
    """Active appeals executors at the organizations (for naming an official on an assignment)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.APPEALS_EXECUTOR,
            memberships__organization__in=list(organizations),
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- public: the author, the archive, the statistics (a-public) ------------------------------------------
#
#   public_hokimiyats, public_hokimiyat        the hokimiyats an appeal may be addressed to (the web form)
#   author_appeal                              one appeal as its author sees it (tracking)
#   ArchiveFilters, archive_appeals, archive_appeal, archive_choices   the public archive
#   appeal_statistics                          the public statistics, per 10,000 residents by district

ARCHIVE_OUTCOMES = ("satisfied", "explained", "refused")


def public_hokimiyats() -> QuerySet[Organization]:
    """The active hokimiyats, each with its city or district and region, in the tree's order."""
    return (
        Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, is_active=True)
        .select_related("parent", "parent__parent")
        .order_by("path", "name_uz")
    )


def public_hokimiyat(code: str) -> Organization | None:
    return public_hokimiyats().filter(code=str(code or "")[:64]).first()


def author_appeal(number: str) -> Appeal | None:
    """The appeal with this number and what its author's page shows: the terms and their extensions, the
    public history, the approved answers (the letter in force last)."""
    number = str(number or "").strip().upper()[:24]
    return (
        Appeal.objects.select_related("organization", "organization__parent", "topic", "complained_body", "follows")
        .prefetch_related(
            Prefetch("extensions", queryset=Extension.objects.order_by("created_at", "id")),
            Prefetch("events", queryset=Event.objects.filter(public=True).order_by("created_at", "id")),
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(approved_at__isnull=False)
                .select_related("corrected_by")
                .order_by("approved_at", "id"),
                to_attr="approved_answers",
            ),
            Prefetch("forward", queryset=Forward.objects.select_related("to_organization")),
        )
        .filter(number=number)
        .first()
    )


@dataclass(frozen=True)
class ArchiveFilters:
    """What the archive was asked for (checked against the choices: `from_query`)."""

    topic: int | None = None
    hokimiyat: int | None = None
    outcome: str = ""

    @classmethod
    def from_query(cls, data) -> ArchiveFilters:
        def number(name):
            value = str(data.get(name, "") or "").strip()
            return int(value) if value.isdigit() and len(value) < 12 else None

        outcome = str(data.get("outcome", "") or "").strip()
        return cls(
            topic=number("topic"),
            hokimiyat=number("hokimiyat"),
            outcome=outcome if outcome in ARCHIVE_OUTCOMES else "",
        )


def _published() -> QuerySet[Appeal]:
    # Published only with the author's consent, once answered; the officer's redacted text is all it shows.
    return Appeal.objects.filter(
        published_at__isnull=False, consent_publish=True, status=AppealStatus.CLOSED, outcome__in=ARCHIVE_OUTCOMES
    ).exclude(published_text="")


def archive_appeals(filters: ArchiveFilters) -> QuerySet[Appeal]:
    """Published appeals the filters ask for, the latest published first; only the fields the archive
    shows are read (never the author's)."""
    appeals = _published()
    if filters.topic:
        appeals = appeals.filter(topic_id=filters.topic)
    if filters.hokimiyat:
        appeals = appeals.filter(organization_id=filters.hokimiyat)
    if filters.outcome:
        appeals = appeals.filter(outcome=filters.outcome)
    return appeals.select_related("organization", "topic").only(*ARCHIVE_FIELDS).order_by("-published_at", "-id")


# What the archive may read of an appeal: nothing about its author.
ARCHIVE_FIELDS = (
    "id",
    "number",
    "type",
    "kind",
    "outcome",
    "received_at",
    "closed_at",
    "published_at",
    "published_text",
    "language",  # the language the text was written and answered in (its element's lang)
    "organization__id",
    "organization__code",
    "organization__name_uz",
    "organization__name_uz_cyrl",
    "organization__name_ru",
    "organization__name_en",
    "topic__id",
    "topic__code",
    "topic__name_uz",
    "topic__name_uz_cyrl",
    "topic__name_ru",
    "topic__name_en",
)


def archive_appeal(number: str) -> Appeal | None:
    number = str(number or "").strip().upper()[:24]
    return _published().select_related("organization", "topic").only(*ARCHIVE_FIELDS).filter(number=number).first()


def archive_choices() -> dict:
    """The archive's filters: the topics and hokimiyats that have published appeals (two queries)."""
    published = _published()
    return {
        "topics": list(Topic.objects.filter(pk__in=published.values("topic_id")).order_by("order", "code")),
        "hokimiyats": list(
            Organization.objects.filter(pk__in=published.values("organization_id")).order_by("path", "name_uz")
        ),
    }


# --- the statistics ---------------------------------------------------------------------------------------

DISTRICT_KINDS = (OrganizationKind.CITY, OrganizationKind.DISTRICT)
PER_RESIDENTS = 10_000


def statistics_cutoff(today: dt.date | None = None) -> dt.datetime:
    """The statistics count what happened before the start of today in Tashkent: a day's figures do not
    move while the day goes on, so the page may be held all day (core.pagecache keys it by the day)."""
    today = today or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min), timezone.get_default_timezone())


def statistics_years(today: dt.date | None = None) -> list[int]:
    """The years the statistics may be asked for: from the first appeal's to this one."""
    today = today or timezone.localdate()
    first = Appeal.objects.filter(kind=RequestKind.APPEAL).order_by("received_at").values_list("received_at", flat=True)
    first = first.first()
    start = timezone.localtime(first).year if first else today.year
    return list(range(today.year, min(start, today.year) - 1, -1))


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def appeal_statistics(*, year: int, hokimiyat: Organization | None = None, today: dt.date | None = None) -> dict:
    """The year's appeals (kind "appeal") received before today, in a fixed number of queries:

    - `total`, `closed`, `on_time` (closed by their due date), `on_time_share` (% of the closed);
    - `by_topic`, `by_channel`: [(key, count)], largest first; `by_outcome` [(outcome, count)] of the closed;
    - `by_hokimiyat`: per hokimiyat (by name, never ranked by count): count, closed, on time, share;
    - `districts`: per city or district with its population for the year (the latest figure up to it):
      count, residents, `rate` (appeals per 10,000 residents), ranked by the rate; `unknown`: those
      without a population figure (count only, no rate).
    Outcomes and closing are as they stood before the cutoff."""
    cutoff = statistics_cutoff(today)
    start = statistics_cutoff(dt.date(year, 1, 1))
    end = min(cutoff, statistics_cutoff(dt.date(year + 1, 1, 1)))
    appeals = Appeal.objects.filter(kind=RequestKind.APPEAL, received_at__gte=start, received_at__lt=end)
    if hokimiyat is not None:
        appeals = appeals.filter(organization=hokimiyat)
    closed = Q(closed_at__lt=cutoff)
    on_time = closed & Q(closed_at__lte=F("due_at"))
    totals = appeals.aggregate(
        total=Count("pk"), closed=Count("pk", filter=closed), on_time=Count("pk", filter=on_time)
    )

    by_topic = list(appeals.values_list("topic_id").annotate(n=Count("pk")).order_by("-n", "topic_id"))
    topics = Topic.objects.in_bulk([pk for pk, _n in by_topic if pk])
    by_channel = list(appeals.values_list("channel").annotate(n=Count("pk")).order_by("-n", "channel"))
    by_outcome = list(appeals.filter(closed).values_list("outcome").annotate(n=Count("pk")).order_by("-n", "outcome"))
    per_office = {
        row["organization_id"]: row
        for row in appeals.values("organization_id").annotate(
            n=Count("pk"), closed=Count("pk", filter=closed), on_time=Count("pk", filter=on_time)
        )
    }
    offices = Organization.objects.filter(pk__in=list(per_office)).select_related("parent").order_by("name_uz")
    by_hokimiyat = []
    district_counts: dict[int, int] = {}
    for office in offices:
        row = per_office[office.pk]
        by_hokimiyat.append(
            {
                "hokimiyat": office,
                "count": row["n"],
                "closed": row["closed"],
                "on_time": row["on_time"],
                "on_time_share": _share(row["on_time"], row["closed"]),
            }
        )
        if office.parent is not None and office.parent.kind in DISTRICT_KINDS:
            district_counts[office.parent_id] = district_counts.get(office.parent_id, 0) + row["n"]

    # Every city and district with a hokimiyat takes part (none of its appeals is a rate of 0 too).
    districts = Organization.objects.filter(
        kind__in=DISTRICT_KINDS, is_active=True, children__kind=OrganizationKind.HOKIMIYAT
    ).distinct()
    if hokimiyat is not None:
        districts = districts.filter(pk=hokimiyat.parent_id)
    districts = list(districts.order_by("name_uz"))
    populations: dict[int, object] = {}
    for population in Population.objects.filter(district__in=districts, year__lte=year).order_by("district_id", "year"):
        populations[population.district_id] = population  # the latest year up to the one asked wins
    rated, unknown = [], []
    for district in districts:
        count = district_counts.get(district.pk, 0)
        population = populations.get(district.pk)
        if population is None or not population.residents:
            unknown.append({"district": district, "count": count})
            continue
        rated.append(
            {
                "district": district,
                "count": count,
                "residents": population.residents,
                "population_year": population.year,
                "rate": round(count * PER_RESIDENTS / population.residents, 2),
            }
        )
    rated.sort(key=lambda row: (-row["rate"], row["district"].name_uz))
    top = max((row["rate"] for row in rated), default=0)
    for row in rated:
        row["bar"] = round(100 * row["rate"] / top, 1) if top else 0
    return {
        "year": year,
        "cutoff": cutoff,
        "hokimiyat": hokimiyat,
        "total": totals["total"],
        "closed": totals["closed"],
        "on_time": totals["on_time"],
        "on_time_share": _share(totals["on_time"], totals["closed"]),
        "by_topic": [(topics.get(pk), n) for pk, n in by_topic],
        "by_channel": by_channel,
        "by_outcome": by_outcome,
        "by_hokimiyat": by_hokimiyat,
        "districts": rated,
        "unknown": unknown,
    }


STATISTICS_SECONDS = 3600  # the figures of a day, year and hokimiyat, shared by every process and language


def appeal_statistics_cached(*, year: int, hokimiyat: Organization | None = None) -> dict:
    """`appeal_statistics` as of today, computed once per day, year, hokimiyat and content version (a new
    population figure) and shared through the cache by every process and language."""
    from django.core.cache import cache

    from darcha.core.pagecache import content_version

    today = timezone.localdate()
    key = f"appeals:statistics:{content_version('appeals')}:{today}:{year}:{getattr(hokimiyat, 'pk', '')}"
    figures = cache.get(key)
    if figures is None:
        figures = appeal_statistics(year=year, hokimiyat=hokimiyat, today=today)
        cache.set(key, figures, STATISTICS_SECONDS)
    return figures
