"""Writing publications: the uz text required, bodies sanitised (code refused), translations with the
transliterated uz-cyrl checked by the editor, removing a translation, images and the signed PDF."""

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from darcha.core.audit import SYSTEM
from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.publications import services
from darcha.infoservice.publications.choices import PublicationStatus
from darcha.infoservice.publications.models import Publication, PublicationImage, PublicationText
from darcha.infoservice.publications.selectors import publication_text

from .editing_helpers import DECISION, Office, draft, jpeg, not_an_image, png, signed_pdf, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return Office()


def test_a_draft_is_written_in_uz_with_optional_translations(office):
    publication = draft(office, texts_=texts(ru={"title": "Открылась новая школа", "body": "<p>Сегодня</p>"}))
    assert publication.status == PublicationStatus.DRAFT
    assert publication.slug == "yangi-maktab-ochildi"
    assert publication.author == office.press
    languages = sorted(publication.texts.values_list("language", flat=True))
    assert languages == ["ru", "uz"]
    assert all(publication.texts.values_list("is_published", flat=True))


def test_slugs_stay_unique_within_the_organization(office):
    first, second, third = draft(office), draft(office), draft(office)
    assert [first.slug, second.slug, third.slug] == [
        "yangi-maktab-ochildi",
        "yangi-maktab-ochildi-2",
        "yangi-maktab-ochildi-3",
    ]


def test_a_translation_without_the_default_language_is_refused_and_nothing_is_saved(office):
    with pytest.raises(ValidationError) as error:
        draft(office, texts_={"ru": {"title": "Только по-русски", "body": "<p>текст</p>"}})
    assert "title_uz" in error.value.message_dict
    assert "the default language, is required" in error.value.message_dict["title_uz"][0]
    assert not Publication.objects.exists() and not PublicationText.objects.exists()


def test_a_script_in_the_body_is_refused_with_a_message_and_nothing_changes(office):
    publication = draft(office)
    body = "<p>Salom</p><script>document.location='//evil'</script>"
    with pytest.raises(ValidationError) as error:
        services.publication_update(
            actor=office.press,
            publication=publication,
            data={"kind": "news"},
            texts=texts(uz={**texts()["uz"], "body": body}),
        )
    assert "holds code" in error.value.message_dict["body_uz"][0]
    assert publication.texts.get(language="uz").body == "<p>Bugun <strong>yangi</strong> maktab ochildi.</p>"


def test_harmless_markup_outside_the_list_is_dropped(office):
    body = '<div style="color:red"><p>Matn <span class="x">bu</span></p></div>'
    publication = draft(office, texts_={"uz": {"title": "Sarlavha", "body": body}})
    assert publication.texts.get(language="uz").body == "<p>Matn bu</p>"


def test_outsiders_may_not_write(office):
    with pytest.raises(Forbidden):
        draft(office, actor=office.outsider)
    assert not Publication.objects.exists()


def test_the_writer_may_change_a_draft_but_not_once_sent_for_review(office):
    publication = draft(office, actor=office.writer)
    services.publication_update(actor=office.writer, publication=publication, data={}, texts=texts())
    services.publication_submit_review(actor=office.writer, publication=publication)
    with pytest.raises(Forbidden):
        services.publication_update(actor=office.writer, publication=publication, data={}, texts=texts())


def test_uz_cyrl_is_offered_by_transliteration_and_published_only_once_checked(office):
    publication = draft(office)
    text = services.text_transliterate(actor=office.press, publication=publication)
    assert text.title == "Янги мактаб очилди"
    assert "<strong>янги</strong>" in text.body
    assert text.transliterated and not text.is_published
    assert publication_text(Publication.objects.get(pk=publication.pk), "uz-cyrl") == (
        publication.texts.get(language="uz"),
        True,
    )
    offered = {"title": text.title, "lead": text.lead, "body": text.body}
    # Saved without ticking "checked": still a transliteration, still not published.
    services.publication_update(
        actor=office.press, publication=publication, data={}, texts=texts(**{"uz-cyrl": offered})
    )
    text.refresh_from_db()
    assert text.transliterated and not text.is_published
    services.publication_update(
        actor=office.press,
        publication=publication,
        data={},
        texts=texts(**{"uz-cyrl": {**offered, "title": "Янги мактаб очилди!", "checked": True}}),
    )
    text.refresh_from_db()
    assert not text.transliterated and text.is_published and text.title == "Янги мактаб очилди!"
    assert publication_text(publication, "uz-cyrl") == (text, False)


