"""The staff's pages of appeals: the officer's inbox, one appeal with its actions, the executor's inbox,
the head's desk, the overdue list, and registering written and oral appeals.

    desk/<hokimiyat>/                          staff_inbox         ?status= type= kind= channel= topic=
                                                                   executor= term=overdue|week similar=1 q=
                                                                   page= after=|before= (keyset: seek.py)
    desk/<hokimiyat>/head/                     staff_head          the hokim: drafts to approve, "not
                                                                   satisfied" flags, overdue, resolutions
    desk/<hokimiyat>/overdue/                  staff_overdue       ?page=
    desk/<hokimiyat>/register/                 staff_register      GET; POST the appeal (a letter with its
                                                                   scan, the hokim's reception, the hotline)
    work/<organization>/                       staff_work          an executor organization's appeals
    case/<number>/                             staff_appeal        the appeal: text, authors, files, similar
                                                                   appeal, assignments, terms, answers, history
    case/<number>/<action>/                    staff_<action>      POST: assign, resolution, forward, return,
                                                                   extend, study_notice, draft, conclusion,
                                                                   approve, send_back, publish
    case/<number>/acknowledgement/             staff_acknowledgement   number, access code, due date (print)
    case/<number>/files/<id>/                  staff_attachment    a file, for those who may see the appeal
    case/<number>/letters/<id>/                staff_letter        an approved answer's stored PDF

Who: the hokimiyat's appeals officer (the hokim includes the officer's powers) for its inbox, its
appeals and registering; the hokim for the head's desk; an appeals executor for its organization's
inbox and the appeals it is or was assigned; an operator of a center in the hokimiyat's territory may
register (`services.may_register`). Everyone else 403 at a desk; an appeal the user may not see is not
found (404); anonymous visitors the login page. Each action is one service call through `attempt()`:
done, it redirects back to the appeal with a notice; refused, the appeal's page comes back with the
message beside that action's form and the status keeps its meaning (400 bad input, 409 not possible
now, 403 not for this user). The lists cost a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.core import access
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused, attempt
from darcha.core.identifiers import mask_identifier
from darcha.core.models import Organization

from .. import seek, selectors, services, similarity
from ..choices import (
    ANSWER_OUTCOMES,
    AppealRefusal,
    AppealStatus,
    AppealType,
    Channel,
    EventKind,
    ExtensionKind,
    NotConsideredGround,
    Outcome,
    RequestKind,
)
from ..forms import (
    AssignForm,
    ConclusionForm,
    DraftForm,
    ExtendForm,
    ForwardForm,
    PublishForm,
    RegisterForm,
    ResolutionForm,
    ReturnForm,
    SendBackForm,
    StudyNoticeForm,
)
from ..letters import letter_ensure
from ..models import Appeal, Topic

log = logging.getLogger("darcha.infoservice")

PAGE_SIZE = 50
HEAD_SHOWN = 20
ROUTABLE = (AppealStatus.REGISTERED, AppealStatus.IN_WORK)
FILE_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

STATUS_FILTERS = [
    (AppealStatus.REGISTERED, gettext_lazy("To route")),
    (AppealStatus.IN_WORK, gettext_lazy("Being considered")),
    (AppealStatus.ON_APPROVAL, gettext_lazy("Awaiting approval")),
    (selectors.STATUS_OPEN, gettext_lazy("Every open appeal")),
    (AppealStatus.CLOSED, gettext_lazy("Closed")),
    (selectors.STATUS_ALL, gettext_lazy("All")),
]
TERM_FILTERS = [
    (selectors.TERM_OVERDUE, gettext_lazy("Overdue")),
    (selectors.TERM_WEEK, gettext_lazy("Due this week")),
]


# --- access -------------------------------------------------------------------------------------
def _see(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # see the page again, by GET
    return response


def _login(request, back: str):
    # After signing in, come back to a page, never to a POST-only address.
    return redirect_to_login(back if request.method == "POST" else request.get_full_path())


def hokimiyat_desk(role: str, message):
    """Open a desk of the hokimiyat in the address to those holding `role` there."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, hokimiyat: str, **kwargs):
            if not request.user.is_authenticated:
                return _login(request, reverse("infoservice:staff_inbox", args=[hokimiyat]))
            organization = selectors.staff_hokimiyat(hokimiyat)
            if organization is None:
                raise Http404(_("No such hokimiyat."))
            access.require_role(request.user, role, organization, message)
            return view(request, organization, **kwargs)

        return wrapper

    return decorate


