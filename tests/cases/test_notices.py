"""The applicant's notices name the center and the service in each message's language: the applicant's
for SMS, each Telegram chat's own — never the language of the staff member who acted."""

import pytest
from django.utils import timezone, translation

from darcha.cases import services as cases
from darcha.cases.models import Task, TelegramSubscription
from darcha.catalog.choices import Action
from darcha.catalog.models import Service
from darcha.core.models import Organization
from darcha.notify.choices import Channel
from darcha.notify.models import Message
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(service, center):
    Organization.objects.filter(pk=center.pk).update(name_uz="Markaz 1", name_ru="Центр 1")
    Service.objects.filter(pk=service.pk).update(name_ru="Разрешение на строительство")


def _request_documents(application, clerk, *, staff_language):
    task = Task.objects.get(application=application)
    with translation.override(staff_language):  # the clerk's interface
        cases.task_act(actor=clerk, task=task, action=Action.REQUEST_DOCUMENTS, comment="Pasport nusxasi")


def test_an_uzbek_applicant_reads_uzbek_names_whatever_the_clerk_works_in(
    named, service, applicant, center, operator, land_clerk, django_capture_on_commit_callbacks
):
    application = submit(service, applicant, center, operator, language="uz")
    with django_capture_on_commit_callbacks(execute=True):
        _request_documents(application, land_clerk, staff_language="ru")
    body = Message.objects.get(template="documents_requested").body
    assert "Markaz 1" in body and "Центр 1" not in body


def test_each_telegram_chat_reads_the_names_in_its_own_language(
    named, service, applicant, center, operator, land_clerk, django_capture_on_commit_callbacks
):
    application = submit(service, applicant, center, operator, language="uz")
    TelegramSubscription.objects.create(
        application=application, chat_id="4242", language="ru", created_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True), translation.override("uz"):
        cases.task_act(
            actor=land_clerk, task=Task.objects.get(application=application), action=Action.REJECT, comment="Yoʻq"
        )
    sms = Message.objects.get(template="application_refused", channel=Channel.SMS).body
    russian = Message.objects.get(template="application_refused", channel=Channel.TELEGRAM).body
    assert "Qurilish ruxsatnomasi" in sms and "Markaz 1" in sms
    assert "Разрешение на строительство" in russian and "Центр 1" in russian
    assert "Qurilish ruxsatnomasi" not in russian and "Markaz 1" not in russian