def test_a_checked_cyrillic_text_is_not_overwritten_by_transliteration(office):
    publication = draft(office, texts_=texts(**{"uz-cyrl": {"title": "Қўлда ёзилган", "body": "<p>матн</p>"}}))
    with pytest.raises(Refused):
        services.text_transliterate(actor=office.press, publication=publication)
    assert publication.texts.get(language="uz-cyrl").title == "Қўлда ёзилган"


def test_removing_a_translation_unpublishes_it_and_readers_get_the_marked_fallback(office):
    publication = draft(office, texts_=texts(ru={"title": "Открылась школа", "body": "<p>текст</p>"}))
    services.publication_publish(actor=office.press, publication=publication)
    ru = publication.texts.get(language="ru")
    assert publication_text(publication, "ru") == (ru, False)
    services.text_remove(actor=office.press, publication=publication, language="ru")
    ru.refresh_from_db()
    assert not ru.is_published and ru.title == "Открылась школа"  # kept for the history
    uz = publication.texts.get(language="uz")
    assert publication_text(Publication.objects.get(pk=publication.pk), "ru") == (uz, True)
    # Written again, it is published again.
    services.publication_update(
        actor=office.press, publication=publication, data={}, texts=texts(ru={"title": "Снова", "body": "<p>x</p>"})
    )
    ru.refresh_from_db()
    assert ru.is_published and ru.title == "Снова"


def test_the_default_language_cannot_be_removed(office):
    publication = draft(office)
    with pytest.raises(Refused) as error:
        services.text_remove(actor=office.press, publication=publication, language="uz")
    assert "withdraw the publication instead" in str(error.value)
    assert publication.texts.get(language="uz").is_published


def test_blanking_a_published_translation_asks_for_the_remove_button(office):
    publication = draft(office, texts_=texts(en={"title": "A new school", "body": "<p>x</p>"}))
    with pytest.raises(ValidationError) as error:
        services.publication_update(
            actor=office.press, publication=publication, data={}, texts=texts(en={"title": "", "body": ""})
        )
    assert "remove this translation" in error.value.message_dict["title_en"][0]
    assert publication.texts.get(language="en").title == "A new school"


def test_an_image_is_resized_to_the_limit_and_needs_its_uz_alt_text(office, settings):
    settings.PUBLICATIONS_IMAGE_MAX_PX = 1600
    publication = draft(office)
    with pytest.raises(ValidationError) as error:
        services.image_add(actor=office.press, publication=publication, upload=png(), alt_texts={"ru": "Школа"})
    assert "alt_text_uz" in error.value.message_dict
    image = services.image_add(
        actor=office.press, publication=publication, upload=png(), alt_texts={"uz": "Yangi maktab binosi"}
    )
    assert (image.width, image.height) == (1600, 800)
    with image.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (1600, 800) and stored.format == "JPEG"


def test_a_photo_is_turned_upright_and_its_metadata_dropped(office):
    publication = draft(office)
    image = services.image_add(
        actor=office.press, publication=publication, upload=jpeg(800, 600, exif_orientation=6), alt_texts={"uz": "Rasm"}
    )
    assert (image.width, image.height) == (600, 800)
    with image.file.open("rb") as handle, Image.open(handle) as stored:
        assert not stored.getexif()


def test_a_transparent_png_stays_a_png(office):
    publication = draft(office)
    image = services.image_add(
        actor=office.press,
        publication=publication,
        upload=png(300, 200, color=(0, 0, 0, 0), mode="RGBA", name="logo.png"),
        alt_texts={"uz": "Gerb"},
    )
    assert image.file.name.endswith(".png")


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(office):
    publication = draft(office)
    with pytest.raises(ValidationError) as error:
        services.image_add(actor=office.press, publication=publication, upload=not_an_image(), alt_texts={"uz": "Rasm"})
    assert "is not an image" in error.value.message_dict["file"][0]
    assert not PublicationImage.objects.exists()


def test_the_signed_pdf_must_be_a_pdf(office):
    with pytest.raises(ValidationError):
        draft(office, kind="decision", data=DECISION, signed_pdf=not_an_image("qaror.pdf"))
    assert not Publication.objects.exists()
    publication = draft(office, kind="decision", data=DECISION, signed_pdf=signed_pdf())
    assert publication.signed_pdf.name.endswith(".pdf")


def test_an_embargo_is_only_for_press_releases(office):
    with pytest.raises(ValidationError) as error:
        draft(office, data={"embargo": True})
    assert "embargo" in error.value.message_dict


def test_a_system_actor_does_not_write(office):
    with pytest.raises(Forbidden):
        draft(office, actor=SYSTEM)
