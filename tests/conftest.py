"""Fixtures for the whole suite (helpers live in `tests/<app>/helpers.py`, never in a conftest).

- Session-wide test settings: a fast password hasher, WhiteNoise looking static files up on request
  (instead of indexing every file again for each test client), uploads in a temporary folder.
- Hypothesis: no deadline (a property that touches the database or runs beside another worker on a
  shared machine overruns any fixed deadline); `HYPOTHESIS_PROFILE=ci` runs more examples.
- Shared rows (tests/layers.py): data many tests read is built once per worker, in a transaction
  kept open under the tests that ask for it, each test in a savepoint rolled back afterwards; the
  other tests never see it. `demo`, the Namangan demo, is one (cases' `service` another).
- Transactional tests start from what the migrations seeded, whatever a test before them flushed.
- The migrated in-memory SQLite test database is kept between runs while the code is the same
  (tests/testdb.py).
- `query_counts`: the query-count baselines of tests/querycounts.py.
- `working_hours`: the clock inside a working weekday's opening hours (the queue's tests).
"""

import os

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import validate_django_db

from tests import layers, testdb
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


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    # Pages held per process (core.pagecache) belong to the test that rendered them: each test starts with
    # none held and reads the content versions afresh (its database, rolled back after, had its own).
    from darcha.core import pagecache

    pagecache.reset()
    yield
    pagecache.reset()


@pytest.fixture
def query_counts(request) -> QueryCounts:
    """The query-count baselines of the test's app (tests/<app>/query_counts.json): see tests/querycounts.py."""
    return QueryCounts(baseline_file(request.node.path))


@pytest.fixture
def working_hours(monkeypatch):
    """The clock at 10:00 (Tashkent) of a working weekday, ticking on from there: centers are open (the
    queue refuses tickets outside opening hours, and CI runs at any hour). Autouse for tests/queues;
    ask for it in other tests that take tickets. Returns the moment the test started at."""
    from tests.queues.helpers import a_working_morning

    real_now = timezone.now
    started = real_now()
    pinned = a_working_morning(timezone.localdate(started))
    monkeypatch.setattr(timezone, "now", lambda: pinned + (real_now() - started))
    return pinned


@pytest.fixture
def published_service(db):
    """A service with a published two-stage procedure: two agencies in parallel, then a join."""
    return ServiceFactory.with_parallel_procedure()


# --- Shared rows (tests/layers.py) ------------------------------------------------------------------


def _load_demo():
    from darcha.demo.loader import load_demo

    return load_demo()


DEMO = layers.Layer(build=_load_demo)


@pytest.fixture
@DEMO.serves
def demo(request, db):
    """The Namangan demo as `load_demo()` leaves it (the value is its LoadResult): a layer."""
    return DEMO.value(request)


@pytest.fixture(scope="session")
def _layers(_test_settings, django_db_setup, django_db_blocker):
    yield
    layers.close_all(django_db_blocker)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    # Just before a database test's savepoint (or a transactional test's setup): only the layer the
    # test asks for is open.
    if fixturedef.argname == "_django_db_helper":
        request.getfixturevalue("_layers")
        try:
            layers.prepare(request.node, request.getfixturevalue("django_db_blocker"))
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
    return (yield)


def pytest_configure(config):
    testdb.install()  # the migrated SQLite test database kept between runs: tests/testdb.py


def pytest_collection_modifyitems(config, items):
    # The tests of each layer together, the demo's first (stable order otherwise): a worker builds
    # each layer once. (pytest-django then puts the transactional tests last, keeping this order.)
    items.sort(key=layers.sort_key)
    for item in items:
        if layers.transactional(item):
            _restore_what_migrations_seeded(item)


def _restore_what_migrations_seeded(item):
    """A transactional test empties every table when it ends: the next one starts again from what the
    migrations left (the base calculation amounts, content types), as serialized when the database
    was created, instead of from whatever the tests before it on the same worker flushed."""
    marker = item.get_closest_marker("django_db")
    if marker is None:
        transaction, reset_sequences, databases, available_apps = True, False, None, None
    else:
        transaction, reset_sequences, databases, _, available_apps = validate_django_db(marker)
    item.add_marker(
        pytest.mark.django_db(
            transaction=transaction,
            reset_sequences=reset_sequences,
            databases=databases,
            serialized_rollback=True,
            available_apps=available_apps,
        ),
        append=False,  # before the test's own marker: the closest one
    )
