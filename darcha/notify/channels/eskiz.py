"""SMS through Eskiz (notify.eskiz.uz): log in with e-mail and password for a bearer token (valid
30 days, cached and renewed when refused), send with POST /api/message/sms/send, and learn the
delivery status from the callback (`callback_url`) or GET /api/message/sms/status_by_id/<id>."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from . import httpapi
from .base import BaseChannel, DeliveryError, Outgoing, Sent

TOKEN_CACHE_KEY = "notify:eskiz:token"  # noqa: S105 — a cache key, not a secret
TOKEN_LIFETIME = 29 * 24 * 3600  # Eskiz tokens live 30 days

# Overall and per-part status words Eskiz reports (its documentation, "СТАТУС СООБЩЕНИЯ").
DELIVERED = {"DELIVERED", "DELIVRD"}
UNDELIVERABLE = {"REJECTED", "REJECTD", "UNDELIV", "UNDELIVERABLE", "EXPIRED", "DELETED"}


class EskizSmsChannel(BaseChannel):
    name = "eskiz"

    @property
    def base(self) -> str:
        return settings.NOTIFY_ESKIZ_URL.rstrip("/")

    def _login(self) -> str:
        answer = httpapi.request(
            "POST",
            f"{self.base}/api/auth/login",
            form={"email": settings.NOTIFY_ESKIZ_EMAIL, "password": settings.NOTIFY_ESKIZ_PASSWORD},
            provider="Eskiz",
        )
        token = (answer.data.get("data") or {}).get("token") if answer.ok else None
        if not token:
            # Wrong credentials are retried too: an administrator may fix them within the retry window.
            raise DeliveryError(f"Eskiz login refused: HTTP {answer.status} {answer.data.get('message', '')}".strip())
        cache.set(TOKEN_CACHE_KEY, token, TOKEN_LIFETIME)
        return token

    def _call(self, method: str, path: str, form: dict | None = None) -> httpapi.Response:
        token = cache.get(TOKEN_CACHE_KEY) or self._login()
        for attempt in (1, 2):
            answer = httpapi.request(
                method, f"{self.base}{path}", form=form, headers={"Authorization": f"Bearer {token}"}, provider="Eskiz"
            )
            if answer.status != 401 or attempt == 2:
                return answer
            cache.delete(TOKEN_CACHE_KEY)  # expired or revoked: log in again once
            token = self._login()
        raise AssertionError("unreachable")

    def send(self, outgoing: Outgoing) -> Sent:
        form = {
            "mobile_phone": outgoing.address.lstrip("+"),  # Eskiz wants digits only: 998901234567
            "message": outgoing.body,
            "from": settings.NOTIFY_ESKIZ_FROM,
        }
        if settings.NOTIFY_ESKIZ_CALLBACK_URL:
            form["callback_url"] = settings.NOTIFY_ESKIZ_CALLBACK_URL
        answer = self._call("POST", "/api/message/sms/send", form)
        if not answer.ok or not answer.data.get("id"):
            detail = answer.data.get("message") or answer.text[:200]
            raise DeliveryError(f"Eskiz HTTP {answer.status}: {detail}", transient=httpapi.is_transient(answer.status))
        return Sent(provider_id=str(answer.data["id"]), provider_status=str(answer.data.get("status", ""))[:32])

    def delivery_status(self, provider_id: str) -> str:
        answer = self._call("GET", f"/api/message/sms/status_by_id/{provider_id}")
        if not answer.ok:
            raise DeliveryError(f"Eskiz HTTP {answer.status}", transient=httpapi.is_transient(answer.status))
        data = answer.data.get("data") or {}
        return str(data.get("status", "") if isinstance(data, dict) else "").upper()
