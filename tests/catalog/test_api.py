from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_services_list_with_today_fee(client, published_service):
    data = client.get("/api/v1/services/").json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["code"] == published_service.code
    assert item["fee"] == {"kind": "brv_multiple", "value": "1.00", "amount_today": 412_000, "currency": "UZS"}


def test_service_detail_has_documents_and_steps_in_the_asked_language(client, published_service):
    data = client.get(f"/api/v1/services/{published_service.code}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert data["name"] == published_service.name_ru
    assert [d["name"] for d in data["documents"]] == ["Паспорт", "Кадастровая справка"]
    assert data["documents"][1]["obtained_by_center"] is True
    assert [(s["code"], s["stage"]) for s in data["steps"]] == [("fire-check", 1), ("ses-check", 1), ("decision", 2)]
    assert data["steps"][0]["citizen_label"] == "fire-check: на рассмотрении"


@pytest.mark.parametrize(
    "query, field",
    [
        ("online=maybe", "online"),
        ("category=no-such-category", "category"),
        ("agency=nowhere", "agency"),
        ("applicant=alien", "applicant"),
        ("colour=red", "colour"),
        ("page=999", None),
    ],
)
def test_bad_filters_get_a_json_400(client, published_service, query, field):
    response = client.get(f"/api/v1/services/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    if field is None:  # a page past the end is "not found", also JSON
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        return
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]


def test_bad_filter_message_is_translated(client, published_service):
    body = client.get("/api/v1/services/?colour=red", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["errors"]["colour"] == ["Неизвестный параметр запроса."]


def test_filters_narrow_the_list(client, published_service):
    other = ServiceFactory(online=True, for_legal_entities=True, for_individuals=False)
    assert [s["code"] for s in client.get("/api/v1/services/?online=true").json()["results"]] == [other.code]
    codes = [s["code"] for s in client.get("/api/v1/services/?applicant=individual").json()["results"]]
    assert codes == [published_service.code]
    codes = [s["code"] for s in client.get("/api/v1/services/?agency=fire").json()["results"]]
    assert codes == [published_service.code]  # acts in a step, not the responsible agency
    codes = [s["code"] for s in client.get(f"/api/v1/services/?category={other.category.code}").json()["results"]]
    assert codes == [other.code]


def test_unknown_service_is_a_json_404(client, db):
    response = client.get("/api/v1/services/nope/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_agencies_and_categories(client, published_service):
    agencies = {a["code"] for a in client.get("/api/v1/agencies/").json()["results"]}
    assert {"fire", "ses", published_service.responsible_agency.code} <= agencies
    categories = client.get("/api/v1/categories/").json()["results"]
    assert categories[0]["service_count"] == 1 and set(categories[0]["names"]) == {"uz", "uz-cyrl", "ru", "en"}


def test_api_is_read_only_for_anonymous(client, published_service):
    assert client.post("/api/v1/services/", {}).status_code in (401, 403, 405)


def test_committed_schema_matches_the_code(tmp_path):
    """docs/api/openapi.yaml is the published contract: regenerate with `make schema` when the API changes."""
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate")
    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(SCHEMA.read_text())


def test_schema_and_docs_are_served_offline(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs
