import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from darcha.core.models import AuditEntry, Holiday
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, published_service):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_admin_page_opens(admin_client, published_service, rf):
    request = rf.get("/")
    request.user = UserFactory(username="root")
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert admin_client.get(reverse(f"{prefix}_changelist")).status_code == 200, prefix
        if model_admin.has_add_permission(request):
            assert admin_client.get(reverse(f"{prefix}_add")).status_code == 200, prefix
        first = model.objects.first()
        if first is not None:
            assert admin_client.get(reverse(f"{prefix}_change", args=[first.pk])).status_code == 200, prefix


def test_adding_a_day_off_in_the_admin_is_audited_and_marked_manual(admin_client):
    response = admin_client.post(
        reverse("admin:core_holiday_add"),
        {"date": "2026-06-15", "kind": "day_off", "name_uz": "Qaror bilan dam olish kuni", "source": "official"},
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(date=dt.date(2026, 6, 15))
    assert holiday.source == "manual"
    entry = AuditEntry.objects.get(action="create", object_type="core.holiday")
    assert entry.actor.username == "root" and entry.data["changes"]["name_uz"][1] == "Qaror bilan dam olish kuni"


def test_invalid_service_edit_in_the_admin_is_refused_with_a_message(admin_client, published_service):
    url = reverse("admin:catalog_service_change", args=[published_service.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "fee_kind": "free",
            "fee_value": "5",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "category": published_service.category_id,
            "responsible_agency": published_service.responsible_agency_id,
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "fee_value" in response.context["adminform"].form.errors
    published_service.refresh_from_db()
    assert published_service.fee_kind == "brv_multiple"


def test_published_procedure_is_read_only_in_the_admin(admin_client, published_service):
    version = published_service.published_version
    response = admin_client.get(reverse("admin:catalog_procedureversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
