import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.notify import templates
from darcha.notify.templates import MASK, get_template, register_template, template_codes

BUILT_IN = {
    "otp": {"code": "482913"},
    "queue_position": {"ticket": "A-017", "ahead": 4, "counter": "7"},
    "ticket_called": {"ticket": "A-017", "counter": "7"},
    "appointment_booked": {"code": "QX7K2", "service": "Kadastr", "center": "Namangan DXM", "when": "05.03.2026 10:30"},
    "appointment_reminder": {
        "code": "QX7K2",
        "service": "Kadastr",
        "center": "Namangan DXM",
        "when": "05.03.2026 10:30",
    },
    "appointment_cancelled": {"code": "QX7K2", "when": "05.03.2026 10:30"},
}


def test_the_built_in_templates_are_registered():
    assert set(BUILT_IN) <= set(template_codes())


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
@pytest.mark.parametrize("code", sorted(BUILT_IN))
def test_every_template_renders_in_every_language_with_its_values(code, language):
    # The catalogs are filled by translators later: check the text is there and carries the values.
    subject, body = get_template(code).render(BUILT_IN[code], language)
    assert subject and body
    for value in BUILT_IN[code].values():
        assert str(value) in body


def test_queue_position_counter_is_optional():
    _subject, body = get_template("queue_position").render({"ticket": "B-002", "ahead": 1}, "ru")
    assert "B-002" in body and "1" in body
    assert "None" not in body


def test_secrets_are_masked_on_request():
    _subject, body = get_template("otp").render({"code": "482913"}, "uz", masked=True)
    assert "482913" not in body and MASK in body


def test_missing_or_unfit_values_are_a_validation_error():
    with pytest.raises(ValidationError) as missing:
        get_template("ticket_called").render({"ticket": "A-1"}, "uz")
    assert missing.value.code == "context" and "counter" in missing.value.messages[0]
    with pytest.raises(ValidationError):
        get_template("queue_position").render({"ticket": "A-1", "ahead": "many"}, "uz")


def test_unknown_template_is_a_validation_error():
    with pytest.raises(ValidationError) as error:
        get_template("no_such_template")
    assert error.value.code == "template"


def test_other_apps_can_register_templates(monkeypatch):
    monkeypatch.setattr(templates, "_registry", dict(templates._registry))
    register_template("result_ready", _("Your result is ready"), _("Application %(number)s: the result is ready."))
    # Registering the same text again (AppConfig.ready run twice) is harmless …
    register_template("result_ready", _("Your result is ready"), _("Application %(number)s: the result is ready."))
    assert get_template("result_ready").render({"number": "NM-2026-0042"}, "ru")[1].count("NM-2026-0042") == 1
    # … another text under a taken code is a mistake.
    with pytest.raises(ImproperlyConfigured):
        register_template("result_ready", _("Other"), _("Something else %(number)s"))
