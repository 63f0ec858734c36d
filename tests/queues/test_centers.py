import pytest

pytestmark = pytest.mark.django_db


def test_the_queue_front_door_lists_centers_with_their_ways_in(client, demo):
    html = client.get("/ru/queue/").content.decode()
    assert "namangan-city-center/book/" in html and "namangan-city-center/board/" in html
    assert "console" not in html  # staff links only for staff


def test_no_centers_yet(client):
    response = client.get("/queue/")
    assert response.status_code == 200
