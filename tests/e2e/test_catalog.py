import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# A word of each language's interface that the home page must show once switched.
LANGUAGES = {"ru": "Услуги", "uz-cyrl": "Хизмат", "en": "Services", "uz": "Xizmat"}


def test_home_in_all_four_languages(page, shot):
    page.goto("/")
    for code, word in LANGUAGES.items():
        page.locator(f"[data-lang='{code}']").first.click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("body")).to_contain_text(word)
        shot(page, f"home-{code}")
    expect(page).to_have_url(re.compile(r"/$"))


def test_search_then_open_a_service(page, shot):
    page.goto("/ru/services/")
    search = page.locator("input[name='q']").first
    search.fill("кадастр")
    results = page.locator("#results")
    expect(results).not_to_contain_text("рождения")  # birth registration is filtered out live, by htmx
    expect(results).to_contain_text(re.compile("кадастров", re.I))
    assert "q=" in page.url  # the search is in the address bar, so it can be shared and reloaded
    shot(page, "search-ru")
    results.get_by_role("link", name=re.compile("кадастров.{0,3} паспорт", re.I)).first.click()
    expect(page.locator("h1")).to_contain_text(re.compile("кадастров", re.I))
    expect(page.locator("body")).not_to_contain_text("Fee not yet known")
    expect(page.locator("body")).to_contain_text("сум")
    shot(page, "service-ru")
    page.goto(page.url + "checklist/")
    shot(page, "checklist-ru")


def test_latin_and_english_queries_find_the_same_service(page):
    for query in ("kadastr", "cadastre"):
        page.goto(f"/en/services/?q={query}")
        expect(page.locator("#results")).to_contain_text(re.compile("Cadastr", re.I))


def test_wrong_address_gets_a_translated_404(page, shot):
    response = page.goto("/ru/services/no-such-service/")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text("не найдена")
    shot(page, "404-ru")


def test_staff_login_lands_on_the_role_desk(page, shot):
    page.goto("/login/")
    page.fill("input[name='username']", "clerk")
    page.fill("input[name='password']", "darcha-demo")
    page.locator("form button[type='submit'], form input[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    shot(page, "desk-clerk")