OFFICER_ONLY = gettext_lazy("Only the hokimiyat's appeals officers and its head work at this desk.")
HEAD_ONLY = gettext_lazy("Only the hokim or a deputy works at the head's desk.")


def appeal_page(view):
    """The appeal in the address, if the user may see it (else 404)."""

    @wraps(view)
    def wrapper(request, number: str, **kwargs):
        if not request.user.is_authenticated:
            return _login(request, reverse("infoservice:staff_appeal", args=[number]))
        if not access.holds_any(request.user, access.APPEALS_STAFF):
            raise Forbidden(_("Only the appeals staff of a hokimiyat see its appeals."))
        appeal = selectors.appeal_for_staff(request.user, number)
        if appeal is None:
            raise Http404(_("No such appeal among those you may see."))
        return view(request, appeal, **kwargs)

    return wrapper


# --- terms as staff read them -------------------------------------------------------------------------
def mark_term(item, due_at: dt.datetime, now: dt.datetime, calendar: WorkingCalendar, *, is_open=True):
    """Set item.term_class (overdue, soon or "") and item.term_note (working days left, or overdue by)."""
    item.term_class, item.term_note = "", ""
    if not is_open or due_at is None:
        return item
    if due_at < now:
        days = calendar.working_days_between(due_at, now)
        item.term_class = "overdue"
        item.term_note = (
            ngettext("Overdue by %(days)d working day", "Overdue by %(days)d working days", days) % {"days": days}
            if days
            else _("Overdue")
        )
    else:
        days = calendar.working_days_between(now, due_at)
        item.term_class = "soon" if days <= 2 else ""
        item.term_note = ngettext("%(days)d working day left", "%(days)d working days left", days) % {"days": days}
    return item


def masked_phone(phone: str) -> str:
    return mask_identifier(phone, visible=4) if phone else ""


def mark_similar(appeal: Appeal) -> Appeal:
    """Set appeal.similar_kind: "text" (near-identical to the earlier appeal) or "author" (the same
    author's, whatever its text), and similar_percent."""
    appeal.similar_kind, appeal.similar_percent = "", None
    if appeal.similar_to_id:
        score = appeal.similarity or 0.0
        appeal.similar_kind = "text" if score >= similarity.threshold() else "author"
        appeal.similar_percent = f"{round(score * 100)}%"
    return appeal


class WorkingDaysSpan:
    """`working_days_between` of a calendar over the span of a page's terms and now, walked once: the
    working days up to each day, so a page of appeals overdue for months costs one walk, not one a row."""

    def __init__(self, calendar: WorkingCalendar, moments):
        days = [timezone.localtime(moment).date() for moment in moments if moment is not None]
        self.first = min(days, default=timezone.localdate())
        last = max(days, default=self.first)
        self.upto, day = [0], self.first  # upto[i]: working days d with first < d ≤ first + i
        while day < last:
            day += dt.timedelta(days=1)
            self.upto.append(self.upto[-1] + calendar.is_working_day(day))

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        begin, until = timezone.localtime(start).date(), timezone.localtime(end).date()
        if until <= begin:
            return 0
        return self.upto[(until - self.first).days] - self.upto[(begin - self.first).days]


ROW_LABELS = ("channel", "type", "kind", "status", "outcome")


def _rows(appeals, now: dt.datetime, *, due=lambda appeal: appeal.due_at):
    """Mark each row for _appeal_table.html: its term, its similar badge, the masked phone, its address
    (`staff_url`) and its choices' labels (`channel_label`, …): the labels and the address are made once per
    page, not once a row (`get_FOO_display` and `{% url %}` cost a page of 50 rows milliseconds)."""
    appeals = list(appeals)
    calendar = WorkingDaysSpan(WorkingCalendar.current(), [now, *(due(appeal) for appeal in appeals)])
    labels = {
        name: {value: str(label) for value, label in Appeal._meta.get_field(name).flatchoices} for name in ROW_LABELS
    }
    placeholder = "NUMBER"
    before, after = reverse("infoservice:staff_appeal", args=[placeholder]).split(placeholder)
    for appeal in appeals:
        mark_term(appeal, due(appeal), now, calendar, is_open=appeal.is_open)
        mark_similar(appeal)
        appeal.masked_phone = masked_phone(appeal.author_phone)
        appeal.staff_url = f"{before}{quote(appeal.number)}{after}"
        for name, choices in labels.items():
            value = getattr(appeal, name)
            setattr(appeal, f"{name}_label", choices.get(value, value))
    return appeals


