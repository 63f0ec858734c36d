"""The routing model's page, for administrators:

    routing/            routing_model      the current model (when trained, appeals learnt from, held-out
                                           accuracy of the topic and the executor, training time), the
                                           models before it, how many appeals there are to learn from now
    routing/retrain/    routing_retrain    POST: queue a training now (a background task)

Who: anyone holding Role.ADMINISTRATOR (the model learns from every hokimiyat's appeals and shows only
figures, no appeal); everyone else 403, anonymous visitors the login page. Administrators' desks get a
panel with the model in use and a link here (registered on import, from InfoserviceConfig.ready()).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.errors import Forbidden

from .. import routing_jobs, routing_model
from ..choices import Outcome
from ..models import Appeal, RoutingModel

ADMINISTRATORS_ONLY = gettext_lazy("Only administrators see the routing model.")
HISTORY = 10


def _administrator(request):
    """None when the user may see the page; else the response (the login page)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.holds_any(request.user, Role.ADMINISTRATOR):
        raise Forbidden(ADMINISTRATORS_ONLY)
    return None


def _learnable() -> int:
    """Appeals the next training would learn from (capped as training_samples caps them)."""
    count = (
        Appeal.objects.filter(topic__isnull=False, executor__isnull=False).exclude(outcome=Outcome.FORWARDED).count()
    )
    return min(count, routing_model.max_samples())


@never_cache
@require_GET
def routing_model_page(request):
    refused = _administrator(request)
    if refused is not None:
        return refused
    models = list(RoutingModel.objects.defer("blob").order_by("-trained_at", "-pk")[:HISTORY])
    current = next((model for model in models if model.is_current), None) or routing_model.current_model()
    learnable = _learnable()
    hours = routing_model.retrain_hours()
    context = {
        "current": current,
        "earlier": [model for model in models if not model.is_current],
        "learnable": learnable,
        "least": routing_model.min_samples(),
        "too_few": learnable < routing_model.min_samples(),
        "pending": routing_jobs.retrain_pending(),
        "every_hours": hours,
        "every_days": hours // 24 if hours % 24 == 0 else None,
    }
    return render(request, "infoservice/routing/model.html", context)


@require_POST
def routing_retrain(request):
    refused = _administrator(request)
    if refused is not None:
        return refused
    if routing_jobs.retrain_enqueue(request.user.pk):
        messages.success(request, _("The training is queued; the new model is used as soon as it is ready."))
    else:
        messages.error(request, _("The training could not be queued now; try again later."))
    return HttpResponseRedirect(reverse("infoservice:routing_model"), status=303)


def desk_panel(request, membership) -> dict:
    return {"current": routing_model.current_model(), "page_url": reverse("infoservice:routing_model")}


register_panel([Role.ADMINISTRATOR], "infoservice/routing/panel.html", desk_panel, order=40)

urlpatterns = [
    path("routing/", routing_model_page, name="routing_model"),
    path("routing/retrain/", routing_retrain, name="routing_retrain"),
]
