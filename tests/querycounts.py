"""Query-count baselines: what a page or an endpoint costs, kept per app in `tests/<app>/query_counts.json`.

A test asks for the `query_counts` fixture (tests/conftest.py) and hands it the work to measure under a
stable name (the key in the app's file, e.g. "inbox.overdue" or "api.services")::

    def test_the_inbox_does_not_grow(client, query_counts, ...):
        make_tasks(2)
        query_counts.check("inbox.all", lambda: client.get("/office/land/inbox/"))
        make_tasks(4)  # three times as many rows: the same baseline
        query_counts.check("inbox.all", lambda: client.get("/office/land/inbox/"))

`check` runs the work once to warm up the process's caches (content types, the calendar) the first time
a test measures a name (`warm_up=False`: never, True: every time), then once under Django's
CaptureQueriesContext, asserts a response answered 200 (`status=` for another code), and compares the
number of queries with the baseline: exactly, so a page that gets cheaper updates its baseline too. On
a mismatch it fails with the captured SQL. Measuring with N and with 3N rows against the same number is
what keeps the "does not grow with the data" promise.

`UPDATE_QUERY_COUNTS=1 make test` (or pytest on a few files) rewrites the baselines it measures instead
of comparing; within one test the second measurement of a name must still equal the first. Writes are
merged under a file lock, so parallel workers keep each other's keys; keys no test measures any more
are left for a reviewer to delete.

A baseline is a number, the same on every database, or `{"sqlite": n, "postgresql": m}` where the two
databases really differ (a percentile PostgreSQL computes in SQL takes SQLite one query more); updating on
one database where the number differs from the other's keeps both.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

UPDATE = os.environ.get("UPDATE_QUERY_COUNTS", "") not in ("", "0")
TESTS = Path(__file__).resolve().parent


def baseline_file(test_path: Path) -> Path:
    """tests/<app>/… → tests/<app>/query_counts.json."""
    relative = Path(test_path).resolve().relative_to(TESTS)
    return TESTS / relative.parts[0] / "query_counts.json"


class QueryCounts:
    def __init__(self, path: Path):
        self.path = path
        self.measured: dict[str, int] = {}  # by this test, in this run

    def baseline(self, name: str) -> int | None:
        if not self.path.exists():
            return None
        value = json.loads(self.path.read_text()).get(name)
        return value.get(connection.vendor) if isinstance(value, dict) else value

    def check(self, name: str, work, *, status: int = 200, warm_up: bool | None = None):
        """Run `work` (a callable), compare its number of queries with the baseline `name`; return its result."""
        if warm_up or (warm_up is None and name not in self.measured):
            work()
        with CaptureQueriesContext(connection) as captured:
            result = work()
        code = getattr(result, "status_code", None)
        assert code is None or code == status, f"{name}: answered {code}, expected {status}"
        count = len(captured)
        if UPDATE:
            expected = self.measured.get(name, count)
            where = "the first measurement of this test"
        else:
            expected = self.baseline(name)
            where = f"the baseline in {self.path.relative_to(TESTS.parent)}"
            assert expected is not None, (
                f"{name}: {count} queries and no baseline in {self.path.name}: run with UPDATE_QUERY_COUNTS=1"
            )
        if count != expected:
            raise AssertionError(
                f"{name}: {count} queries, {where} says {expected}. If the change is meant, "
                f"run with UPDATE_QUERY_COUNTS=1 and review the diff.\n{_listing(captured)}"
            )
        if UPDATE and name not in self.measured:
            self._write(name, count)
        self.measured[name] = count
        return result

    def _write(self, name: str, count: int) -> None:
        lock_path = Path(tempfile.gettempdir()) / f"darcha-query-counts-{self.path.parent.name}.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            counts = json.loads(self.path.read_text()) if self.path.exists() else {}
            counts[name] = _merged(counts.get(name), connection.vendor, count)
            self.path.write_text(json.dumps(dict(sorted(counts.items())), indent=2, ensure_ascii=False) + "\n")


VENDORS = ("sqlite", "postgresql")


def _merged(old, vendor: str, count: int):
    """The baseline after measuring `count` on `vendor`: one number while the databases agree."""
    if isinstance(old, dict):
        merged = {**old, vendor: count}
    elif old is None or old == count:
        return count
    else:  # a number both shared so far: the other database keeps it
        merged = {other: old for other in VENDORS if other != vendor} | {vendor: count}
    return count if len(set(merged.values())) == 1 and set(merged) >= set(VENDORS) else dict(sorted(merged.items()))


def _listing(captured: CaptureQueriesContext) -> str:
    return "\n".join(f"{n:3}. {query['sql']}" for n, query in enumerate(captured.captured_queries, 1))