# --- the officer's inbox --------------------------------------------------------------------------------
@never_cache
@require_GET
@hokimiyat_desk(Role.APPEALS_OFFICER, OFFICER_ONLY)
def staff_inbox(request, hokimiyat: Organization):
    now = timezone.now()
    filters = selectors.InboxFilters.from_query(request.GET)
    position = seek.Position.from_query(request.GET)
    page = selectors.officer_inbox_page(hokimiyat, filters, position, size=PAGE_SIZE, now=now)
    _rows(page.object_list, now)
    query = filters.as_query()
    return render(
        request,
        "infoservice/staff/inbox.html",
        {
            "hokimiyat": hokimiyat,
            "filters": filters,
            "counts": selectors.inbox_counts(hokimiyat, now=now),
            "page": page,
            "query_string": "&".join(f"{key}={value}" for key, value in _encoded(query)),
            "filtered": bool(set(query) - {"status"}) or filters.status != AppealStatus.REGISTERED,
            "statuses": STATUS_FILTERS,
            "terms": TERM_FILTERS,
            "types": AppealType.choices,
            "kinds": RequestKind.choices,
            "channels": Channel.choices,
            "topics": list(Topic.objects.filter(is_active=True)),
            "executors": list(selectors.executor_choices(hokimiyat)),
            "is_head": access.has_role(request.user, Role.HOKIM, hokimiyat),
            "may_register": services.may_register(request.user, hokimiyat),
        },
    )


def _encoded(query: dict):
    from urllib.parse import quote

    return [(key, quote(str(value))) for key, value in query.items()]


# --- the executor's inbox -----------------------------------------------------------------------------
@never_cache
@require_GET
def staff_work(request, organization: str):
    if not request.user.is_authenticated:
        return _login(request, request.get_full_path())
    place = selectors.staff_executor_organization(organization)
    if place is None:
        raise Http404(_("No such organization."))
    access.require_role(
        request.user,
        Role.APPEALS_EXECUTOR,
        place,
        _("Only the appeals executors of this organization see the appeals assigned to it."),
    )
    now = timezone.now()
    page = Paginator(selectors.executor_inbox(place), PAGE_SIZE).get_page(request.GET.get("page"))
    _rows(page.object_list, now, due=lambda appeal: appeal.my_due)
    return render(
        request,
        "infoservice/staff/work.html",
        {"organization": place, "page": page, "counts": selectors.executor_counts(place, now=now)},
    )


# --- the head's desk and the overdue list ------------------------------------------------------------
@never_cache
@require_GET
@hokimiyat_desk(Role.HOKIM, HEAD_ONLY)
def staff_head(request, hokimiyat: Organization):
    now = timezone.now()
    calendar = WorkingCalendar.current()
    drafts = list(selectors.answers_to_approve(hokimiyat)[:HEAD_SHOWN])
    for answer in drafts:
        mark_term(answer, answer.appeal.due_at, now, calendar)
    overdue = selectors.overdue_appeals(hokimiyat, now=now)
    return render(
        request,
        "infoservice/staff/head.html",
        {
            "hokimiyat": hokimiyat,
            "counts": selectors.inbox_counts(hokimiyat, now=now),
            "drafts": drafts,
            "flagged": list(selectors.flagged_appeals(hokimiyat)[:HEAD_SHOWN]),
            "overdue": _rows(list(overdue[:HEAD_SHOWN]), now),
            "resolutions": list(selectors.resolutions_given(hokimiyat)[:HEAD_SHOWN]),
            "shown": HEAD_SHOWN,
        },
    )


@never_cache
@require_GET
@hokimiyat_desk(Role.APPEALS_OFFICER, OFFICER_ONLY)
def staff_overdue(request, hokimiyat: Organization):
    now = timezone.now()
    page = Paginator(selectors.overdue_appeals(hokimiyat, now=now), PAGE_SIZE).get_page(request.GET.get("page"))
    _rows(page.object_list, now)
    return render(request, "infoservice/staff/overdue.html", {"hokimiyat": hokimiyat, "page": page})


