import pytest

from darcha.catalog.selectors import service_search
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def services():
    cadastre = OrganizationFactory(
        code="cadastre", name_uz="Kadastr agentligi", name_ru="Агентство по кадастру", name_en="Cadastre Agency"
    )
    registry = OrganizationFactory(code="fhdyo", name_uz="FHDYO boʻlimi", name_ru="Отдел ЗАГС")
    realty = CategoryFactory(code="realty", name_uz="Koʻchmas mulk", name_ru="Недвижимость", name_en="Real estate")
    family = CategoryFactory(code="family", name_uz="Oila", name_ru="Семья", name_en="Family")
    return {
        "passport": ServiceFactory(
            code="cadastre-passport",
            category=realty,
            responsible_agency=cadastre,
            name_uz="Koʻchmas mulk obyektining kadastr pasporti",
            name_ru="Кадастровый паспорт объекта недвижимости",
            name_en="Cadastre passport of real estate",
        ),
        "birth": ServiceFactory(
            code="birth",
            category=family,
            responsible_agency=registry,
            name_uz="Tugʻilishni qayd etish",
            name_ru="Регистрация рождения",
            name_en="Birth registration",
            keywords="metrika свидетельство",
        ),
    }


@pytest.mark.parametrize(
    "query",
    [
        "kadastr",
        "кадастр",
        "cadastre",
        "КАДАСТР",
        "кадастр паспорт",
        "koʻchmas",
        "ko'chmas mulk",
        "кўчмас",
        "Кадастровый",
    ],
)
def test_any_language_or_script_finds_the_cadastre_service(services, query):
    assert list(service_search(query)) == [services["passport"]]


@pytest.mark.parametrize("query", ["tugʻilish", "тугилиш", "рождения", "birth", "metrika", "zags", "ЗАГС"])
def test_birth_registration_found(services, query):
    assert services["birth"] in service_search(query)


def test_nothing_and_inactive(services):
    assert not service_search("kosmodrom").exists()
    services["passport"].is_active = False
    services["passport"].save()
    assert not service_search("kadastr").exists()
