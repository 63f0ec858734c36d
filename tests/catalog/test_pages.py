import pytest

from darcha.catalog.models import Service
from darcha.core.choices import Role
from darcha.core.models import User

pytestmark = pytest.mark.django_db


def test_service_page_shows_documents_fee_term_and_parallel_timeline(client, published_service):
    html = client.get(f"/services/{published_service.code}/").content.decode()
    assert published_service.name_uz in html
    assert "Pasport" in html and "Kadastr maʼlumotnomasi" in html  # to bring / obtained by the center
    assert "412\u202f000" in html  # 1 × BRV today
    assert "fire-check: koʻrib chiqilmoqda" in html and "ses-check: koʻrib chiqilmoqda" in html


def test_service_page_in_russian(client, published_service):
    html = client.get(f"/ru/services/{published_service.code}/").content.decode()
    assert published_service.name_ru in html and "Паспорт" in html and 'lang="ru"' in html


def test_checklist_prints_what_to_bring(client, published_service):
    response = client.get(f"/ru/services/{published_service.code}/checklist/")
    assert response.status_code == 200 and "Паспорт" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/services/nope/", "/ru/services/nope/checklist/", "/services/category/nope/", "/no-such-page/", "/ru/nowhere/"],
)
def test_wrong_addresses_get_a_translated_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert ("не найдена" in html) if url.startswith("/ru/") else ("topilmadi" in html)


def test_htmx_gets_the_results_fragment_and_caches_keep_them_apart(client, published_service):
    page = client.get("/services/?q=xizmat")
    fragment = client.get("/services/?q=xizmat", HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert published_service.name_uz in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_bad_page_and_filter_values_do_not_break_the_list(client, published_service):
    for query in ("page=abc", "page=-1", "page=99999", "for=alien&online=2", "q=" + "x" * 5000):
        assert client.get(f"/services/?{query}").status_code == 200


def test_home_lists_categories_and_counts(client, published_service):
    html = client.get("/").content.decode()
    assert published_service.category.name_uz in html


def test_every_demo_role_lands_on_a_desk_with_its_panels(client, demo):
    seen_roles = set()
    for user in User.objects.filter(memberships__isnull=False).distinct():
        client.force_login(user)
        response = client.get("/desk/")
        assert response.status_code == 200, user.username
        for membership in user.memberships.all():
            seen_roles.add(membership.role)
            assert membership.organization.name_uz in response.content.decode()
    assert seen_roles == set(Role.values)


def test_clerk_desk_shows_only_the_services_of_their_agency(client, demo):
    clerk = User.objects.get(username="clerk")
    agency = clerk.memberships.get().organization
    client.force_login(clerk)
    html = client.get("/desk/").content.decode()
    foreign = Service.objects.exclude(responsible_agency=agency).exclude(versions__steps__agency=agency).first()
    assert foreign.name_uz not in html
    assert Service.objects.filter(responsible_agency=agency).first().name_uz in html


def test_every_demo_service_page_renders(client, demo):
    for code in Service.objects.values_list("code", flat=True):
        assert client.get(f"/ru/services/{code}/").status_code == 200, code
