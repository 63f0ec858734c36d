"""Helpers of the core tests: other processes on the test database (a server, a script), an HTML form's values,
and the languages' checker: a page's own-language text and any text of another language in it."""

from __future__ import annotations

import gettext
import html
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections import defaultdict
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import translation

from darcha.catalog.models import Category, Discount, RequiredDocument, Service, Step
from darcha.core.i18n import LANGUAGES, Translated
from darcha.core.models import Holiday, Organization
from darcha.core.translit import latin_to_cyrillic
from darcha.demo.reader import DATA
from darcha.demo.reader import LANGUAGES as DEMO_LANGUAGES

PROJECT_DIR = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def shared_database_url(folder: Path) -> str:
    """A URL other processes reach the test database by (committed rows: a transactional test). On SQLite,
    in memory, a file copy of it: from then on the other processes share the copy, not the test's database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = folder / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}/{db['NAME']}"


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "darcha.config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 — loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class WsgiServer:
    """The project served by gunicorn (one sync worker, as in production) on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log, self.port = env, log, free_port()
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def __enter__(self) -> WsgiServer:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(  # noqa: S603 — the project's own server
            [str(gunicorn), "-w", "1", "-b", f"{LOOPBACK}:{self.port}", "darcha.config.wsgi:application"],
            cwd=PROJECT_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if http_get(self.url("/health/live/"), timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise AssertionError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_python(code: str, *args: str, env: dict[str, str]) -> str:
    """Another process: `python -c code args…` with the project importable; its output."""
    result = subprocess.run(  # noqa: S603 — the test's own interpreter and code
        [sys.executable, "-c", code, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class _FormValues(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            else:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_values(html: str, form_id: str) -> list[tuple[str, str]]:
    """What a browser would submit from the form `form_id` as it stands (no submit button)."""
    parser = _FormValues(form_id)
    parser.feed(html)
    return parser.values


# --- Languages: what a page says in another language (tests/core/test_languages_walk.py) -------------------

MIN_LENGTH = 12  # interface texts: a shorter one may well be the same word in two languages
MIN_LENGTH_CONTENT = 5  # names: "Kadastr" on a Russian page is a leftover

PREFIX = {"uz": "", "uz-cyrl": "/uz-cyrl", "ru": "/ru", "en": "/en"}
# Not pages of the interface: Django's admin (its own catalogs), the API and its docs, files, streams.
SKIP = re.compile(
    r"^(/uz-cyrl|/ru|/en)?/(admin|api|static|media|health)/|\.(pdf|csv|xlsx|png|svg|mp3|ogg|js|css)$|/stream/|/logout/"
)
# The hall's board is read by everyone at once: Uzbek and Russian side by side, by design.
SKIP_VIEWS = {"queues:board"}
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# What a text of a catalog is cut into: placeholders, tags and line breaks are not part of a phrase.
PIECES = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{[^}]*\}|<[^>]*>|\n")


class PageText(HTMLParser):
    """The visible text of a page in its own language and its links: scripts and styles are left out,
    and so is what an element marks as written in another language (`lang`, as the board's second name)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.language = ""
        self._hidden = 0
        self._other: list[list] = []  # [tag, depth] of open elements in another language

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.language = (attributes.get("lang") or "").lower()
        elif self._other and self._other[-1][0] == tag:
            self._other[-1][1] += 1
        elif attributes.get("lang") and attributes["lang"].lower() != self.language:
            self._other.append([tag, 0])
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value and not self._other:
                self.parts.append(value)
            if tag == "a" and name == "href" and value:
                self.links.append(value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1
        if self._other and self._other[-1][0] == tag:
            if self._other[-1][1]:
                self._other[-1][1] -= 1
            else:
                self._other.pop()

    def handle_data(self, data):
        if not self._hidden and not self._other:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def phrases(text: str, minimum: int = MIN_LENGTH) -> set[str]:
    out = set()
    for piece in PIECES.split(html.unescape(text)):
        piece = " ".join(piece.split()).strip(" .,:;·—–-()«»“”\"'")
        if len(piece) >= minimum:
            out.add(piece)
    return out


@cache
def catalogs() -> dict[str, dict[str, str]]:
    """language → {message key: its text in the language}; English is the source (msgid)."""
    locale = Path(settings.LOCALE_PATHS[0])
    texts: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        directory = language.code.replace("-cyrl", "_Cyrl")
        with open(locale / directory / "LC_MESSAGES" / "django.mo", "rb") as file:
            catalog = gettext.GNUTranslations(file)._catalog
        own = {}
        for key, value in catalog.items():
            if not isinstance(key, str) or not key:
                key = key[0] if isinstance(key, tuple) else key
                if not key:
                    continue
            msgid = key.split("\x04", 1)[-1]
            if language.code == "en":
                own[key] = value or msgid
            elif value and value != msgid:
                own[key] = value
        texts[language.code] = own
    # English: every message has its source text, whatever the English catalog holds.
    for language in LANGUAGES:
        for key in texts[language.code]:
            texts["en"].setdefault(key, key.split("\x04", 1)[-1])
    return texts


def content_texts() -> dict[str, list[tuple[str, set[str]]]]:
    """language → [(its own value, other languages' differing values)] of the content stored per language."""
    fields = [
        (Organization, ["name", "short_name"]),
        (Category, ["name"]),
        (Service, ["name", "result"]),
        (RequiredDocument, ["name", "note"]),
        (Discount, ["name"]),
        (Step, ["name", "citizen_label"]),
        (Holiday, ["name"]),
    ]
    out = defaultdict(list)
    for model, names in fields:
        for instance in model.objects.all():
            for base in names:
                descriptor = getattr(model, base)
                assert isinstance(descriptor, Translated)
                values = {language.code: descriptor.value(instance, language.code) for language in LANGUAGES}
                for language in LANGUAGES:
                    own = values[language.code]
                    others = {v for code, v in values.items() if code != language.code and v and v != own}
                    out[language.code].append((own, others))
    return out


def demo_texts() -> dict[str, list[tuple[str, set[str]]]]:
    """language → [(its own value, other languages' differing values)] of every text of the demo's data files."""
    out = defaultdict(list)

    def visit(node):
        if isinstance(node, dict):
            if set(node) == set(DEMO_LANGUAGES) and all(isinstance(v, str) for v in node.values()):
                values = {
                    "uz": node["uz"],
                    "uz-cyrl": latin_to_cyrillic(node["uz"]),
                    "ru": node["ru"],
                    "en": node["en"],
                }
                for language, own in values.items():
                    out[language].append((own, {v for code, v in values.items() if code != language and v != own}))
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for path in sorted(Path(DATA).glob("*/*.toml")):
        visit(tomllib.loads(path.read_text(encoding="utf-8")))
    return out


def forbidden(language: str, accepted=()) -> set[str]:
    """Texts that must not appear on a page in `language` (but those `accepted`)."""
    texts = catalogs()
    own = texts[language]
    found = set()
    for key in own:
        for other, catalog in texts.items():
            if other != language and key in catalog and catalog[key] != own[key]:
                found |= phrases(catalog[key])
    own_content = []
    for value, others in content_texts()[language] + demo_texts()[language]:
        own_content.append(value)
        for other in others:
            found |= phrases(other, MIN_LENGTH_CONTENT)
    allowed = "\n".join([*own.values(), *own_content, *accepted])
    return {text for text in found if text not in allowed}


def page_key(path: str, query: str, role: str, language: str) -> tuple | None:
    try:
        with translation.override(language):  # the language prefix is matched against the active language
            match = resolve(path)
    except Resolver404:
        return None
    return (role, match.view_name, tuple(sorted({k for k, _v in parse_qsl(query)})))


def walk(client, language: str, starts: list[str], role: str, seen: set) -> dict[str, str]:
    """Visible text of every HTML page reachable from `starts` in `language`, by "url (role)"."""
    prefix = PREFIX[language]
    pages, queue = {}, list(starts)
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = page_key(parts.path, parts.query, role, language)
        if key is None or key in seen or key[1] in SKIP_VIEWS or ("", *key[1:]) in seen:
            continue  # a page the citizens' walk saw is the same page for staff
        seen.add(key)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.streaming:
            continue
        parser = PageText()
        parser.feed(response.content.decode())
        pages[f"{url} ({role or 'anonymous'})"] = parser.text()
        for link in parser.links:
            link = html.unescape(link)
            target = urlsplit(link)
            if target.scheme or target.netloc or not target.path.startswith("/") or SKIP.search(target.path):
                continue
            in_language = (
                target.path.startswith(prefix + "/")
                if prefix
                else not any(target.path.startswith(p + "/") for p in PREFIX.values() if p)
            )
            if in_language:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


def leftovers(pages: dict[str, str], language: str, accepted=()) -> list[str]:
    """ "page: text" for each text of another language found on the pages (tests/core/test_languages_walk.py)."""
    texts = forbidden(language, accepted)
    return sorted(f"{url}: {text!r}" for url, page in pages.items() for text in texts if text in page)


def page_text(html_text: str) -> str:
    """The own-language visible text of an HTML page."""
    parser = PageText()
    parser.feed(html_text)
    return parser.text()
