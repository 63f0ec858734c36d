"""The body of a publication is rich text: HTML cleaned by nh3 (the ammonia sanitiser) against an
allow-list — paragraphs, headings, lists, emphasis, links, tables, quotes. Scripts, styles, event
attributes, `javascript:` links and everything else outside the list are dropped, with their content
where the content is code (script, style). Links get `rel="noopener noreferrer nofollow"`."""

import html
import re

import nh3

from darcha.core.translit import search_key

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark",
        "ul", "ol", "li", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "caption",
        "figure", "figcaption", "abbr", "code", "pre",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Tags whose content is code, not text: dropped whole.
CLEAN_CONTENT_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"})

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def clean_html(value: str) -> str:
    """The allow-listed HTML of `value` (idempotent: cleaning clean HTML gives it back)."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def was_changed(value: str) -> bool:
    """Whether cleaning removed something that was not just spacing or quoting (the editor is told)."""
    if not value:
        return False
    cleaned = clean_html(value)
    return _normalise(cleaned) != _normalise(value)


def _normalise(value: str) -> str:
    return _SPACE.sub("", html.unescape(value)).replace('"', "'").lower()


def has_unsafe_markup(value: str) -> bool:
    """Whether `value` holds code (script/style/event attributes/`javascript:` links)."""
    lowered = (value or "").lower()
    if any(f"<{tag}" in lowered for tag in CLEAN_CONTENT_TAGS):
        return True
    return bool(re.search(r"\son[a-z]+\s*=|javascript\s*:|vbscript\s*:|data\s*:\s*text/html", lowered))


def plain_text(value: str) -> str:
    """The text of an HTML fragment (tags dropped, entities decoded, spacing collapsed)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def search_text_of(title: str, lead: str, body: str) -> str:
    """Title, lead and body folded to one script (core.translit.search_key), padded for word matches."""
    return " " + search_key(" ".join((title or "", lead or "", plain_text(body)))) + " "
