"""Front office: the center's operator registers a child in the district's kindergarten queue, and the
district's staff check the privileges families claim.

    front/<center>/new/                               front_new         the application (?together=<number>)
    front/<center>/applications/<number>/             front_done        number, access code, the receipt
    privileges/<district>/                            front_privileges  privileges awaiting a decision
    privileges/<district>/<claim>/                    front_privilege   one claim with its evidence; POST decides
    privileges/<district>/<claim>/evidence/           front_evidence    the scan, to those who may decide

The application is for the operators and managers of the center in the address (core.access; others 403,
anonymous visitors the login page); its city or district is the center's, so only that district's programs
are offered. The applicant is found or registered as a Person (core.services.person_register) and the child
registered (services.application_register) in one transaction: bad input re-renders the form with the
translated messages beside their sections (400; a refusal 409), keeps what was typed and the scans that came
(cases' kept uploads, views/drafts.py), and writes nothing. The programs are listed by kindergarten and, once
the date of birth is typed, only those the child may join (ages.may_join_when_old_enough); "Show the
programs" redraws the list without JavaScript, htmx redraws it when the date changes.

Twins and siblings placed together: the second child's application names the first one's number (the done
page offers "register a sibling" with the applicant, relation and choices filled in).

Privileges are decided by the district's preschool officer and by the operators and managers of the
district's centers (they see the documents at the counter); the scan is served only to them, never from a
public address.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from darcha.cases.services import pending_uploads_discard, pending_uploads_keep
from darcha.cases.views import drafts
from darcha.cases.views.front import center_staff
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.errors import Forbidden, Refused, attempt
from darcha.core.identifiers import format_phone, validate_passport, validate_pinfl
from darcha.core.models import Organization
from darcha.core.selectors import person_find
from darcha.core.services import person_problems, person_register
from darcha.core.uploads import sniff

from .. import ages, selectors
from ..choices import Channel, PreschoolRefusal, TeachingLanguage
from ..forms import BenefitDecisionForm, FrontApplicationForm
from ..services import BenefitClaim, application_register, benefit_decide

# Which part of the form a refusal belongs beside.
REFUSAL_SECTIONS = {
    PreschoolRefusal.AGE: "choices",
    PreschoolRefusal.NOT_IN_DISTRICT: "choices",
    PreschoolRefusal.TOO_MANY_CHOICES: "choices",
    PreschoolRefusal.DUPLICATE_CHILD: "child",
    PreschoolRefusal.EVIDENCE_MISSING: "benefits",
    PreschoolRefusal.APPLICATION_CLOSED: "together",
}
PAGE_SIZE = 50
SCAN_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


# --- the district -------------------------------------------------------------------------------------------
def center_district(center: Organization) -> Organization | None:
    """The city or district a center serves (its parent in the tree), whose queue it registers children in."""
    parent = center.parent
    if parent is not None and parent.kind in (OrganizationKind.CITY, OrganizationKind.DISTRICT):
        return parent
    return None


# --- the application ----------------------------------------------------------------------------------------
def _form(request, center, district, data=None, files=None, kept=(), initial=None) -> FrontApplicationForm:
    rules = selectors.district_rules(district)
    form = FrontApplicationForm(
        data,
        files,
        district=district,
        benefits=selectors.benefits_in_force(timezone.localdate()),
        max_choices=rules.max_choices,
        kept=kept,
        initial=initial,
    )
    form.rules = rules  # the list of programs follows them too
    return form


def _birth_date(form: FrontApplicationForm):
    """The date of birth typed, if it reads as one (the list of programs follows it even on a form with errors)."""
    if form.is_bound:
        field = form.fields["birth_date"]
        try:
            return field.clean(field.widget.value_from_datadict(form.data, form.files, form.add_prefix("birth_date")))
        except ValidationError:
            return None
    return form.initial.get("birth_date")


def _birth_value(form: FrontApplicationForm) -> str:
    """The date of birth as the date input shows it: what was typed, or the initial date."""
    if form.is_bound:
        return str(form.data.get(form.add_prefix("birth_date"), ""))[:10]
    initial = form.initial.get("birth_date")
    return initial.isoformat() if initial else ""


def choices_context(form: FrontApplicationForm, district, *, teaching: str = "") -> dict:
    """The programs offered, by kindergarten: only those the child may join once the date of birth is known,
    and of the language of instruction asked for; a program already chosen stays in every list."""
    now = timezone.now()
    school_year = ages.school_year_for(now)
    birth_date = _birth_date(form)
    chosen = {str(field.value()) for field in form.choice_fields() if field.value()}
    gardens = selectors.front_programs(district, region_wide=not form.rules.district_only)
    groups, shown = [], 0
    for garden, programs in gardens:
        fitting = [
            p
            for p in programs
            if str(p.pk) in chosen
            or (
                (birth_date is None or ages.may_join_when_old_enough(p, birth_date, school_year))
                and (not teaching or p.language == teaching)
            )
        ]
        if fitting:
            groups.append({"kindergarten": garden, "programs": fitting})
            shown += len(fitting)
    entry_year = None
    if birth_date is not None:
        years = [ages.first_school_year(k, birth_date, school_year) for k in {g.kind for g, _p in gardens}]
        entry_year = min((y for y in years if y is not None), default=None)
    return {
        "program_groups": groups,
        "programs_shown": shown,
        "programs_total": sum(len(p) for _g, p in gardens),
        "birth_date": birth_date,
        "school_year": school_year,
        "reference_date": ages.reference_date(school_year),
        "entry_year": entry_year,
        "entry_date": ages.reference_date(entry_year) if entry_year else None,
        "teaching": teaching,
        "teaching_languages": TeachingLanguage.choices,
        "chosen": chosen,
    }


def _page(request, center, district, form, *, status=200, notice="", found=None, draft="", show_errors=True):
    teaching = request.POST.get("teaching", "") if request.method == "POST" else request.GET.get("teaching", "")
    if teaching not in TeachingLanguage.values:
        teaching = ""
    context = {
        "center": center,
        "district": district,
        "form": form,
        "errors": getattr(form, "section_errors", {}),
        "notice": notice,
        "found": found,
        "draft": draft,
        "show_errors": show_errors and form.is_bound,
        "birth_value": _birth_value(form),
        "refresh_params": ",".join(
            ["csrfmiddlewaretoken", "refresh", "birth_date", "teaching", *(f.html_name for f in form.choice_fields())]
        ),
        **choices_context(form, district, teaching=teaching),
    }
    return render(request, "preschool/front/new.html", context, status=status)


def _sent_back(request, center, district, form, draft, *, status, **page):
    """The form again, keeping the scans that came with this post for the next try (cases' kept uploads).
    A new scan for a category replaces the one kept for it before."""
    kept, errors = pending_uploads_keep(actor=request.user, draft=draft, uploads=form.new_uploads())
    replaced = {row.field for row in kept}
    stale = [row.pk for row in form.kept if row.field in replaced]
    if stale:
        pending_uploads_discard(actor=request.user, draft=draft, ids=stale)
    form.keep(kept, errors)
    return _page(request, center, district, form, status=status, draft=draft.token, **page)


def _place_refusal(form: FrontApplicationForm, done) -> None:
    """A refused registration's messages beside the part of the form they concern."""
    error = done.error
    if isinstance(error, ValidationError) and hasattr(error, "error_dict") and "together_with" in error.error_dict:
        fields = dict(error.error_dict)
        fields["together"] = fields.pop("together_with")
        form.add_service_errors(ValidationError(fields))
        return
    if isinstance(error, Refused) and not isinstance(error, Forbidden) and error.code in REFUSAL_SECTIONS:
        if not hasattr(form, "section_errors"):
            form.section_errors = {}
        form.section_errors.setdefault(REFUSAL_SECTIONS[error.code], []).append(error.message)
    else:
        form.add_refusal(done)


def _find_person(data) -> tuple:
    """The registered applicant of the typed PINFL or passport, or None; and messages on malformed numbers."""
    values, errors = {}, {}
    for field, validator in (("pinfl", validate_pinfl), ("passport", validate_passport)):
        raw = str(data.get(field) or "").strip()
        if raw:
            try:
                values[field] = validator(raw)
            except ValidationError as error:
                errors[field] = error.messages
    if not values and not errors:
        errors["pinfl"] = [_("Type the applicant's PINFL or passport number to search.")]
    return (person_find(kind=PersonKind.INDIVIDUAL, **values) if values else None), errors


def _together_initial(request, district) -> dict:
    """A sibling's application to be placed together with: its applicant, relation and choices filled in."""
    number = request.GET.get("together", "").strip().upper()[:16]
    sibling = selectors.front_sibling(district, number) if number else None
    if sibling is None:
        return {}
    person = sibling.applicant
    initial = {
        "pinfl": person.pinfl or "",
        "passport": person.passport or "",
        "name": person.name,
        "phone": format_phone(sibling.phone) if sibling.phone else "",
        "language": sibling.language,
        "relation": sibling.relation,
        "together": sibling.number,
        "staff_at": sibling.staff_at_id,
    }
    for preference in sibling.preferences.all():
        initial[f"choice_{preference.rank}"] = preference.program_id
    return initial


@never_cache
@center_staff
def front_new(request, center: Organization):
    district = center_district(center)
    if district is None:
        return render(request, "preschool/front/no_district.html", {"center": center}, status=409)
    if request.method == "GET":
        form = _form(request, center, district, initial=_together_initial(request, district))
        return _page(request, center, district, form)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})

    draft, kept = drafts.resume(request, request.user)
    form = _form(request, center, district, request.POST, request.FILES, kept=kept)
    if request.POST.get("find"):
        return _find_applicant(request, center, district, form, draft)
    if request.POST.get("refresh"):
        # Only the list of programs is redrawn: nothing was submitted, so no messages.
        form.full_clean()
        form._errors = ErrorDict()
        return _sent_back(request, center, district, form, draft, status=200, show_errors=False)

    if not form.is_valid():
        # The applicant's problems too, so that one try shows all of them.
        for field, problems in person_problems(**_person_input(request.POST)).items():
            for message in problems:
                if message not in form.errors.get(field, []):
                    form.add_error(field, message)
        return _sent_back(request, center, district, form, draft, status=400)

    done = attempt(lambda: _register(request.user, center, district, form))
    if not done.ok:
        _place_refusal(form, done)
        return _sent_back(request, center, district, form, draft, status=done.status)
    # The scans now belong to the application (stored again by the service): the draft's copies go.
    pending_uploads_discard(actor=request.user, draft=draft)
    application = done.value
    messages.success(
        request,
        _("%(child)s is in the kindergarten queue: number %(number)s. Print the receipt for the applicant.")
        % {"child": application.child.name, "number": application.number},
    )
    response = HttpResponseRedirect(reverse("preschool:front_done", args=[center.code, application.number]))
    response.status_code = 303
    return response


