import gettext
import io
from pathlib import Path

from django.conf import settings as django_settings
from django.core.management import call_command

from darcha.core.translit import cyrillic_to_latin, latin_to_cyrillic, search_key

CYRILLIC_CATALOG = Path(django_settings.LOCALE_PATHS[0]) / "uz_Cyrl/LC_MESSAGES/django.mo"


def test_latin_to_cyrillic():
    assert latin_to_cyrillic("Oʻzbekiston") == "Ўзбекистон"
    assert latin_to_cyrillic("Gʻalla, shahar, choy, yoʻl") == "Ғалла, шаҳар, чой, йўл"
    assert latin_to_cyrillic("Elektron ariza") == "Электрон ариза"
    assert latin_to_cyrillic("Yangiqoʻrgʻon") == "Янгиқўрғон"
    assert latin_to_cyrillic("obyekt, yer, poyezd") == "объект, ер, поезд"


def test_placeholders_and_tags_survive():
    assert latin_to_cyrillic("%(count)d kun, {name} <b>ish</b>") == "%(count)d кун, {name} <b>иш</b>"


def test_cyrillic_to_latin_and_search_key():
    assert cyrillic_to_latin("Ўзбекистон") == "Oʻzbekiston"
    assert search_key("Кадастр") == search_key("kadastr") == "kadastr"
    assert search_key("Koʻchmas mulk") == search_key("Кўчмас мулк") == search_key("ko'chmas  mulk")


def test_latin_acronyms_and_codes_stay_latin_and_uzbek_ones_are_transliterated():
    assert (
        latin_to_cyrillic("API orqali, PDFni yuklang, SMS kod, QR-kod") == "API орқали, PDFни юкланг, SMS код, QR-код"
    )
    assert latin_to_cyrillic("SHA-256, A4, AA1234567, ID-karta") == "SHA-256, A4, AA1234567, ID-карта"
    assert latin_to_cyrillic("STIR va BHM, JShShIR, Idora") == "СТИР ва БҲМ, ЖШШИР, Идора"


def test_the_cyrillic_catalog_has_no_transliterated_latin_acronym():
    texts = " ".join(gettext.GNUTranslations(open(CYRILLIC_CATALOG, "rb"))._catalog.values())
    for cyrillic in ("АПИ", "ПДФ", "СМС", "ҚР код", "ЖСОН", "ША-256"):
        assert cyrillic not in texts, cyrillic


def test_a_manual_cyrillic_translation_survives_every_regeneration(tmp_path, settings):
    (tmp_path / "uz/LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "uz_Cyrl/LC_MESSAGES").mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Language: uz\\n"\n'
    (tmp_path / "uz/LC_MESSAGES/django.po").write_text(
        header + '\nmsgid "September"\nmsgstr "sentabr"\n\nmsgid "API"\nmsgstr "API kaliti"\n', encoding="utf-8"
    )
    (tmp_path / "uz_Cyrl/LC_MESSAGES/django.po").write_text(
        header + '\n# manual\nmsgid "September"\nmsgstr "сентябрь"\n', encoding="utf-8"
    )
    settings.LOCALE_PATHS = [tmp_path]
    for _run in range(2):
        call_command("translit_catalog", stdout=io.StringIO())
        text = (tmp_path / "uz_Cyrl/LC_MESSAGES/django.po").read_text(encoding="utf-8")
        assert '# manual\nmsgid "September"\nmsgstr "сентябрь"' in text
        assert 'msgstr "API калити"' in text and "Language: uz_Cyrl" in text
