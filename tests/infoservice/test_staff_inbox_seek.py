"""The officer's inbox pages by keyset (seek.py): Next and Previous name rows, not offsets, so every appeal
is listed once in order, an appeal registered meanwhile shifts nothing, a list's size is counted up to a
cap ("More than …"), and the tabs' counts are exact for the open appeals and capped for the flags."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from darcha.core.calendar import WorkingCalendar
from darcha.infoservice import seek, selectors
from darcha.infoservice.models import Appeal
from darcha.infoservice.services import answer_approve, answer_draft, appeal_rate, appeal_return
from darcha.infoservice.views import staff as staff_views
from tests.infoservice.staff_helpers import assigned, filed, inbox
from tests.infoservice.work_helpers import file_appeal, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def officer(client, tree):
    client.force_login(tree.officer)
    return client


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'class="office-number" href="[^"]+">([A-Z0-9-]+)</a>', response.content.decode())


def link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]*)"', response.content.decode())
    return html.unescape(found[1]) if found else None


def several(tree, n: int, *, days_ago=lambda i: 0) -> list[Appeal]:
    """n appeals with distinct texts and authors (none a repeat of another)."""
    return [
        file_appeal(
            tree,
            timezone.now() - dt.timedelta(days=days_ago(i)),
            text=f"Murojaat {i}: {['chiroq', 'suv', 'yo‘l', 'gaz', 'maktab', 'bog‘', 'ko‘prik', 'avtobus'][i % 8]} "
            f"masalasi, uy {i * 17 + 3}.",
            author_name=f"Muallif {i}",
            author_phone=f"+99890{i:07d}",
        )
        for i in range(n)
    ]


def walk(officer, tree, query: str) -> tuple[list[str], list]:
    """Every page from the first by its Next links: the numbers in order, and the responses."""
    response = officer.get(inbox(tree, query))
    pages, listed = [response], numbers(response)
    while (nxt := link(response, "next")) is not None:
        assert "after=" in nxt and "page=" in nxt
        response = officer.get(inbox(tree) + nxt)
        pages.append(response)
        listed += numbers(response)
        assert len(pages) < 20
    return listed, pages


def test_next_links_list_every_appeal_once_in_the_inbox_order(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    appeals = several(tree, 7, days_ago=lambda i: (i * 3) % 5)  # some share a due date: ties go by id
    expected = [a.number for a in sorted(appeals, key=lambda a: (a.due_at, a.pk))]
    listed, pages = walk(officer, tree, "")
    assert listed == expected
    assert len(pages) == 4
    assert "Page 2 of 4" in pages[1].content.decode()


def test_previous_links_come_back_to_the_same_rows(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    several(tree, 7, days_ago=lambda i: i)
    _listed, pages = walk(officer, tree, "status=open")
    for index in range(len(pages) - 1, 0, -1):
        previous = link(pages[index], "prev")
        assert previous is not None
        back = officer.get(inbox(tree) + previous)
        assert numbers(back) == numbers(pages[index - 1])
    assert link(pages[0], "prev") is None
    # Page 2's Previous is the first page itself; page 3 also offers the first page.
    assert "before=" not in link(pages[1], "prev")
    assert "First page" in pages[2].content.decode()


def test_an_appeal_registered_meanwhile_shifts_nothing_onto_the_next_page(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    several(tree, 5, days_ago=lambda i: 10 - i)
    first = officer.get(inbox(tree))
    second_before = numbers(officer.get(inbox(tree) + link(first, "next")))
    # Registered now with the earliest term of all: it belongs on page 1, and page 2 stays as it was.
    earliest = file_appeal(tree, timezone.now() - dt.timedelta(days=20), text="Eng eski: ariq tozalanmagan.")
    assert numbers(officer.get(inbox(tree) + link(first, "next"))) == second_before
    assert numbers(officer.get(inbox(tree)))[0] == earliest.number


def test_the_closed_tab_pages_the_latest_closed_first(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    appeals = several(tree, 5)
    for index, appeal in enumerate(appeals):
        appeal_return(actor=tree.officer, appeal=appeal, reasons="Manzil yo‘q.")
        Appeal.objects.filter(pk=appeal.pk).update(closed_at=timezone.now() - dt.timedelta(hours=index % 3))
    closed = Appeal.objects.filter(pk__in=[a.pk for a in appeals]).order_by("-closed_at", "-id")
    listed, _pages = walk(officer, tree, "status=closed")
    assert listed == [a.number for a in closed]


def test_bad_tokens_and_page_numbers_give_a_page_never_an_error(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    several(tree, 5, days_ago=lambda i: i)
    first = numbers(officer.get(inbox(tree)))
    for query in (
        "after=abc",
        "after=1.2.3",
        "before=-5.1",
        "after=99999999999999999.1",
        "after=1.1&before=1.1",
        "page=0",
        "page=-1",
        "page=99999999999",
    ):
        response = officer.get(inbox(tree, query))
        assert response.status_code == 200, query
    assert numbers(officer.get(inbox(tree, "after=abc"))) == first
    # A page number past the last gives the last page, as the paginator did.
    assert len(numbers(officer.get(inbox(tree, "page=40")))) == 1


def test_a_token_past_the_end_or_before_the_start_gives_the_first_page(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    appeals = several(tree, 3, days_ago=lambda i: i)
    first = numbers(officer.get(inbox(tree)))
    last = max(appeals, key=lambda a: (a.due_at, a.pk))
    earliest = min(appeals, key=lambda a: (a.due_at, a.pk))
    assert numbers(officer.get(inbox(tree, f"page=5&after={seek.token(last.due_at, last.pk)}"))) == first
    assert numbers(officer.get(inbox(tree, f"page=2&before={seek.token(earliest.due_at, earliest.pk)}"))) == first


def test_the_list_is_counted_up_to_the_cap(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(seek, "COUNT_CAP", 3)
    several(tree, 5, days_ago=lambda i: i)
    page = officer.get(inbox(tree)).content.decode()
    assert "More than 3 appeals" in page
    assert "Page 1</p>" in page  # no "of …": the number of pages is not known
    listed, _pages = walk(officer, tree, "")
    assert len(listed) == 5  # the cap bounds the count, never the list
    monkeypatch.setattr(seek, "COUNT_CAP", 5)
    assert "5 appeals" in officer.get(inbox(tree)).content.decode()


def test_the_tabs_counts_are_exact_and_the_flags_capped(tree, monkeypatch):
    several(tree, 3, days_ago=lambda i: 0)
    file_appeal(tree, timezone.now() - dt.timedelta(days=40), text="Muddati o‘tgan: svetofor ishlamaydi.")
    filed(tree, text="Takror.", author_phone="+998911111111")
    filed(tree, text="Takror.", author_phone="+998911111111")  # repeats the one before
    for n in range(3):
        appeal = assigned(tree, text=f"Ijroda {n}: hovli {n}.", author_phone=f"+99893{n:07d}")
        answer = answer_draft(actor=tree.executor, appeal=appeal, outcome="refused", text="Rad.")
        answer_approve(actor=tree.hokim, answer=answer)
        appeal_rate(actor=tree.officer, appeal=appeal, satisfaction="not_satisfied")
    counts = selectors.inbox_counts(tree.hokimiyat)
    appeals = Appeal.objects.filter(organization=tree.hokimiyat)
    assert counts["registered"] == appeals.filter(status="registered").count() == 6
    assert counts["overdue"] == 1
    assert counts["similar"] == 1
    assert (counts["flagged"], counts["flagged_capped"]) == (3, False)
    monkeypatch.setattr(selectors, "FLAGGED_CAP", 2)
    counts = selectors.inbox_counts(tree.hokimiyat)
    assert (counts["flagged"], counts["flagged_capped"]) == (2, True)


def test_the_flags_beyond_the_cap_show_as_more(client, tree, monkeypatch):
    for n in range(3):
        appeal = assigned(tree, text=f"Norozi {n}: ko‘cha {n}.", author_phone=f"+99894{n:07d}")
        answer = answer_draft(actor=tree.executor, appeal=appeal, outcome="refused", text="Rad.")
        answer_approve(actor=tree.hokim, answer=answer)
        appeal_rate(actor=tree.officer, appeal=appeal, satisfaction="not_satisfied")
    monkeypatch.setattr(selectors, "FLAGGED_CAP", 2)
    client.force_login(tree.hokim)
    page = client.get(f"/en/appeals/desk/{tree.hokimiyat.code}/head/").content.decode()
    assert '<span class="stat__value">2+</span>' in page


def test_tokens_round_trip_and_junk_is_none():
    moment = dt.datetime(2026, 3, 21, 9, 30, 15, 123456, tzinfo=dt.UTC)
    assert seek.parse_token(seek.token(moment, 42)) == (moment, 42)
    for junk in ("", "x", "1.", ".1", "1.2.3", "-1.2", "1e5.3", None, "9" * 30 + ".1"):
        assert seek.parse_token(junk) is None


def test_the_page_span_counts_working_days_as_the_calendar_does(tree):
    calendar = WorkingCalendar.current()
    start = dt.datetime(2026, 1, 1, 12, tzinfo=timezone.get_default_timezone())
    moments = [start + dt.timedelta(days=d * 9, hours=d % 13) for d in range(40)]
    span = staff_views.WorkingDaysSpan(calendar, moments)
    for start in moments[::7]:
        for end in moments[::5]:
            assert span.working_days_between(start, end) == calendar.working_days_between(start, end)