def _person_input(data) -> dict:
    return {
        "kind": PersonKind.INDIVIDUAL,
        "name": data.get("name", ""),
        "pinfl": data.get("pinfl", ""),
        "passport": data.get("passport", ""),
        "phone": data.get("phone", ""),
    }


def _register(actor, center, district, form: FrontApplicationForm):
    """The applicant found or registered and the child registered, in one transaction: a refusal of the
    application leaves no new or changed Person behind."""
    data = form.cleaned_data
    claims = [
        BenefitClaim(
            benefit=benefit,
            evidence_reference="" if benefit.center_obtains else data.get(f"reference_{benefit.pk}", "").strip(),
            evidence_file=None if benefit.center_obtains else form.evidence_file(benefit),
            obtained_by_center=benefit.center_obtains,
        )
        for benefit in form.claimed()
    ]
    together_with = None
    if data["together"]:
        together_with = selectors.front_sibling(district, data["together"])
        if together_with is None:
            raise ValidationError(
                {"together": _("No application of this city or district has this number.")}, code="together"
            )
    with transaction.atomic():
        applicant = person_register(actor=actor, **form.person_data())
        return application_register(
            actor=actor,
            child_name=data["child_name"],
            birth_date=data["birth_date"],
            birth_certificate=data["birth_certificate"],
            child_pinfl=data["child_pinfl"] or None,
            applicant=applicant,
            relation=data["relation"],
            phone=data["phone"],
            language=data["language"],
            district=district,
            choices=form.choices(),
            benefits=claims,
            staff_at=data["staff_at"],
            together_with=together_with,
            channel=Channel.FRONT_OFFICE,
            center=center,
        )


