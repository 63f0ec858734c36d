"""Builders of the staff pages' tests: the hokimiyat tree of the work tests (work_helpers), appeals filed
now through `appeal_register` (the pages read the real clock), and the pages' addresses in English."""

from __future__ import annotations

from django.utils import timezone

from darcha.infoservice.models import Appeal
from darcha.infoservice.services import appeal_assign
from tests.infoservice.work_helpers import Hokimiyat, file_appeal

EN = "/en/appeals"


def filed(tree: Hokimiyat, **fields) -> Appeal:
    """An appeal received now, registered by the officer."""
    return file_appeal(tree, timezone.now(), **fields)


def assigned(tree: Hokimiyat, **fields) -> Appeal:
    """An appeal received now and assigned to the roads department (its executor drafts)."""
    appeal = filed(tree, **fields)
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department)
    return Appeal.objects.get(pk=appeal.pk)


def page(appeal: Appeal, action: str = "") -> str:
    return f"{EN}/case/{appeal.number}/" + (f"{action.replace('_', '-')}/" if action else "")


def inbox(tree: Hokimiyat, query: str = "") -> str:
    return f"{EN}/desk/{tree.hokimiyat.code}/" + (f"?{query}" if query else "")
