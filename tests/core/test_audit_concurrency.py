"""The audit log under concurrency on PostgreSQL: writers of two chains never wait for each other,
writers of one chain go one at a time and never fork it.

Each thread has its own database connection, as each server worker does. A thread that would wait
for a lock gives up after LOCK_TIMEOUT (PostgreSQL's lock_timeout) instead of hanging the test.
"""

import threading

import pytest
from django.db import connection, transaction

from darcha.core.audit import SYSTEM, audit_record, audit_report, chain_key
from darcha.core.choices import OrganizationKind
from darcha.core.models import AuditChain
from tests.factories import OrganizationFactory

LOCK_TIMEOUT = "10s"
WAIT = 30  # seconds a test waits for a thread's step before it fails

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"),
]


class Writer(threading.Thread):
    """Appends one entry to `organization`'s chain in a transaction of its own connection, and keeps
    that transaction open until `release` is set."""

    def __init__(self, organization, action: str):
        super().__init__(daemon=True)
        self.organization, self.action = organization, action
        self.started_transaction = threading.Event()
        self.appended = threading.Event()
        self.release = threading.Event()
        self.committed = threading.Event()
        self.backend_pid: int | None = None
        self.error: BaseException | None = None

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    cursor.execute("SELECT pg_backend_pid()")
                    self.backend_pid = cursor.fetchone()[0]
                self.started_transaction.set()
                audit_record(actor=SYSTEM, action=self.action, obj=self.organization)
                self.appended.set()
                if not self.release.wait(WAIT):
                    raise TimeoutError("never released")
            self.committed.set()
        except BaseException as error:  # noqa: BLE001 — reported by the test
            self.error = error
        finally:
            self.appended.set()
            connection.close()


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _wait_until(condition, seconds: float = WAIT) -> bool:
    stop = threading.Event()
    for _ in range(int(seconds * 20)):
        if condition():
            return True
        stop.wait(0.05)
    return condition()


def test_two_chains_do_not_wait_for_each_other():
    first, second = (OrganizationFactory(kind=OrganizationKind.CENTER) for _ in range(2))
    for organization in (first, second):  # both chains exist, as after a center's first day
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="opened", obj=organization)
    holder = Writer(first, "held open")
    other = Writer(second, "at the other center")
    holder.start()
    assert holder.appended.wait(WAIT) and holder.error is None
    other.release.set()  # commits as soon as it has appended
    other.start()
    # The other center's write commits while the first center's transaction is still open.
    assert other.committed.wait(WAIT), other.error
    assert other.error is None and holder.is_alive() and not holder.committed.is_set()
    holder.release.set()
    holder.join(WAIT)
    assert holder.committed.is_set() and holder.error is None
    report = audit_report()
    assert report.ok
    assert AuditChain.objects.get(key=chain_key(first.pk)).length == 2
    assert AuditChain.objects.get(key=chain_key(second.pk)).length == 2


@pytest.mark.parametrize("chain_exists", [True, False], ids=["existing chain", "first entries of a chain"])
def test_two_writers_of_one_chain_go_one_at_a_time_without_forking_it(chain_exists):
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    if chain_exists:
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="opened", obj=center)
    before = 1 if chain_exists else 0
    holder = Writer(center, "first")
    second = Writer(center, "second")
    holder.start()
    assert holder.appended.wait(WAIT) and holder.error is None
    second.release.set()
    second.start()
    assert second.started_transaction.wait(WAIT)
    # The second writer waits for the first's lock on the chain …
    assert _wait_until(lambda: _waiting_for_a_lock(second.backend_pid)), second.error
    assert not second.appended.is_set() and not second.committed.is_set()
    holder.release.set()
    holder.join(WAIT)
    # … and appends after it once it commits.
    second.join(WAIT)
    assert holder.error is None and second.error is None
    assert holder.committed.is_set() and second.committed.is_set()
    chain = AuditChain.objects.get(key=chain_key(center.pk))
    entries = list(chain.entries.order_by("seq").values_list("seq", "action"))
    assert entries[before:] == [(before + 1, "first"), (before + 2, "second")]
    assert chain.length == before + 2
    assert audit_report().ok