# --- the routing model's suggestion ---------------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """The routing model's suggestion as the page shows it (the officer decides)."""

    topic: object
    executor: Organization | None
    confidence: float | None
    topic_confidence: float | None = None
    words: tuple[str, ...] = ()

    @property
    def percent(self) -> int | None:
        return round(self.confidence * 100) if self.confidence is not None else None

    @property
    def topic_percent(self) -> int | None:
        return round(self.topic_confidence * 100) if self.topic_confidence is not None else None


def routing_suggestion(appeal: Appeal) -> Shown | None:
    """What `routing_model.suggest` says of the appeal; None when no model is trained, or the model fails
    (the officer assigns by hand then)."""
    from .. import routing_model

    try:
        suggestion = routing_model.suggest(appeal)
    except Exception:  # noqa: BLE001 — a broken model must not take the appeal's page down
        log.warning("appeal %s: the routing model failed", appeal.number, exc_info=True)
        return None
    if suggestion is None:
        return None
    executor = suggestion.executor if isinstance(suggestion.executor, Organization) else None
    return Shown(
        topic=suggestion.topic,
        executor=executor,
        confidence=suggestion.executor_confidence if executor is not None else None,
        topic_confidence=suggestion.topic_confidence,
        words=tuple(suggestion.words[:8]),
    )


# --- one appeal -------------------------------------------------------------------------------------------
@dataclass
class Powers:
    """What the user may do on this appeal now, as its page offers it (the services decide)."""

    officer: bool
    head: bool
    main_executor: bool

    @classmethod
    def of(cls, user, appeal: Appeal) -> Powers:
        return cls(
            officer=access.has_role(user, Role.APPEALS_OFFICER, appeal.organization),
            head=access.has_role(user, Role.HOKIM, appeal.organization),
            main_executor=bool(appeal.executor_id) and access.has_role(user, Role.APPEALS_EXECUTOR, appeal.executor),
        )


def _pending_answer(appeal: Appeal):
    if appeal.status != AppealStatus.ON_APPROVAL:
        return None
    pending = [a for a in appeal.answers.all() if a.approved_at is None and a.sent_back_at is None]
    return pending[-1] if pending else None


def _extension_kinds(powers: Powers) -> list[str]:
    kinds = []
    if powers.officer or powers.main_executor:
        kinds.append(ExtensionKind.STUDY)
    if powers.head:
        kinds.append(ExtensionKind.HEAD)
    return kinds


def _study_noticed(appeal: Appeal) -> bool:
    return any(event.kind == EventKind.STUDY_NOTICE for event in appeal.events.all())


def available_actions(appeal: Appeal, powers: Powers) -> set[str]:
    """The actions whose forms the page shows."""
    actions = set()
    routable = appeal.status in ROUTABLE
    if powers.officer and routable:
        actions |= {"assign", "forward", "return"}
    if powers.head and routable:
        actions.add("resolution")
    if appeal.is_open and appeal.kind == RequestKind.APPEAL and _extension_kinds(powers):
        actions.add("extend")
    if (
        (powers.officer or powers.main_executor)
        and appeal.is_open
        and appeal.type == AppealType.PROPOSAL
        and appeal.kind == RequestKind.APPEAL
        and not _study_noticed(appeal)
    ):
        actions.add("study_notice")
    if powers.main_executor and appeal.status == AppealStatus.IN_WORK:
        actions.add("draft")
    if (powers.officer or powers.main_executor) and routable:
        actions.add("conclusion")
    if powers.head and _pending_answer(appeal) is not None:
        actions |= {"approve", "send_back"}
    if powers.officer and not appeal.is_open and appeal.outcome in ANSWER_OUTCOMES and appeal.consent_publish:
        actions.add("publish")
    return actions


def _executors(appeal: Appeal, suggestion: Shown | None):
    executors = selectors.executor_choices(appeal.organization)
    if suggestion is not None and suggestion.executor is not None:
        executors = executors | Organization.objects.filter(pk=suggestion.executor.pk)
    return executors.distinct()


