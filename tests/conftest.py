"""Fixtures for the whole suite (helpers live in `tests/<app>/helpers.py`, never in a conftest).

- Session-wide test settings: a fast password hasher, WhiteNoise looking static files up on request
  (instead of indexing every file again for each test client), uploads in a temporary folder.
- Hypothesis: no deadline (a property that touches the database or runs beside another worker on a
  shared machine overruns any fixed deadline); `HYPOTHESIS_PROFILE=ci` runs more examples.
- `demo`: the Namangan demo, loaded once per session (per xdist worker) in an open transaction under
  the tests that ask for it. Each of those tests runs in its own savepoint, rolled back afterwards,
  so it sees the demo as loaded, never another test's writes. Tests that do not ask for the demo
  never see it: before such a test the demo's transaction is rolled back (and loaded again if a demo
  test comes later). The demo's tests are collected first, so a worker usually loads it once.
"""

import os

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests.factories import ServiceFactory
from tests.querycounts import QueryCounts, baseline_file

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

hypothesis_settings.register_profile("darcha", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, max_examples=500)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "darcha"))


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    # Hashing is the slowest part of login tests; a weak hasher is fine for throwaway test users.
    # WhiteNoise serves the same files either way; without autorefresh each new test client's
    # middleware would walk every static file of every app before its first request.
    with override_settings(
        PASSWORD_HASHERS=FAST_HASHERS,
        WHITENOISE_AUTOREFRESH=True,
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    ):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its language in the test's own thread; start every test in the default one.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def query_counts(request) -> QueryCounts:
    """The query-count baselines of the test's app (tests/<app>/query_counts.json): see tests/querycounts.py."""
    return QueryCounts(baseline_file(request.node.path))


@pytest.fixture
def published_service(db):
    """A service with a published two-stage procedure: two agencies in parallel, then a join."""
    return ServiceFactory.with_parallel_procedure()


# --- The session's demo ------------------------------------------------------------------------------


class _DemoLayer:
    """The demo, loaded in a transaction that stays open under the tests that ask for it."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.result = None

    @property
    def loaded(self) -> bool:
        return self.atomic is not None

    def load(self):
        from darcha.demo.loader import load_demo

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic._from_testcase = True  # a test's durable atomic block may open inside it
            self.atomic.__enter__()
            self.result = load_demo()
        return self.result

    def unload(self):
        if self.loaded:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
            self.atomic = None


_demo_layer: _DemoLayer | None = None


@pytest.fixture(scope="session")
def demo(_test_settings, django_db_setup, django_db_blocker):
    """The Namangan demo as `load_demo()` leaves it (the value is its LoadResult); see the module docstring."""
    global _demo_layer
    _demo_layer = _DemoLayer(django_db_blocker)
    _demo_layer.load()
    yield _demo_layer.result
    _demo_layer.unload()
    _demo_layer = None


def _wants_demo(item) -> bool:
    # The browser tests have a demo of their own (committed, for the live server): a function fixture.
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.get("demo") if info else None
    return bool(definitions) and definitions[-1].scope == "session"


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


def pytest_collection_modifyitems(config, items):
    # The demo's tests first (stable order otherwise): each worker loads the demo once, early.
    items.sort(key=lambda item: not _wants_demo(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture of the test: the demo's transaction must be open under a demo test's
    # savepoint, and closed before anything else runs.
    if _demo_layer is None:
        return
    if _wants_demo(item):
        if _transactional(item):
            raise pytest.UsageError(
                f"{item.nodeid}: the session's demo lives in a transaction; use db, not transactional_db"
            )
        if not _demo_layer.loaded:
            _demo_layer.load()
    else:
        _demo_layer.unload()
