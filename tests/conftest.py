import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import OrganizationFactory, ServiceFactory  # noqa: F401 — re-exported for tests


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing is the slowest part of login tests; a weak hasher is fine for throwaway test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its language in the test's own thread; start every test in the default one.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def published_service(db):
    """A service with a published two-stage procedure: two agencies in parallel, then a join."""
    return ServiceFactory.with_parallel_procedure()