def make_forms(appeal: Appeal, actions: set[str], powers: Powers, suggestion: Shown | None, bound=None) -> dict:
    """An unbound form per action shown (the bound one that came back refused in its place)."""
    forms = {}
    executors = _executors(appeal, suggestion)
    if "assign" in actions:
        initial = {}
        if appeal.executor_id:
            initial["executor"] = appeal.executor_id
        elif (
            suggestion is not None
            and suggestion.executor is not None
            and suggestion.executor.pk != appeal.complained_body_id
        ):
            initial.update(executor=suggestion.executor.pk, suggested=True, confidence=suggestion.confidence)
        forms["assign"] = AssignForm(
            initial=initial, executors=executors, officials=selectors.executor_officials(executors)
        )
    if "resolution" in actions:
        forms["resolution"] = ResolutionForm(
            initial={"due_date": timezone.localtime(appeal.due_at).date()}, executors=executors
        )
    if "forward" in actions:
        forms["forward"] = ForwardForm(bodies=selectors.forward_choices(appeal.organization))
    if "return" in actions:
        forms["return"] = ReturnForm()
    if "extend" in actions:
        forms["extend"] = ExtendForm(kinds=_extension_kinds(powers))
    if "study_notice" in actions:
        forms["study_notice"] = StudyNoticeForm()
    if "draft" in actions:
        forms["draft"] = DraftForm()
    if "conclusion" in actions:
        ground = services.not_considered_ground(appeal)
        forms["conclusion"] = ConclusionForm(initial={"ground": f"{Outcome.NOT_CONSIDERED}:{ground}"} if ground else {})
    if "send_back" in actions:
        forms["send_back"] = SendBackForm()
    if "publish" in actions:
        forms["publish"] = PublishForm(initial={"published_text": appeal.published_text})
    if bound is not None:
        name, form = bound
        forms[name] = form
    for name, form in forms.items():
        form.auto_id = f"{name}-%s"  # several forms on one page: their ids must not meet
    return forms


def appeal_context(request, appeal: Appeal, *, bound=None, error="", error_for="") -> dict:
    now = timezone.now()
    powers = Powers.of(request.user, appeal)
    actions = available_actions(appeal, powers)
    suggestion = routing_suggestion(appeal) if "assign" in actions else None
    calendar = WorkingCalendar.current()
    mark_term(appeal, appeal.due_at, now, calendar, is_open=appeal.is_open)
    mark_similar(appeal)
    appeal.similar_seen = appeal.similar_to_id is not None and (
        powers.officer or selectors.may_see_appeal(request.user, appeal.similar_to)
    )
    assignments = list(appeal.assignments.all())
    for assignment in assignments:
        mark_term(assignment, assignment.due_at, now, calendar, is_open=assignment.done_at is None and appeal.is_open)
    answers = list(appeal.answers.all())
    ground = services.not_considered_ground(appeal)
    return {
        "appeal": appeal,
        "powers": powers,
        "actions": actions,
        "forms": make_forms(appeal, actions, powers, suggestion, bound),
        "suggestion": suggestion,
        "assignments": assignments,
        "open_assignments": [a for a in assignments if a.done_at is None],
        "answers": answers,
        "pending": _pending_answer(appeal),
        "letters": [a for a in answers if a.approved_at],  # each letter rendered when first needed
        "signatories": list(appeal.signatories.all()),
        "attachments": list(appeal.attachments.all()),
        "resolutions": list(appeal.resolutions.all()),
        "extensions": list(appeal.extensions.all()),
        "events": list(appeal.events.all()),
        "forward": getattr(appeal, "forward", None),
        "anonymous_ground": NotConsideredGround(ground).label if ground else "",
        "error": error,
        "error_for": error_for,
        "now": now,
        "inbox_url": reverse("infoservice:staff_inbox", args=[appeal.organization.code]) if powers.officer else "",
        "work_url": reverse("infoservice:staff_work", args=[appeal.executor.code]) if powers.main_executor else "",
    }


@never_cache
@require_GET
@appeal_page
def staff_appeal(request, appeal: Appeal):
    return render(request, "infoservice/staff/appeal.html", appeal_context(request, appeal))


def _fresh(request, appeal: Appeal) -> Appeal:
    return selectors.appeal_for_staff(request.user, appeal.number) or appeal


