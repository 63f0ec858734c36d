"""SMS through Eskiz (notify.eskiz.uz): log in with e-mail and password for a bearer token (valid
30 days, cached and renewed when refused), send with POST /api/message/sms/send, and learn the
delivery status from the callback (`callback_url`) or GET /api/message/sms/status_by_id/<id>.

Each SMS carries our idempotency key as `user_sms_id` (Eskiz echoes it in delivery reports and lists
it in the account's message history). Eskiz does not refuse a second SMS with the same id, so before
sending again after an interrupted attempt the channel looks the key up in the history
(POST /api/message/sms/get-user-messages, the minutes around the attempt) and adopts the SMS it
finds instead of sending another.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import httpapi
from .base import BaseChannel, CannotCheck, DeliveryError, Outgoing, Sent

TOKEN_CACHE_KEY = "notify:eskiz:token"  # noqa: S105 — a cache key, not a secret
TOKEN_LIFETIME = 29 * 24 * 3600  # Eskiz tokens live 30 days

# Overall and per-part status words Eskiz reports (its documentation, "СТАТУС СООБЩЕНИЯ").
DELIVERED = {"DELIVERED", "DELIVRD"}
UNDELIVERABLE = {"REJECTED", "REJECTD", "UNDELIV", "UNDELIVERABLE", "EXPIRED", "DELETED"}
HISTORY_PAGE_SIZE = 200  # the most Eskiz gives per page
HISTORY_MAX_PAGES = 10  # 2,000 SMS in the minutes around one interrupted attempt is more than a region sends
HISTORY_MARGIN = dt.timedelta(minutes=2)  # Eskiz takes minutes, to the minute, in Tashkent time


class EskizSmsChannel(BaseChannel):
    name = "eskiz"
    can_check = True

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
        if outgoing.key:
            form["user_sms_id"] = outgoing.key
        if settings.NOTIFY_ESKIZ_CALLBACK_URL:
            form["callback_url"] = settings.NOTIFY_ESKIZ_CALLBACK_URL
        answer = self._call("POST", "/api/message/sms/send", form)
        if not answer.ok or not answer.data.get("id"):
            detail = answer.data.get("message") or answer.text[:200]
            raise DeliveryError(f"Eskiz HTTP {answer.status}: {detail}", transient=httpapi.is_transient(answer.status))
        return Sent(provider_id=str(answer.data["id"]), provider_status=str(answer.data.get("status", ""))[:32])

    def find_sent(self, outgoing: Outgoing, *, since: dt.datetime) -> Sent | None:
        """The SMS with our key in the account's history around `since`, if Eskiz has it."""
        if not outgoing.key:
            return None
        start = timezone.localtime(since - HISTORY_MARGIN)
        end = timezone.localtime(timezone.now() + HISTORY_MARGIN)
        form = {
            "start_date": start.strftime("%Y-%m-%d %H:%M"),
            "to_date": end.strftime("%Y-%m-%d %H:%M"),
            "page_size": str(HISTORY_PAGE_SIZE),
            "count": "0",
        }
        for page in range(1, HISTORY_MAX_PAGES + 1):
            answer = self._call("POST", f"/api/message/sms/get-user-messages?page={page}", form)
            if httpapi.is_transient(answer.status):
                raise DeliveryError(f"Eskiz history HTTP {answer.status}: not sent again until it answers")
            if not answer.ok:
                raise CannotCheck(f"Eskiz history HTTP {answer.status}")
            data = answer.data.get("data") or {}
            rows = data.get("result") if isinstance(data, dict) else None
            for row in rows or []:
                if isinstance(row, dict) and str(row.get("user_sms_id") or "") == outgoing.key:
                    return Sent(
                        provider_id=str(row.get("request_id") or row.get("id") or ""),
                        provider_status=str(row.get("status") or "")[:32],
                    )
            last_page = data.get("last_page") if isinstance(data, dict) else None
            if not rows or not isinstance(last_page, int) or page >= last_page:
                return None
        raise CannotCheck("Eskiz history: too many messages to look through")

    def delivery_status(self, provider_id: str) -> str:
        answer = self._call("GET", f"/api/message/sms/status_by_id/{provider_id}")
        if not answer.ok:
            raise DeliveryError(f"Eskiz HTTP {answer.status}", transient=httpapi.is_transient(answer.status))
        data = answer.data.get("data") or {}
        return str(data.get("status", "") if isinstance(data, dict) else "").upper()
