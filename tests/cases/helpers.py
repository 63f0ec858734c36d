"""Helpers of the cases tests (fixtures are in conftest.py; files to upload in tests/factories.py)."""

import functools

from tests.factories import ApplicationFactory
from tests.factories import staff as _staff


@functools.cache
def real_pdf() -> bytes:
    """A real one-page PDF, as an agency's system would produce (rendered once per process)."""
    import weasyprint

    return weasyprint.HTML(string="<p>Ruxsatnoma / Разрешение</p>").write_pdf()


def staff(username, organization, role):
    """A member of staff with no phone and an e-mail address of their own."""
    return _staff(username, organization, role, phone="", email=f"{username}@example.org")


def submit(service, applicant, center, operator, **changes):
    """An application taken at `center` by `operator` (see ApplicationFactory for the defaults)."""
    return ApplicationFactory(service=service, applicant=applicant, center=center, operator=operator, **changes)
