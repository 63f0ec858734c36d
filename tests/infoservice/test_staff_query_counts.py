"""What the staff's pages cost: the same number of queries with N and with 3N appeals, and an appeal's
page the same with a history three times as long (tests/querycounts.py, tests/infoservice/query_counts.json)."""

import datetime as dt

import pytest
from django.utils import timezone

from darcha.infoservice.choices import AppealType, ExtensionKind, Outcome
from darcha.infoservice.services import (
    answer_approve,
    answer_draft,
    answer_send_back,
    appeal_assign,
    appeal_extend,
    appeal_rate,
    appeal_resolution,
    appeals_escalate_overdue,
)
from darcha.infoservice.views import staff as staff_views
from tests.infoservice.staff_helpers import EN, filed
from tests.infoservice.work_helpers import file_appeal, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def grow(tree):
    """grow(n): n more appeals so that every list has some: every other one assigned (every third of those
    with a co-executor), every fourth drafted, every sixth answered and rated not satisfied, every fifth
    overdue (received 40 days ago, the head told), every third a repeat of the one before."""
    made = []

    def grow(n: int) -> None:
        for i in range(len(made), len(made) + n):
            received = timezone.now() - dt.timedelta(days=40) if i % 5 == 0 else timezone.now()
            text = made[-1].text if (i % 3 == 2 and made) else f"Murojaat {i}: ko‘chada {i * 13} ta chuqur bor."
            appeal = file_appeal(tree, received, text=text, author_phone=f"+9989011{i:05d}", type=AppealType.COMPLAINT)
            if i % 2:
                co = [tree.other_department] if i % 3 == 0 else []
                appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, co_executors=co)
                if i % 4 == 1:
                    answer = answer_draft(actor=tree.executor, appeal=appeal, outcome=Outcome.REFUSED, text="Rad.")
                    if i % 6 == 1:
                        answer_approve(actor=tree.hokim, answer=answer)
                        appeal_rate(actor=tree.officer, appeal=appeal, satisfaction="not_satisfied")
                elif i % 4 == 3 and received > timezone.now() - dt.timedelta(days=1):
                    appeal_resolution(
                        actor=tree.hokim, appeal=appeal, text="Hal qiling.", due_at=appeal.due_at, executors=[]
                    )
            made.append(appeal)
        appeals_escalate_overdue()

    return grow


def lists(tree) -> dict:
    desk = f"{EN}/desk/{tree.hokimiyat.code}"
    return {
        "inbox": (tree.officer, f"{desk}/"),
        "inbox.open": (tree.officer, f"{desk}/?status=open"),
        "inbox.filtered": (tree.officer, f"{desk}/?status=open&type=complaint&term=overdue&similar=1&q=chuqur"),
        "inbox.page_2": (tree.officer, f"{desk}/?status=all&page=2"),
        "work": (tree.executor, f"{EN}/work/{tree.department.code}/"),
        "head": (tree.hokim, f"{desk}/head/"),
        "overdue": (tree.officer, f"{desk}/overdue/"),
        "desk.officer": (tree.officer, "/en/desk/"),
        "desk.executor": (tree.executor, "/en/desk/"),
        "desk.hokim": (tree.hokim, "/en/desk/"),
    }


def test_the_staff_lists_cost_the_same_with_3n_appeals(client, tree, query_counts, grow, monkeypatch, subtests):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 3)  # a second page already with N
    monkeypatch.setattr(staff_views, "HEAD_SHOWN", 50)  # every row of the head's desk, so rows would show
    for n in (6, 18):  # N, then 3N
        grow(n)
        for name, (user, address) in lists(tree).items():
            with subtests.test(name, appeals=n):
                client.force_login(user)
                query_counts.check(name, lambda address=address: client.get(address))


def test_an_appeals_page_costs_the_same_with_3n_steps_of_history(client, tree, query_counts, subtests):
    appeal = filed(tree, author_name="Karimov Aziz", signatories=[("Aliyev Bobur", "Chust", "")])
    filed(tree)  # a repeat: the page links it

    def history(n: int) -> None:
        for _ in range(n):
            appeal_assign(
                actor=tree.officer, appeal=appeal, executor=tree.department, co_executors=[tree.other_department]
            )
            answer = answer_draft(actor=tree.executor, appeal=appeal, outcome=Outcome.EXPLAINED, text="Javob.")
            answer_send_back(actor=tree.hokim, answer=answer, comment="Qayta yozing.")
            appeal_resolution(actor=tree.hokim, appeal=appeal, text="Tez.", due_at=appeal.due_at, executors=[])

    pages = {
        "appeal.officer": tree.officer,
        "appeal.hokim": tree.hokim,
        "appeal.executor": tree.executor,
    }
    for n, extension in ((1, ExtensionKind.STUDY), (3, ExtensionKind.HEAD)):
        history(n)
        appeal_extend(actor=tree.hokim, appeal=appeal, kind=extension, reason="O‘rganish.")
        appeal.refresh_from_db()
        for name, user in pages.items():
            with subtests.test(name, steps=n):
                client.force_login(user)
                query_counts.check(name, lambda: client.get(f"{EN}/case/{appeal.number}/"))
