"""The appeals tests read the services' messages in English, the msgids they are written in (pages
choose their language from the address, as in production)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _messages_in_english(_default_language):
    translation.activate("en")
    yield
