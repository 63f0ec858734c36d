"""Absolute links: the one rule for every address Darcha prints (QR codes and text on tickets, receipts,
results, checklists) or sends (SMS, Telegram, e-mail), so that a citizen's phone can open it.

    absolute_url("/track/26-0000001/?code=123456")
    → "https://darcha.namangan.uz/track/26-0000001/?code=123456"   PUBLIC_BASE_URL set
    → "http://127.0.0.1:8101/track/26-0000001/?code=123456"        unset: where the request came in

The address is, in this order:
1. PUBLIC_BASE_URL, when set (production: the address citizens' phones reach, docs/deploy.md);
2. the address of the request being answered: `request` when the caller has it, else the one
   RequestAddressMiddleware remembers for the service functions a view calls. It is Django's
   `build_absolute_uri`: the host is checked against ALLOWED_HOSTS, X-Forwarded-Host is believed only
   with USE_X_FORWARDED_HOST, the scheme comes from SECURE_PROXY_SSL_HEADER (set in production), so a
   client cannot make Darcha print an address of its choosing;
3. outside a request (background jobs, the scheduler, commands): the address `darcha serve` was started
   with, which it records in the environment (SERVED_AT) for itself and the worker and scheduler it starts;
4. else the address `darcha serve` would be started with here: http://$HOST:$PORT (127.0.0.1:8000).
"""

from __future__ import annotations

import os
import socket
from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings

SERVED_AT = "DARCHA_SERVED_AT"  # the environment variable `darcha serve` records its address in
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 — names of "every interface", not bound here

_request: ContextVar = ContextVar("darcha_request", default=None)


def served_address(host: str, port: int | str) -> str:
    """The base address of a server listening on host:port, as another machine would open it.

    served_address("127.0.0.1", 8101) → "http://127.0.0.1:8101"; served_address("::1", 80) → "http://[::1]:80";
    a server on every interface (0.0.0.0) is reached by the machine's name."""
    host = socket.gethostname() if host in WILDCARD_HOSTS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{int(port)}"


def record_served_address(host: str, port: int | str) -> str:
    """Record where `darcha serve` serves, in this process's environment, which the worker and the scheduler it
    starts inherit: their links outside a request lead there (step 3 above)."""
    os.environ[SERVED_AT] = served_address(host, port)
    return os.environ[SERVED_AT]


def base_url(request=None) -> str:
    """The scheme and host (no trailing slash) absolute links start with, by the rule above."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/")
    request = request if request is not None else _request.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    recorded = os.environ.get(SERVED_AT, "").rstrip("/")
    if recorded:
        return recorded
    return served_address(os.environ.get("HOST", DEFAULT_HOST), os.environ.get("PORT", DEFAULT_PORT))


def absolute_url(path: str, request=None) -> str:
    """`path` (as reverse() gives it, with its query string if any) as an absolute address."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url takes a path from the site's root, not {path!r}")
    return base_url(request) + path


class RequestAddressMiddleware:
    """Remembers the request being answered, for absolute_url() called from services that take no request
    (a receipt, a result, an SMS with a link, made while a view runs). Sync and async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

    async def _acall(self, request):
        token = _request.set(request)
        try:
            return await self.get_response(request)
        finally:
            _request.reset(token)