def _act(request, appeal: Appeal, name: str, form, run, notice):
    """Validate the action's form and run its one service call: a redirect to the appeal with the notice,
    or the appeal's page again with the refusal beside the form."""

    def call():
        if form is not None and not form.is_valid():
            raise ValidationError(form.errors.as_data())
        return run(form.cleaned_data if form is not None else {})

    done = attempt(call)
    if done.ok:
        messages.success(request, notice(done.value) if callable(notice) else str(notice))
        return _see(reverse("infoservice:staff_appeal", args=[appeal.number]))
    if form is not None:
        for field, field_messages in done.field_errors.items():
            if field in form.fields and not form.has_error(field):
                form.add_error(field, field_messages)
    fresh = _fresh(request, appeal)
    context = appeal_context(
        request, fresh, bound=(name, form) if form is not None else None, error=done.message, error_for=name
    )
    return render(request, "infoservice/staff/appeal.html", context, status=done.status)


@require_POST
@appeal_page
def staff_assign(request, appeal: Appeal):
    executors = selectors.executor_choices(appeal.organization)
    chosen = request.POST.get("executor", "")
    if chosen.isdigit() and not executors.filter(pk=int(chosen)).exists():
        # The model's suggestion may name an agency elsewhere; the service decides if it may execute.
        executors = (executors | Organization.objects.filter(pk=int(chosen))).distinct()
    form = AssignForm(request.POST, executors=executors, officials=selectors.executor_officials(executors))

    def run(data):
        suggested_id = request.POST.get("suggested_executor", "")
        suggested = suggested_id.isdigit() and data["executor"].pk == int(suggested_id)
        return services.appeal_assign(
            actor=request.user,
            appeal=appeal,
            executor=data["executor"],
            official=data.get("official"),
            co_executors=list(data.get("co_executors") or ()),
            suggested=suggested,
            confidence=data.get("confidence") if suggested else None,
        )

    return _act(
        request,
        appeal,
        "assign",
        form,
        run,
        lambda done: (
            _("Appeal %(number)s is assigned to %(executor)s.") % {"number": done.number, "executor": done.executor}
        ),
    )


@require_POST
@appeal_page
def staff_resolution(request, appeal: Appeal):
    form = ResolutionForm(request.POST, executors=selectors.executor_choices(appeal.organization))

    def run(data):
        return services.appeal_resolution(
            actor=request.user,
            appeal=appeal,
            text=data["text"],
            due_at=form.due_at(),
            executors=list(data.get("executors") or ()),
        )

    return _act(request, appeal, "resolution", form, run, _("The resolution is recorded and the executors told."))


@require_POST
@appeal_page
def staff_forward(request, appeal: Appeal):
    form = ForwardForm(request.POST, bodies=selectors.forward_choices(appeal.organization))

    def run(data):
        return services.appeal_forward(
            actor=request.user,
            appeal=appeal,
            ground=data.get("ground", ""),
            to_organization=data.get("to_organization"),
            to_name=data.get("to_name", ""),
        )

    return _act(
        request,
        appeal,
        "forward",
        form,
        run,
        lambda forward: (
            _("Appeal %(number)s is forwarded to %(body)s; the author is told.")
            % {"number": appeal.number, "body": forward.to_organization or forward.to_name}
        ),
    )


@require_POST
@appeal_page
def staff_return(request, appeal: Appeal):
    form = ReturnForm(request.POST)
    return _act(
        request,
        appeal,
        "return",
        form,
        lambda data: services.appeal_return(actor=request.user, appeal=appeal, reasons=data.get("reasons", "")),
        _("The appeal is returned to the author with the reasons."),
    )


@require_POST
@appeal_page
def staff_extend(request, appeal: Appeal):
    form = ExtendForm(request.POST, kinds=_extension_kinds(Powers.of(request.user, appeal)) or None)

    def run(data):
        return services.appeal_extend(
            actor=request.user, appeal=appeal, kind=data["kind"], reason=data.get("reason", ""), until=data.get("until")
        )

    return _act(
        request,
        appeal,
        "extend",
        form,
        run,
        lambda extension: (
            _("The term is extended to %(day)s; the author is told in writing.") % {"day": _day(extension.new_due_at)}
        ),
    )


@require_POST
@appeal_page
def staff_study_notice(request, appeal: Appeal):
    form = StudyNoticeForm(request.POST)
    return _act(
        request,
        appeal,
        "study_notice",
        form,
        lambda data: services.appeal_study_notice(actor=request.user, appeal=appeal, reason=data.get("reason", "")),
        _("The author is told in writing that the proposal needs more study."),
    )