def _find_applicant(request, center, district, form, draft):
    """Look the applicant up by PINFL or passport and fill in what is known; nothing is written."""
    person, errors = _find_person(request.POST)
    data = request.POST.copy()
    notice = ""
    if person is not None:
        data["name"] = person.name
        data["phone"] = format_phone(person.phone) if person.phone else data.get("phone", "")
        data["language"] = person.language
        notice = _("A registered applicant was found. Check the name and phone with the applicant.")
    elif not errors:
        notice = _("No applicant with this number is registered yet. They are registered with the application.")
    form = _form(request, center, district, data, request.FILES, kept=form.kept)
    form.full_clean()
    form._errors = ErrorDict()  # a lookup is not a submission: only the identifier's own messages
    for field, messages_list in errors.items():
        form.add_error(field, messages_list)
    return _sent_back(
        request,
        center,
        district,
        form,
        draft,
        status=400 if errors else 200,
        notice=notice,
        found=person,
        show_errors=False,
    )


@never_cache
@require_GET
@center_staff
def front_done(request, center: Organization, number: str):
    application = selectors.front_application(center, number)
    if application is None:
        raise Http404(_("No such kindergarten application registered at this center."))
    return render(
        request,
        "preschool/front/done.html",
        {
            "center": center,
            "application": application,
            "preferences": list(application.preferences.all()),
            "benefits": list(application.benefits.all()),
            "sibling_url": reverse("preschool:front_new", args=[center.code]) + f"?together={application.number}",
        },
    )


