"""The body's allow-list: what is kept, what is dropped, what is refused as code."""

import pytest

from darcha.infoservice.publications import sanitize


def test_allowed_markup_is_kept():
    html = "<h2>Sarlavha</h2><p>Matn <strong>qalin</strong> <em>qiya</em></p><ul><li>bir</li></ul>"
    assert sanitize.clean_html(html) == html


def test_scripts_styles_and_their_content_are_dropped():
    cleaned = sanitize.clean_html("<p>ok</p><script>alert(1)</script><style>p{}</style>")
    assert cleaned == "<p>ok</p>"


def test_event_attributes_and_javascript_links_are_dropped():
    cleaned = sanitize.clean_html('<p onclick="x()">a</p><a href="javascript:alert(1)">b</a><img src=x onerror=y>')
    assert "onclick" not in cleaned and "javascript" not in cleaned and "<img" not in cleaned


def test_links_get_a_safe_rel():
    cleaned = sanitize.clean_html('<a href="https://namangan.uz" target="_blank">sayt</a>')
    assert cleaned == '<a href="https://namangan.uz" rel="noopener noreferrer nofollow">sayt</a>'


def test_cleaning_is_idempotent():
    once = sanitize.clean_html('<div><span style="color:red">Salom</span> <b>dunyo</b></div>')
    assert sanitize.clean_html(once) == once == "Salom <b>dunyo</b>"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT src=//evil></SCRIPT>",
        '<p onmouseover="steal()">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil></iframe>",
        "<svg onload=alert(1)>",
    ],
)
def test_code_is_recognised(html):
    assert sanitize.has_unsafe_markup(html)


def test_ordinary_text_is_not_code():
    assert not sanitize.has_unsafe_markup("<p>Onlayn xizmatlar haqida: kelishuv va javob</p>")


def test_search_text_folds_scripts():
    latin = sanitize.search_text_of("Yangi maktab", "", "<p>Shahar</p>")
    cyrillic = sanitize.search_text_of("Янги мактаб", "", "<p>Шаҳар</p>")
    assert latin == cyrillic == " yangi maktab shahar "
