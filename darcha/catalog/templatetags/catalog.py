"""Template tags of the catalog.

{% load catalog %}
{% fee_today service as fee %}          → today's fee in so'm (None when no BRV is recorded for today)
{% fee_today service discount as fee %} → the same after the discount
{{ event.action|action_label }}         → a step's action by its name in the page's language ("Tasdiqlash")
"""

from django import template

from darcha.core.money import FeeKind
from darcha.core.templatetags.darcha import brv_today

from ..choices import Action
from ..selectors import fee_today as fee_on_day

register = template.Library()


@register.simple_tag(takes_context=True)
def fee_today(context, service, discount=None) -> int | None:
    """catalog.selectors.fee_today, with the BRV read once per request (a results page shows thirty fees)."""
    brv = None if service.fee_kind in (FeeKind.FREE, FeeKind.FIXED) else brv_today(context)
    return fee_on_day(service, discount, brv=brv)


@register.filter
def action_label(code) -> str:
    """An action's code ("request_documents") as its translated name; an unknown code as it is."""
    try:
        return str(Action(code).label)
    except ValueError:
        return str(code or "")
