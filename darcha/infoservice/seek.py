"""Keyset ("seek") paging for the staff's long lists: a page starts after (or ends before) a row's sort key
and id, never at an OFFSET, and a list's size is counted only up to a cap.

Why: among a million appeals an OFFSET walks and drops every row before the page, and the paginator's
COUNT(*) reads every row the filters match, on every request. A seek reads the index from the key on, so
the 2,000th page costs what the first does, and an appeal registered meanwhile never shifts a row onto
the next page twice or off it (the links name rows, not positions).

    ?page=3&after=<token>     the page after the row of the token (the "Next" link)
    ?page=2&before=<token>    the page before it (the "Previous" link)
    ?page=3                   by number: an OFFSET, only within the counted rows (a bookmark, a typed
                              number); a larger number gives the last counted page

A token is `<microseconds since 1970 UTC>.<id>` of the row's key; anything else is ignored (the first
page). The page number in a link is what the page says of itself ("Page 3"); the rows are the token's.
The count (`count`) is exact up to `COUNT_CAP`, and `capped` beyond ("More than 1,000").
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

COUNT_CAP = 1000
TOKEN = re.compile(r"(\d{1,17})\.(\d{1,18})")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def token(key: dt.datetime, pk: int) -> str:
    delta = key - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{pk}"


def parse_token(value) -> tuple[dt.datetime, int] | None:
    """(key, id) of a token, or None when it is not one."""
    match = TOKEN.fullmatch(str(value or "").strip())
    if not match:
        return None
    try:
        key = EPOCH + dt.timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return key, int(match[2])


def page_number(value) -> int:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1


@dataclass(frozen=True)
class Position:
    """Where the page asked for is: by a token (after or before a row), else by its number."""

    number: int = 1
    after: tuple[dt.datetime, int] | None = None
    before: tuple[dt.datetime, int] | None = None

    @classmethod
    def from_query(cls, data) -> Position:
        after, before = parse_token(data.get("after")), parse_token(data.get("before"))
        if after and before:
            after = before = None  # a link never carries both: the first page
        return cls(number=page_number(data.get("page")), after=after, before=before)


@dataclass
class SeekPage:
    """One page of a list: its rows and the links' tokens (the template's `page`)."""

    object_list: list
    number: int
    count: int  # the list's rows, counted up to the cap
    capped: bool  # more than `count` rows
    size: int
    has_next: bool = False
    has_previous: bool = False
    next_token: str = ""
    previous_token: str = ""  # empty for the first page's link (no token)
    previous_number: int = 0
    next_number: int = 0

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def num_pages(self) -> int | None:
        """How many pages there are, when the count is exact (None beyond the cap)."""
        return None if self.capped else max(1, math.ceil(self.count / self.size))


def _seek(appeals: QuerySet, key: str, descending: bool, at: tuple[dt.datetime, int], forward: bool) -> QuerySet:
    """The rows after (`forward`) or before the row at `at` in the list's order, nearest first. The
    redundant `key >= value` (or <=) lets the index seek to the key; the OR settles ties by id."""
    value, pk = at
    later = forward != descending  # rows with a greater key
    if later:
        seek = Q(**{f"{key}__gte": value}) & (Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": pk}))
        order = (F(key).asc(), F("id").asc())
    else:
        seek = Q(**{f"{key}__lte": value}) & (Q(**{f"{key}__lt": value}) | Q(**{key: value, "id__lt": pk}))
        order = (F(key).desc(), F("id").desc())
    return appeals.filter(seek).order_by(*order)


def seek_page(
    appeals: QuerySet, *, key: str, descending: bool = False, position: Position, size: int, cap: int | None = None
) -> SeekPage:
    """The page of `appeals` (ordered by `key` then id, ascending or `descending`) at `position`: one query
    counting up to `cap` (+1 to know it is more) and one reading the page's rows (`size` + 1, to know there
    is a next page); none when nothing matches. A token's page that has gone empty (its rows closed or
    moved meanwhile) gives the first page (one more query)."""
    cap = COUNT_CAP if cap is None else cap
    counted = appeals.order_by().values("pk")[: cap + 1].count()
    capped, count = counted > cap, min(counted, cap)
    order = (F(key).desc(), F("id").desc()) if descending else (F(key).asc(), F("id").asc())
    page = SeekPage(object_list=[], number=1, count=count, capped=capped, size=size)
    if not counted:
        return page
    if position.after or position.before:
        forward = position.after is not None
        rows = list(_seek(appeals, key, descending, position.after or position.before, forward)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
        if rows and (forward or more):
            number = max(position.number, 2)
            page.object_list, page.number = rows, number
            page.has_previous = True
            page.has_next = more if forward else True
            return _links(page, key)
        # Before the row, fewer than a page remain (or nothing after it): the first page.
        position = Position()
    last = max(1, math.ceil(count / size))
    number = min(position.number, last)
    offset = (number - 1) * size
    rows = list(appeals.order_by(*order)[offset : offset + size + 1])
    page.object_list, page.number = rows[:size], number
    page.has_next = len(rows) > size
    page.has_previous = number > 1
    return _links(page, key)


def _links(page: SeekPage, key: str) -> SeekPage:
    rows = page.object_list
    if not rows:  # the counted rows closed or moved between the two queries: an empty page, no links
        page.has_next = page.has_previous = False
        return page
    first, last = getattr(rows[0], key), getattr(rows[-1], key)
    if page.has_next:
        if last is None:  # no key to seek from (a row without one sorts last): no further page by token
            page.has_next = False
        else:
            page.next_token, page.next_number = token(last, rows[-1].pk), page.number + 1
    if page.has_previous:
        page.previous_number = page.number - 1
        # Page 2's "Previous" is the first page itself, without a token (so is any page after a keyless row).
        page.previous_token = token(first, rows[0].pk) if page.previous_number > 1 and first is not None else ""
    return page
