"""The press secretary's pages: the list by status, writing a draft in uz, the fallback marks, the actions,
and bad input (no uz text, a script in the body, a file that is not an image) answered with a translated
message, a 4xx and nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from darcha.infoservice.publications import services
from darcha.infoservice.publications.choices import PublicationStatus
from darcha.infoservice.publications.models import Publication, PublicationImage

from .editing_helpers import Office, draft, not_an_image, png, signed_pdf

pytestmark = pytest.mark.django_db
EN = "/en/news"


@pytest.fixture
def office():
    return Office()


@pytest.fixture
def press_client(client, office):
    client.force_login(office.press)
    return client


def _form(**fields) -> dict:
    data = {"kind": "news", "title_uz": "", "lead_uz": "", "body_uz": ""}
    data.update(fields)
    return data


def test_the_addresses_are_as_documented(office):
    assert (
        reverse("publications:staff_list", args=[office.organization.code])
        == f"/en/news/desk/{office.organization.code}/"
    )
    assert (
        reverse("publications:staff_new", args=[office.organization.code])
        == f"/en/news/desk/{office.organization.code}/new/"
    )
    assert reverse("publications:staff_edit", args=[7]) == "/en/news/edit/7/"
    assert reverse("publications:staff_schedule", args=[7]) == "/en/news/edit/7/schedule/"


def test_anonymous_visitors_go_to_the_login_page(client, office):
    response = client.get(f"{EN}/desk/{office.organization.code}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_others_are_refused(client, office):
    client.force_login(office.outsider)
    assert client.get(f"{EN}/desk/{office.organization.code}/").status_code == 403
    publication = draft(office)
    assert client.get(f"{EN}/edit/{publication.pk}/").status_code == 403


def test_a_decision_is_drafted_in_uz_and_scheduled(press_client, office):
    page = press_client.get(f"{EN}/desk/{office.organization.code}/new/?kind=decision")
    assert page.status_code == 200
    assert "default language, required" in page.content.decode()
    response = press_client.post(
        f"{EN}/desk/{office.organization.code}/new/",
        _form(
            kind="decision",
            title_uz="Obodonlashtirish toʻgʻrisida qaror",
            body_uz="<p>Shahar hokimining qarori.</p>",
            decision_number="77-Q",
            decision_date="2026-05-20",
            decision_subject="Obodonlashtirish",
            signed_pdf=signed_pdf(),
        ),
    )
    assert response.status_code == 303
    publication = Publication.objects.get()
    assert response["Location"] == f"{EN}/edit/{publication.pk}/"
    edit = press_client.get(response["Location"]).content.decode()
    assert "readers see the Oʻzbekcha text, marked as such" in edit  # ru, en, uz-cyrl are optional
    at = (timezone.localtime() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    scheduled = press_client.post(f"{EN}/edit/{publication.pk}/schedule/", {"at": at.strftime("%Y-%m-%dT%H:%M")})
    assert scheduled.status_code == 303
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SCHEDULED and publication.publish_at == at
    assert services.publish_due(at + dt.timedelta(seconds=5)) == 1
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.PUBLISHED


def test_no_default_language_text_is_a_400_with_the_message_and_nothing_is_saved(press_client, office):
    response = press_client.post(
        f"{EN}/desk/{office.organization.code}/new/", _form(title_ru="Только по-русски", body_ru="<p>x</p>")
    )
    assert response.status_code == 400
    assert "The text in Oʻzbekcha, the default language, is required" in response.content.decode()
    assert not Publication.objects.exists()


def test_a_script_in_the_body_is_a_400_and_the_text_is_unchanged(press_client, office):
    publication = draft(office)
    response = press_client.post(
        f"{EN}/edit/{publication.pk}/",
        _form(title_uz="Yangi sarlavha", body_uz='<p>x</p><script>alert("x")</script>'),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "holds code" in body
    assert '<script>alert("x")</script>' not in body  # shown escaped in the textarea, never as markup
    text = publication.texts.get(language="uz")
    assert text.title == "Yangi maktab ochildi"


def test_a_file_that_is_not_an_image_is_a_400_and_nothing_is_stored(press_client, office):
    publication = draft(office)
    response = press_client.post(
        f"{EN}/edit/{publication.pk}/image_add/", {"file": not_an_image(), "alt_text_uz": "Rasm"}
    )
    assert response.status_code == 400
    assert "is not an image" in response.content.decode()
    assert not PublicationImage.objects.exists()


def test_an_image_without_alt_text_is_a_400(press_client, office):
    publication = draft(office)
    response = press_client.post(f"{EN}/edit/{publication.pk}/image_add/", {"file": png(), "alt_text_uz": ""})
    assert response.status_code == 400
    assert not PublicationImage.objects.exists()
    done = press_client.post(f"{EN}/edit/{publication.pk}/image_add/", {"file": png(), "alt_text_uz": "Maktab"})
    assert done.status_code == 303
    image = PublicationImage.objects.get()
    served = press_client.get(f"{EN}/files/image/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_files_of_an_unpublished_publication_are_hidden_from_the_public(client, office):
    publication = draft(office, kind="decision", signed_pdf=signed_pdf())
    assert client.get(f"{EN}/files/pdf/{publication.pk}/").status_code == 404
    publication.status = PublicationStatus.PUBLISHED
    publication.save(update_fields=["status"])
    response = client.get(f"{EN}/files/pdf/{publication.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_transliterate_then_remove_a_translation_through_the_pages(press_client, office):
    publication = draft(office)
    assert press_client.post(f"{EN}/edit/{publication.pk}/transliterate/").status_code == 303
    page = press_client.get(f"{EN}/edit/{publication.pk}/").content.decode()
    assert "Янги мактаб очилди" in page and "I have checked this transliterated text" in page
    assert press_client.post(f"{EN}/edit/{publication.pk}/remove_text/", {"language": "uz-cyrl"}).status_code == 303
    refused = press_client.post(f"{EN}/edit/{publication.pk}/remove_text/", {"language": "uz"})
    assert refused.status_code == 409 and "cannot be removed" in refused.content.decode()


def test_the_preview_marks_the_fallback(press_client, office):
    publication = draft(office)
    page = press_client.get(f"{EN}/edit/{publication.pk}/preview/ru/").content.decode()
    assert "There is no text in Русский; readers see it in Oʻzbekcha." in page
    assert "<strong>yangi</strong>" in page


def test_the_list_by_status_and_the_desk_panel(press_client, office):
    draft(office)
    scheduled = draft(office)
    services.publication_schedule(actor=office.press, publication=scheduled, at=timezone.now() + dt.timedelta(days=1))
    page = press_client.get(f"{EN}/desk/{office.organization.code}/?status=scheduled")
    assert page.status_code == 200
    assert page.content.decode().count(f"/en/news/edit/{scheduled.pk}/") == 1
    desk = press_client.get("/en/desk/").content.decode()
    assert "Open the publications" in desk


def test_the_writer_sends_for_review_and_the_press_secretary_approves(client, office):
    publication = draft(office, actor=office.writer)
    client.force_login(office.writer)
    assert client.post(f"{EN}/edit/{publication.pk}/submit/").status_code == 303
    assert client.post(f"{EN}/edit/{publication.pk}/approve/").status_code == 403
    client.force_login(office.press)
    assert client.post(f"{EN}/edit/{publication.pk}/approve/").status_code == 303
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.PUBLISHED
