"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

The policy allows nothing inline: every script and style sheet is a file under `static/` (the pages
have no `<script>` without `src`, no `<style>` element, no `style="…"` and no `on…=` attribute —
tests/core/test_security_headers.py walks the pages to keep it so). What the pages need beyond
'self':

- `img-src data:`  the stylesheets' small icons written as data: URLs (Swagger UI's too); QR codes
                   are inline SVG elements of the page, which img-src does not govern;
- `connect-src 'self'`  htmx's requests and the boards' event streams (EventSource) go to this server;
- `media-src 'self'`    the display board's voice clips (fetched, then played through Web Audio).

Permissions-Policy switches off every powerful feature for this site and anything it could embed;
only `autoplay` (the display board announces calls; a board runs unattended) and `fullscreen` (a
kiosk or board shown full screen) stay allowed, for this origin alone.

A view whose page needs another policy (the API's Swagger UI) says so with `@content_security_policy(…)`;
the middleware leaves a header already set alone.

Why not django-csp (which fits Django 5.2): one fixed policy without nonces is a dozen lines, django-csp
does not write Permissions-Policy anyway, and each dependency is one more pinned, hashed entry in the
lock file to keep up to date.
"""

from __future__ import annotations

import functools

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

CSP_HEADER = "Content-Security-Policy"
PERMISSIONS_HEADER = "Permissions-Policy"

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "media-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# Features a page of this site never uses: denied to it and to anything it embeds. Names as
# Chromium knows them (an unknown name only costs a console warning, but says nothing).
DENIED_FEATURES = (
    "accelerometer",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
SELF_FEATURES = ("autoplay", "fullscreen")


def policy_header(policy: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(" ".join((directive, *sources)) for directive, sources in policy.items())


def permissions_header() -> str:
    denied = [f"{feature}=()" for feature in DENIED_FEATURES]
    return ", ".join([*denied, *(f"{feature}=(self)" for feature in SELF_FEATURES)])


CONTENT_SECURITY_POLICY = policy_header(POLICY)
PERMISSIONS_POLICY = permissions_header()


def content_security_policy(**directives: tuple[str, ...]):
    """A view decorator: this view's responses carry the site's policy with `directives` replaced
    (keyword names with underscores: `style_src_attr=("'unsafe-inline'",)`)."""
    policy = {**POLICY, **{name.replace("_", "-"): tuple(sources) for name, sources in directives.items()}}
    header = policy_header(policy)

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response[CSP_HEADER] = header
            return response

        return wrapped

    return decorate


def _add_headers(response):
    response.headers.setdefault(CSP_HEADER, CONTENT_SECURITY_POLICY)
    response.headers.setdefault(PERMISSIONS_HEADER, PERMISSIONS_POLICY)
    return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response: pages, the API, the admin,
    static files served by WhiteNoise (it stands below this middleware) and error pages. Sync and
    async, so the ASGI server's event streams pass without a thread hop."""

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
        return _add_headers(self.get_response(request))

    async def _acall(self, request):
        return _add_headers(await self.get_response(request))
