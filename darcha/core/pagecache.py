"""Anonymous public pages and the public read API, held per process and keyed by a content version.

A view says what content it shows (`@public_page("catalog")`, or `page_cache = PublicPage("catalog", …)` on
an API view class); an app says which models make up that content (`register_content("catalog", Service,
…)`, from its `ready()`). Every write of such a model through the service functions (`record_save`,
`record_delete` and the apps' own services) calls `content_changed`, which gives the kind a new version
in the shared cache (the database's, or Redis) inside the edit's transaction and once more after it
commits. Each process reads the versions at most once a second (`PAGE_CACHE_VERSION_SECONDS`), so an edit
reaches the pages of every process within a second, and a page served costs no query at all in between.

`PageCacheMiddleware` (above the session, CSRF, auth and messages middleware) serves a held answer to an
anonymous GET — no session or messages cookie, no Authorization header — keyed by the path and query, the
HX-Request header and the language asked for (the URL's prefix; without one, as the API chooses: `?lang=`,
the language cookie, Accept-Language), while the content's version and today's date (fees and "as of" dates
follow the day) are those it was rendered under. It needs no URL resolution for that: a request for which
nothing is held runs as always, and its answer is held only when the view that gave it (the request's
`resolver_match`) is marked and the answer is a 200 that set no cookie — so a page that used a CSRF token or
the session is never held, and staff (who have a session) never get a held page. Held answers carry an
ETag; a client that sends it back in If-None-Match gets 304 Not Modified. The security headers (Content-Security-Policy,
Permissions-Policy, nosniff, X-Frame-Options) are set on every answer, held or not, by the middleware
around this one. The held pages are bounded in number and bytes (least recently used go first). The host is
part of the key too: a page prints its own address (darcha.core.links).
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation

VERSION_KEY = "content-version:{kind}"
# Headers of a held answer that a 304 repeats (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Vary", "Content-Language", "Cache-Control")

# model label ("catalog.service") → the content kinds it is part of
_CONTENT: dict[str, set[str]] = {}


def register_content(kind: str, *models) -> None:
    """These models are part of the content `kind` (an app's `ready()`): their edits change its version."""
    for model in models:
        _CONTENT.setdefault(model._meta.label_lower, set()).add(kind)


def content_kinds(model) -> set[str]:
    return _CONTENT.get(model._meta.label_lower, set())


def _new_version() -> int:
    # Never repeats (nanoseconds), so a version lost from the cache cannot come back as an old one.
    return time.time_ns()


def content_changed(*, kind: str | None = None, model=None) -> None:
    """The content `kind` (or every kind `model` is part of) changed: a new version now, inside the
    caller's transaction (a database cache writes it with the edit), and again once the edit commits
    (so no process keeps a page rendered from the data before it)."""
    kinds = {kind} if kind else content_kinds(model) if model is not None else set()
    for name in kinds:
        _set_version(name)
        transaction.on_commit(functools.partial(_set_version, name))


def _set_version(kind: str) -> None:
    cache.set(VERSION_KEY.format(kind=kind), _new_version(), None)
    _versions.forget()


class _Versions:
    """The content versions as this process knows them, read from the shared cache at most once a second."""

    def __init__(self):
        self.values: dict[str, int] = {}
        self.read_at = -1e9
        self.lock = threading.Lock()

    def forget(self) -> None:
        self.read_at = -1e9

    def get(self, kind: str) -> int:
        return self.all()[kind]

    def fresh(self) -> dict[str, int] | None:
        """The versions if read within the last PAGE_CACHE_VERSION_SECONDS (no read of its own), else None."""
        if time.monotonic() - self.read_at < settings.PAGE_CACHE_VERSION_SECONDS:
            return self.values
        return None

    def all(self) -> dict[str, int]:
        now = time.monotonic()
        if now - self.read_at >= settings.PAGE_CACHE_VERSION_SECONDS:
            self._read(now)
        return self.values

    def _read(self, now: float) -> None:
        with self.lock:
            kinds = sorted({kind for kinds in _CONTENT.values() for kind in kinds})
            keys = {VERSION_KEY.format(kind=kind): kind for kind in kinds}
            found = cache.get_many(list(keys))
            values = {}
            for key, kind in keys.items():
                value = found.get(key)
                if value is None:  # never set, or evicted: a new one, so nothing held before counts
                    cache.add(key, _new_version(), None)
                    value = cache.get(key)
                values[kind] = value
            self.values, self.read_at = values, now


_versions = _Versions()


def content_version(kind: str) -> int:
    return _versions.get(kind)


# --- which views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    """A view whose anonymous GET answers may be held, and the content `kind` they show."""

    kind: str


def public_page(kind: str):
    """Mark a page view as showing public content of `kind` (see the module's docstring)."""

    def mark(view):
        view.page_cache = PublicPage(kind)
        return view

    return mark


def _policy(view) -> PublicPage | None:
    policy = getattr(view, "page_cache", None)
    if policy is None:  # a DRF view: the class (its as_view() function points to it)
        policy = getattr(getattr(view, "cls", None), "page_cache", None)
    return policy if isinstance(policy, PublicPage) else None


def _language(request) -> str:
    """The language asked for: a page's URL prefix; else what the API would choose (`?lang=`, the language
    cookie, Accept-Language). For an unprefixed page (Uzbek whatever is asked) the latter only keeps
    copies apart that are the same, never the same key for two different answers."""
    prefix = translation.get_language_from_path(request.path_info)
    if prefix:
        return prefix
    from .api import api_language

    return api_language(request)


# --- the held answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    kind: str
    version: int
    day: str
    etag: str
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content) + 64 * len(self.headers) + 200


