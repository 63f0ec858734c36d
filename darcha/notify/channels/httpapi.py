"""A small HTTP client on the standard library (no runtime dependency) for the provider APIs."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings

from .base import DeliveryError

USER_AGENT = "Darcha-notify/1"


@dataclass
class Response:
    status: int
    data: dict = field(default_factory=dict)
    text: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def request(
    method: str,
    url: str,
    *,
    form: dict | None = None,
    json_body: dict | None = None,
    headers: dict | None = None,
    provider: str = "provider",
    timeout: float | None = None,
) -> Response:
    """Send one request; any HTTP status comes back as a Response, network failures raise a
    transient DeliveryError. The URL (which may hold a token) never appears in the error.
    `timeout` (seconds) defaults to NOTIFY_TIMEOUT; a long poll needs more."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise DeliveryError(f"{provider}: only http and https URLs are allowed", transient=False)
    all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    data = None
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    http_request = urllib.request.Request(url, data=data, headers=all_headers, method=method)  # noqa: S310 — scheme checked above
    try:
        with urllib.request.urlopen(http_request, timeout=timeout or settings.NOTIFY_TIMEOUT) as answer:  # noqa: S310
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, refused or reset connections
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"{provider}: no answer ({reason})", transient=True) from None
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        parsed = {}
    return Response(status=status, data=parsed if isinstance(parsed, dict) else {"data": parsed}, text=text[:500])


def is_transient(status: int) -> bool:
    """Worth trying again later: server errors, rate limits, timeouts at a proxy."""
    return status >= 500 or status in {408, 425, 429}