@require_POST
@appeal_page
def staff_draft(request, appeal: Appeal):
    form = DraftForm(request.POST)
    return _act(
        request,
        appeal,
        "draft",
        form,
        lambda data: services.answer_draft(
            actor=request.user, appeal=appeal, outcome=data["outcome"], text=data.get("text", "")
        ),
        _("The draft answer is sent to the head for approval."),
    )


@require_POST
@appeal_page
def staff_conclusion(request, appeal: Appeal):
    form = ConclusionForm(request.POST)

    def run(data):
        outcome, ground = form.outcome_and_ground()
        return services.answer_draft(
            actor=request.user, appeal=appeal, outcome=outcome, ground=ground, text=data.get("text", "")
        )

    return _act(request, appeal, "conclusion", form, run, _("The conclusion is sent to the head for approval."))


def _pending_or_refused(appeal: Appeal):
    answer = _pending_answer(appeal)
    if answer is None:
        raise Refused(_("No draft of this appeal is awaiting approval."), AppealRefusal.STATE)
    return answer


@require_POST
@appeal_page
def staff_approve(request, appeal: Appeal):
    return _act(
        request,
        appeal,
        "approve",
        None,
        lambda data: services.answer_approve(actor=request.user, answer=_pending_or_refused(appeal)),
        lambda answer: (
            _("The answer is approved: appeal %(number)s is closed and the letter sent.") % {"number": appeal.number}
        ),
    )


@require_POST
@appeal_page
def staff_send_back(request, appeal: Appeal):
    form = SendBackForm(request.POST)
    return _act(
        request,
        appeal,
        "send_back",
        form,
        lambda data: services.answer_send_back(
            actor=request.user, answer=_pending_or_refused(appeal), comment=data.get("comment", "")
        ),
        _("The draft is sent back to its executor."),
    )


@require_POST
@appeal_page
def staff_publish(request, appeal: Appeal):
    form = PublishForm(request.POST)
    return _act(
        request,
        appeal,
        "publish",
        form,
        lambda data: services.appeal_publish(
            actor=request.user, appeal=appeal, published_text=data.get("published_text", "")
        ),
        _("The appeal is published in the archive with the text you wrote."),
    )


def _day(moment: dt.datetime) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


# --- files ------------------------------------------------------------------------------------------------
def _file_response(field, *, name: str, content_type: str, inline: bool):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("No such file.")) from error
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Shown in the browser to be read, never run: no script, no form, no plug-in inside it.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@never_cache
@require_GET
def staff_attachment(request, number: str, attachment_id: int):
    if not request.user.is_authenticated:
        return _login(request, request.get_full_path())
    attachment = selectors.staff_attachment(request.user, number, attachment_id)
    if attachment is None:
        raise Http404(_("No such file."))
    stem = slugify(attachment.name.rsplit(".", 1)[0])[:60] or "file"
    extension = FILE_TYPES.get(attachment.content_type, "")
    return _file_response(
        attachment.file,
        name=f"{attachment.appeal.number}-{attachment.pk}-{stem}{extension}",
        content_type=attachment.content_type if attachment.content_type in FILE_TYPES else "application/octet-stream",
        inline=attachment.content_type in FILE_TYPES,
    )


@never_cache
@require_GET
def staff_letter(request, number: str, answer_id: int):
    if not request.user.is_authenticated:
        return _login(request, request.get_full_path())
    answer = selectors.staff_answer(request.user, number, answer_id)
    if answer is None or answer.approved_at is None:
        raise Http404(_("No such letter."))
    letter_ensure(answer)
    return _file_response(
        answer.file, name=f"{answer.appeal.number}-{answer.pk}.pdf", content_type="application/pdf", inline=True
    )


# --- registering a written or oral appeal -------------------------------------------------------------
def _registrar(request, hokimiyat: str) -> Organization:
    organization = selectors.staff_hokimiyat(hokimiyat)
    if organization is None:
        raise Http404(_("No such hokimiyat."))
    if not services.may_register(request.user, organization):
        raise Forbidden(
            _("Only the hokimiyat's appeals staff and the operators of a center in its territory register appeals.")
        )
    return organization