# --- privilege checks ---------------------------------------------------------------------------------------
def privilege_checkers(view):
    """The district of the address, for its preschool officers and its centers' operators and managers."""

    @wraps(view)
    def wrapper(request, district: str, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("preschool:front_privileges", args=[district]))
        area = get_object_or_404(
            Organization, code=district, kind__in=[OrganizationKind.CITY, OrganizationKind.DISTRICT]
        )
        if not selectors.may_check_benefits(request.user, area):
            raise Forbidden(
                _("Only the district's preschool department and the operators of its centers check privileges.")
            )
        return view(request, area, **kwargs)

    return wrapper


def _claim(request, district, claim_id: int):
    claim = selectors.benefit_claim(district, claim_id)
    if claim is None:
        raise Http404(_("No such claimed privilege in this city or district."))
    return claim


@never_cache
@require_GET
@privilege_checkers
def front_privileges(request, district: Organization):
    benefits = list(selectors.benefits_in_force(timezone.localdate()))
    category = request.GET.get("category", "")
    chosen = next((b for b in benefits if b.code == category), None)
    claims = selectors.benefit_claims_pending(district)
    if chosen is not None:
        claims = claims.filter(benefit=chosen)
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "preschool/front/privileges.html",
        {
            "district": district,
            "page": page,
            "claims": list(page),
            "benefits": benefits,
            "category": chosen.code if chosen else "",
        },
    )


def _claim_page(request, district, claim, form, *, status=200, error=""):
    return render(
        request,
        "preschool/front/privilege.html",
        {
            "district": district,
            "claim": claim,
            "application": claim.application,
            "form": form,
            "error": error,
            "scan_type": _scan_type(claim),
        },
        status=status,
    )


@never_cache
@privilege_checkers
def front_privilege(request, district: Organization, claim_id: int):
    claim = _claim(request, district, claim_id)
    if request.method == "GET":
        return _claim_page(request, district, claim, BenefitDecisionForm())
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = BenefitDecisionForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, district, claim, form, status=400)
    done = attempt(
        lambda: benefit_decide(actor=request.user, claim=claim, confirm=form.confirm, note=form.cleaned_data["note"])
    )
    if not done.ok:
        if isinstance(done.error, ValidationError):
            form.add_service_errors(done.error)
            return _claim_page(request, district, claim, form, status=done.status)
        return _claim_page(request, district, claim, form, status=done.status, error=done.message)
    if form.confirm:
        notice = _("The privilege of %(child)s is confirmed: it counts from the next allocation.")
    else:
        notice = _("The privilege of %(child)s is rejected; the family is told why.")
    messages.success(request, notice % {"child": claim.application.child.name})
    response = HttpResponseRedirect(reverse("preschool:front_privileges", args=[district.code]))
    response.status_code = 303
    return response


def _scan_type(claim) -> str | None:
    """The scan's type read from its first bytes (checked at upload; read again, not trusted from a name)."""
    if not claim.evidence_file:
        return None
    try:
        with claim.evidence_file.open("rb") as handle:
            return sniff(handle.read(16))
    except FileNotFoundError:
        return None


@never_cache
@require_GET
@privilege_checkers
def front_evidence(request, district: Organization, claim_id: int):
    claim = _claim(request, district, claim_id)
    kind = _scan_type(claim)
    if kind is None:
        raise Http404(_("No scan of the evidence is kept for this privilege."))
    response = FileResponse(
        claim.evidence_file.open("rb"),
        as_attachment=False,
        filename=f"{claim.application.number}-evidence-{claim.pk}{SCAN_TYPES[kind]}",
        content_type=kind,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Shown in the browser to be read, never run: no script, no form, no plug-in inside it.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response


# --- the desk panel -----------------------------------------------------------------------------------------
def desk_panel(request, membership) -> dict:
    """The operator's desk: the kindergarten application at the center and the privileges to check in its
    district; a preschool officer's: the privileges to check in the district."""
    organization = membership.organization
    if organization.kind == OrganizationKind.CENTER:
        district = center_district(organization)
        new_url = reverse("preschool:front_new", args=[organization.code]) if district else ""
    else:
        district = organization.parent if organization.parent_id else None
        new_url = ""
    return {
        "membership": membership,
        "district": district,
        "new_url": new_url,
        "pending": selectors.benefit_claims_pending(district).count() if district else 0,
        "privileges_url": reverse("preschool:front_privileges", args=[district.code]) if district else "",
    }


urlpatterns = [
    path("front/<slug:center>/new/", front_new, name="front_new"),
    path("front/<slug:center>/applications/<str:number>/", front_done, name="front_done"),
    path("privileges/<slug:district>/", front_privileges, name="front_privileges"),
    path("privileges/<slug:district>/<int:claim_id>/", front_privilege, name="front_privilege"),
    path("privileges/<slug:district>/<int:claim_id>/evidence/", front_evidence, name="front_evidence"),
]