class PageStore:
    """Held answers by (path, query, HX-Request), each a few languages: bounded in answers and bytes, the
    least recently used going first; safe across threads."""

    def __init__(self):
        self.entries: OrderedDict[tuple, dict[str, Held]] = OrderedDict()
        self.count = 0
        self.bytes = 0
        self.lock = threading.Lock()

    def languages(self, key: tuple) -> dict[str, Held] | None:
        with self.lock:
            held = self.entries.get(key)
            if held is not None:
                self.entries.move_to_end(key)
            return held

    def put(self, key: tuple, language: str, held: Held) -> None:
        max_entries, max_bytes = settings.PAGE_CACHE_ENTRIES, settings.PAGE_CACHE_BYTES
        if held.size > max_bytes or max_entries < 1:
            return
        with self.lock:
            languages = self.entries.setdefault(key, {})
            self.entries.move_to_end(key)
            old = languages.pop(language, None)
            if old is not None:
                self.count, self.bytes = self.count - 1, self.bytes - old.size
            languages[language] = held
            self.count, self.bytes = self.count + 1, self.bytes + held.size
            while self.count > max_entries or self.bytes > max_bytes:
                _, evicted = self.entries.popitem(last=False)
                self.count -= len(evicted)
                self.bytes -= sum(entry.size for entry in evicted.values())

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.count = self.bytes = 0


store = PageStore()


def reset() -> None:
    """Forget every held answer and the versions read (tests; a process that must start afresh)."""
    store.clear()
    _versions.forget()


def _anonymous(request) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _etag(kind: str, version: int, day: str, key: tuple) -> str:
    digest = hashlib.blake2b(repr((kind, version, day, key)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def _etag_matches(request, etag: str) -> bool:
    sent = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not sent:
        return False
    return sent.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in sent.split(",")]


def _answer(held: Held, request) -> HttpResponse:
    if _etag_matches(request, held.etag):
        response = HttpResponseNotModified()
        for name, value in held.headers:
            if name in NOT_MODIFIED_HEADERS:
                response[name] = value
        return response
    response = HttpResponse(held.content, status=held.status)
    for name, value in held.headers:
        response[name] = value
    return response


def _holdable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """Serves held answers of `public_page` views to anonymous GETs, and holds the answers it may."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not settings.PAGE_CACHE_ENABLED or not _anonymous(request):
            return self.get_response(request)
        key = (
            request.get_host(),
            request.path_info,
            request.META.get("QUERY_STRING", ""),
            request.META.get("HTTP_HX_REQUEST", ""),
        )
        languages = store.languages(key)
        language = None
        if languages:
            language = _language(request)
            held = languages.get(language)
            if held is not None and held.day == timezone.localdate().isoformat():
                if held.version == content_version(held.kind):
                    return _answer(held, request)
        # The versions as known before the view read anything: the answer shows data at least that new. Not
        # read here (most requests are of pages never held); when they are too old to be known, the answer
        # of a marked view is not held, and they are read for the next one.
        versions, day = _versions.fresh(), timezone.localdate().isoformat()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        policy = _policy(match.func) if match is not None else None
        if policy is not None and versions is None:
            _versions.all()
        elif policy is not None and policy.kind in versions and _holdable(response):
            language = language or _language(request)
            version = versions[policy.kind]
            etag = _etag(policy.kind, version, day, (*key, language))
            response["ETag"] = etag
            headers = tuple((name, value) for name, value in response.items())
            held = Held(policy.kind, version, day, etag, response.status_code, headers, response.content)
            store.put(key, language, held)
        return response