def _register_page(request, hokimiyat: Organization, form: RegisterForm, *, error="", status=200):
    return render(
        request,
        "infoservice/staff/register.html",
        {
            "hokimiyat": hokimiyat,
            "form": form,
            "error": error,
            "is_officer": access.has_role(request.user, Role.APPEALS_OFFICER, hokimiyat),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def staff_register(request, hokimiyat: str):
    if not request.user.is_authenticated:
        return _login(request, reverse("infoservice:staff_register", args=[hokimiyat]))
    organization = _registrar(request, hokimiyat)
    if request.method == "GET":
        return _register_page(request, organization, RegisterForm(initial={"channel": Channel.LETTER}))
    form = RegisterForm(request.POST, request.FILES)

    def run():
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        data = form.cleaned_data
        received_at = data.get("received_at")
        if received_at is not None and timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        return services.appeal_register(
            actor=request.user,
            organization=organization,
            text=data["text"],
            channel=data["channel"],
            type=data["type"],
            kind=data["kind"],
            author_name=data.get("author_name", ""),
            author_address=data.get("author_address", ""),
            author_phone=data.get("author_phone", ""),
            author_email=data.get("author_email", ""),
            language=data["language"],
            topic=data.get("topic"),
            signatories=form.signatory_rows(),
            attachments=data.get("attachments") or (),
            scan=data.get("scan"),
            consent_publish=data.get("consent_publish", False),
            media_outlet=data.get("media_outlet", ""),
            received_at=received_at,
        )

    done = attempt(run)
    if done.ok:
        messages.success(request, _("Appeal %(number)s is registered.") % {"number": done.value.number})
        return _see(reverse("infoservice:staff_acknowledgement", args=[done.value.number]))
    for field, field_messages in done.field_errors.items():
        if field in form.fields and not form.has_error(field):
            form.add_error(field, field_messages)
    return _register_page(request, organization, form, error=done.message, status=done.status)


@never_cache
@require_GET
def staff_acknowledgement(request, number: str):
    """What the author is handed: the number, the access code, the due date (printable). For whoever
    registered the appeal and the hokimiyat's officers."""
    if not request.user.is_authenticated:
        return _login(request, request.get_full_path())
    appeal = (
        Appeal.objects.select_related("organization", "topic").filter(number=str(number).strip().upper()[:24]).first()
    )
    allowed = appeal is not None and (
        (appeal.registered_by_id is not None and appeal.registered_by_id == request.user.pk)
        or access.has_role(request.user, Role.APPEALS_OFFICER, appeal.organization)
    )
    if not allowed:
        raise Http404(_("No such appeal among those you may see."))
    return render(
        request,
        "infoservice/staff/acknowledgement.html",
        {
            "appeal": appeal,
            "due_day": timezone.localtime(appeal.due_at).date(),
            "anonymous": services.not_considered_ground(appeal) is not None,
            "is_officer": access.has_role(request.user, Role.APPEALS_OFFICER, appeal.organization),
        },
    )


CASE = "case/<str:number>/"
urlpatterns = [
    path("desk/<slug:hokimiyat>/", staff_inbox, name="staff_inbox"),
    path("desk/<slug:hokimiyat>/head/", staff_head, name="staff_head"),
    path("desk/<slug:hokimiyat>/overdue/", staff_overdue, name="staff_overdue"),
    path("desk/<slug:hokimiyat>/register/", staff_register, name="staff_register"),
    path("work/<slug:organization>/", staff_work, name="staff_work"),
    path(CASE, staff_appeal, name="staff_appeal"),
    path(CASE + "acknowledgement/", staff_acknowledgement, name="staff_acknowledgement"),
    path(CASE + "files/<int:attachment_id>/", staff_attachment, name="staff_attachment"),
    path(CASE + "letters/<int:answer_id>/", staff_letter, name="staff_letter"),
    path(CASE + "assign/", staff_assign, name="staff_assign"),
    path(CASE + "resolution/", staff_resolution, name="staff_resolution"),
    path(CASE + "forward/", staff_forward, name="staff_forward"),
    path(CASE + "return/", staff_return, name="staff_return"),
    path(CASE + "extend/", staff_extend, name="staff_extend"),
    path(CASE + "study-notice/", staff_study_notice, name="staff_study_notice"),
    path(CASE + "draft/", staff_draft, name="staff_draft"),
    path(CASE + "conclusion/", staff_conclusion, name="staff_conclusion"),
    path(CASE + "approve/", staff_approve, name="staff_approve"),
    path(CASE + "send-back/", staff_send_back, name="staff_send_back"),
    path(CASE + "publish/", staff_publish, name="staff_publish"),
]
