"""The provider-facing endpoint: Eskiz posts delivery reports to NOTIFY_ESKIZ_CALLBACK_URL."""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from darcha.core.audit import SystemActor

from . import services
from .channels import EskizSmsChannel

ESKIZ = SystemActor("eskiz")


@csrf_exempt  # called by the provider, not a browser; it can only name messages by their provider id
@require_POST
def eskiz_callback(request: HttpRequest) -> JsonResponse:
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            payload = None
    else:
        payload = request.POST.dict()
    if not isinstance(payload, dict):
        return JsonResponse({"code": "invalid"}, status=400)
    # request_id is the id the send call answered with (a UUID): unguessable, so it identifies the message.
    message = services.message_provider_status(
        actor=ESKIZ,
        backend=EskizSmsChannel.name,
        provider_id=str(payload.get("request_id") or payload.get("id") or ""),
        status=str(payload.get("status") or ""),
    )
    if message is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse({"ok": True, "status": message.status})
