"""Template helpers shared by every page: money, masking, icons, desk panels, fees.

After {% load darcha %}:
    {{ amount|som }}                    → 412 000 soʻm (translated unit; "" for None)
    {{ person.pinfl|mask }}             → 3120…1234
    {% icon "home" %}                   → inline <svg> using static/img/icons.svg
    {% render_panel template context %} → a desk panel rendered with the page's context plus its own
    {% brv_today as brv %}              → the BRV in force today (fees: {% load catalog %}{% fee_today … %})
    {{ service|fee_basis }}             → "1 × BRV", "20 % of BRV" ("" for free and fixed fees)
    {{ org.phone|phone }}               → +998 69 234 56 78
    {{ entry.actor_label|actor_name }}  → who a system actor is, in the page's language ("citizen" → Ariza beruvchi)
    {% public_center as center %}       → the first active public service center (checklists)
    {% opening_summary center as rows %} → [HoursRow(days="Mon–Fri", opens, closes), …]
    {% language_url "ru" %}             → this page's address in another language (/ru/services/…?q=…)
    {% absolute_url path %}             → https://darcha.namangan.uz/path (printed links: darcha.core.links)
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.templatetags.static import static
from django.urls import translate_url
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from darcha.core.audit import actor_name as system_actor_name
from darcha.core.i18n import LANGUAGES
from darcha.core.identifiers import format_phone, mask_identifier
from darcha.core.money import FeeKind, NoBaseAmount, brv_on, format_som

register = template.Library()

# The symbols drawn in static/img/icons.svg; a category's `icon` outside this set shows "document".
ICONS = frozenset(
    """window search home land map family child id-card passport briefcase building construction crane heart
    health education car tax coins document scales scale water bolt leaf globe online phone clock calendar pin
    check print users user ticket shield list arrow-right info alert settings code login logout desk
    parallel""".split()
)


@register.simple_tag(takes_context=True)
def language_url(context, language: str) -> str:
    """The address of the page being shown, in `language` (its /<lang>/ prefix; none for Uzbek Latin), with
    its query: the language switcher's links, so an anonymous page needs no form, token or cookie."""
    request = context.get("request")
    return translate_url(request.get_full_path(), language) if request is not None else ""


@register.filter
def som(amount) -> str:
    """An amount of so'm, grouped, with the currency in the current language."""
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    return _("%(amount)s so'm") % {"amount": format_som(value)}


@register.filter
def html_lang(code) -> str:
    """A stored language code ("uz-cyrl") as the BCP 47 tag of an element's `lang` ("uz-Cyrl"): for what a
    citizen wrote, shown as written."""
    return next((language.html for language in LANGUAGES if language.code == code), "")


@register.filter
def actor_name(label) -> str:
    """The label of a system actor kept in a record, as people read it (core.audit.actor_name)."""
    return system_actor_name(str(label or ""))


@register.filter
def mask(value, visible: int = 4) -> str:
    """A PINFL, passport or other identifier shortened to its first and last digits."""
    return mask_identifier(value, int(visible))


@register.simple_tag(takes_context=True)
def render_panel(context, template_name: str, panel_context: dict | None = None):
    """Render one desk panel: the page's context (request, user, language, csrf) plus its own.

    A user holding two roles in one organization (operator and center manager, say) would see
    the very same panel twice; the second time it is replaced by a one-line reference.
    """
    panel_context = panel_context or {}
    membership = context.get("membership")
    rendered = context.render_context.setdefault("darcha_rendered_panels", [])
    for earlier_template, earlier_context, earlier_role in rendered:
        if earlier_template == template_name and earlier_context == panel_context:
            return format_html(
                '<p class="panel-note">{}</p>', _("The same as under “%(role)s” above.") % {"role": earlier_role}
            )
    rendered.append((template_name, panel_context, membership.get_role_display() if membership else ""))
    panel_template = context.template.engine.get_template(template_name)
    with context.push(panel_context):
        return panel_template.render(context)


@register.simple_tag
def icon(name: str, css_class: str = "", label: str = ""):
    """An icon from the project's sprite; decorative unless a label is given."""
    name = name if name in ICONS else "document"
    classes = f"icon {css_class}".strip()
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false"><use href="{}#i-{}"></use></svg>',
            classes,
            label,
            static("img/icons.svg"),
            name,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#i-{}"></use></svg>',
        classes,
        static("img/icons.svg"),
        name,
    )


def _brv_today(context) -> int | None:
    """The BRV in force today, read once per request (a results page shows thirty fees)."""
    holder = context.get("request")
    day = timezone.localdate()
    cache = getattr(holder, "_darcha_brv", None) if holder is not None else None
    if cache is not None and cache[0] == day:
        return cache[1]
    try:
        amount = brv_on(day)
    except NoBaseAmount:
        amount = None
    if holder is not None:
        holder._darcha_brv = (day, amount)
    return amount


@register.simple_tag(takes_context=True)
def brv_today(context) -> int | None:
    """{% brv_today as brv %}: the base calculation amount in force today (None if not recorded)."""
    return _brv_today(context)


def _plain_number(value) -> str:
    number = Decimal(str(value or 0)).normalize()
    return formats.number_format(Decimal(f"{number:f}"), use_l10n=True)


@register.filter
def fee_basis(service) -> str:
    """How a BRV-based fee is defined: "1 × BRV" or "20 % of BRV"."""
    if service.fee_kind == FeeKind.BRV_MULTIPLE:
        return _("%(value)s × BRV") % {"value": _plain_number(service.fee_value)}
    if service.fee_kind == FeeKind.BRV_PERCENT:
        return _("%(value)s %% of BRV") % {"value": _plain_number(service.fee_value)}
    return ""


@register.filter
def percent(value) -> str:
    """A percentage without trailing zeros: 50.00 → 50."""
    return _plain_number(value)


@register.simple_tag
def site_subtitle() -> str:
    """The region (or other top organization) this installation serves, under the Darcha name."""
    from darcha.core.models import Organization

    root = Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()
    return root.name if root is not None else _("Public services")


@register.filter
def phone(value) -> str:
    """An E.164 number in its readable international form."""
    return format_phone(value) if value else ""


@register.simple_tag
def public_center():
    """The first active public service center, with its opening hours prefetched."""
    from darcha.core.choices import OrganizationKind
    from darcha.core.models import Organization

    return (
        Organization.objects.filter(kind=OrganizationKind.CENTER, is_active=True)
        .prefetch_related("opening_hours")
        .order_by("path")
        .first()
    )


@register.simple_tag
def opening_summary(center) -> list:
    """A center's week, with weekdays of equal hours run together."""
    from darcha.core.desk_panels import opening_summary as summarise

    return summarise(list(center.opening_hours.all())) if center is not None else []


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """A page's address to print (a checklist's foot): PUBLIC_BASE_URL, else where the request came in."""
    from darcha.core import links

    return links.absolute_url(path, context.get("request"))
