"""The Namangan demo's publications (issue 14, part 9): a year of the three hokimiyats' publications in uz
and ru (some en, some uz-cyrl), a dozen decisions with their signed PDFs, the press secretaries' desks."""

import datetime as dt

import pytest
from django.utils import timezone
from pypdf import PdfReader

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.models import Organization, User
from darcha.demo.publications import HOKIMIYATS
from darcha.infoservice.publications.choices import PublicationKind, PublicationStatus
from darcha.infoservice.publications.models import Category, Publication, PublicationImage, PublicationText, Tag

pytestmark = pytest.mark.django_db


def test_categories_and_tags(demo):
    assert Category.objects.filter(code__in=["improvement", "official"]).count() == 2
    assert Tag.objects.count() >= 8
    assert Category.objects.get(code="education").name_uz_cyrl == "Таълим"


def test_a_year_of_publications_of_the_three_hokimiyats(demo):
    now = timezone.now()
    for code in HOKIMIYATS:
        published = Publication.objects.filter(organization__code=code, status=PublicationStatus.PUBLISHED)
        assert published.count() >= 90
        first = published.order_by("published_at").first().published_at
        assert now - first > dt.timedelta(days=300)
        assert set(published.values_list("kind", flat=True)) >= {"news", "announcement", "press_release", "event"}
    languages = {
        language: PublicationText.objects.filter(language=language).count()
        for language in ("uz", "ru", "en", "uz-cyrl")
    }
    assert languages["uz"] == Publication.objects.count()
    assert languages["ru"] > languages["uz"] * 0.7
    assert 0 < languages["en"] < languages["uz"] * 0.3
    assert languages["uz-cyrl"] > 0
    assert not PublicationText.objects.filter(body__icontains="<script").exists()


def test_a_dozen_decisions_with_signed_pdfs(demo):
    decisions = Publication.objects.filter(kind=PublicationKind.DECISION, status=PublicationStatus.PUBLISHED)
    assert decisions.count() == 12
    for decision in decisions:
        assert decision.decision_number and decision.decision_date and decision.decision_subject
        with decision.signed_pdf.open("rb") as handle:
            assert len(PdfReader(handle).pages) == 1


def test_the_latest_news_have_pictures_with_their_alt_texts(demo):
    images = PublicationImage.objects.select_related("publication")
    assert images.count() == 15
    for image in images:
        assert image.publication.status == PublicationStatus.PUBLISHED
        assert image.alt_text_uz and image.alt_text_ru
        assert max(image.width, image.height) <= 1600


def test_the_press_secretaries_and_their_desks(demo):
    for code in HOKIMIYATS:
        organization = Organization.objects.get(code=code)
        assert any(
            access.has_role(user, Role.PRESS_SECRETARY, organization)
            for user in User.objects.filter(
                memberships__organization=organization, memberships__role=Role.PRESS_SECRETARY
            )
        )
    city = Publication.objects.filter(organization__code="namangan-city-hokimiyat")
    assert city.filter(status=PublicationStatus.DRAFT).count() >= 2
    assert city.filter(status=PublicationStatus.IN_REVIEW).count() == 1
    scheduled = city.filter(status=PublicationStatus.SCHEDULED)
    assert scheduled.count() == 2 and scheduled.filter(embargo=True, kind="press_release").count() == 1
    assert all(p.publish_at > timezone.now() for p in scheduled)


def test_the_press_secretary_opens_the_list(demo, client):
    client.force_login(User.objects.get(username="press"))
    response = client.get("/en/news/desk/namangan-city-hokimiyat/?status=published")
    assert response.status_code == 200
    assert "Page 1 of" in response.content.decode()
