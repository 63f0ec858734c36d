"""An API address that no route takes answers the API's JSON error, not the site's HTML page."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_api_address_no_route_takes_is_a_json_404(client):
    response = client.get("/api/v1/appeals/archive/%C2%84/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_page_address_no_route_takes_is_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
