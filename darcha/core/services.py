"""Every write of the core app. Each function takes an actor, runs atomically and is audited."""

from __future__ import annotations

import datetime as dt
import re

import holidays as holidays_lib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import formats, translation
from django.utils.translation import gettext as _

from . import access, pagecache
from .audit import actor_user, audit_record
from .choices import ROLE_ORGANIZATION_KINDS, HolidayKind, HolidaySource, PersonKind
from .errors import Forbidden
from .i18n import language_or_default
from .identifiers import mask_identifier, validate_passport, validate_phone, validate_pinfl, validate_stir
from .models import ApiToken, BaseCalculationAmount, Holiday, Membership, Organization, Person, User
from .money import OFFICIAL_BRV
from .selectors import person_find

# Russian names for the official holidays (the `holidays` package has Uzbek and English only), by the
# package's English name (older releases' names too), and of the qualifiers it adds in brackets.
_HOLIDAY_NAMES_RU = {
    "New Year's Day": "Новый год",
    "Women's Day": "Международный женский день",
    "Nowruz": "Навруз",
    "Day of Memory and Honor": "День памяти и почестей",
    "Remembrance and Honoring Day": "День памяти и почестей",
    "Independence Day": "День независимости",
    "Teachers and Instructors Day": "День учителей и наставников",
    "Teachers and Mentors Day": "День учителей и наставников",
    "Constitution Day": "День Конституции",
    "Eid al-Fitr": "Рамазан хайит",
    "Eid al-Adha": "Курбан хайит",
    "Additional day off by Presidential decree": "Дополнительный выходной день по указу Президента",
}
_HOLIDAY_QUALIFIERS_RU = {"observed": "перенесённый", "estimated": "предварительно"}
# "Day off (substituted from 12/12/2026)": a day off given for a Saturday worked (the package's US date).
_SUBSTITUTED = re.compile(r"^Day off \(substituted from (\d\d)/(\d\d)/(\d{4})\)$")


def _short_date(day: dt.date) -> str:
    """dd.mm.yyyy: the short date of every language (core/formats), whatever language is active (none in `migrate`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def _russian_holiday_name(name_en: str) -> str:
    base, _bracket, rest = name_en.partition(" (")
    name = _HOLIDAY_NAMES_RU.get(base.split(";")[0].strip(), "")
    if name and rest:
        qualifiers = [_HOLIDAY_QUALIFIERS_RU.get(part.strip()) for part in rest.rstrip(")").split(",")]
        name = f"{name} ({', '.join(qualifiers)})" if all(qualifiers) else ""
    return name


def official_days(years: list[int]) -> dict[dt.date, dict]:
    """The official calendar of `years` as Holiday fields: days off and the Saturdays worked for them, named
    in Uzbek, Russian and English (Uzbek Cyrillic is transliterated when shown); dates as dd.mm.yyyy."""
    names_uz = holidays_lib.country_holidays("UZ", years=years, language="uz")
    names_en = holidays_lib.country_holidays("UZ", years=years, language="en_US")
    rows: dict[dt.date, dict] = {}
    worked_for: dict[dt.date, dt.date] = {}  # a Saturday worked → the day off given for it
    for day, name_uz in names_uz.items():
        name_en = names_en.get(day, "")
        substituted = _SUBSTITUTED.match(name_en)
        if substituted:
            month, number, year = substituted.groups()
            worked = dt.date(int(year), int(month), int(number))
            worked_for[worked] = day
            when = _short_date(worked)
            names = {
                "name_uz": f"Dam olish kuni ({when}-dan koʻchirilgan)",
                "name_ru": f"Выходной день (перенесён с {when})",
                "name_en": f"Day off (moved from {when})",
            }
        else:
            names = {"name_uz": name_uz, "name_ru": _russian_holiday_name(name_en), "name_en": name_en}
        rows[day] = {"kind": HolidayKind.DAY_OFF, **names}
    for day in getattr(names_uz, "weekend_workdays", ()):
        if day.year not in years:
            continue
        # The kind says "working day"; the name says for which day off (the desk shows both).
        if day in worked_for:
            when = _short_date(worked_for[day])
            names = {
                "name_uz": f"{when}-dagi dam olish kuni oʻrniga",
                "name_ru": f"вместо выходного дня {when}",
                "name_en": f"in place of the day off on {when}",
            }
        else:
            names = {"name_uz": "koʻchirilgan", "name_ru": "перенесённый", "name_en": "transferred"}
        rows[day] = {"kind": HolidayKind.WORKING_DAY, **names}
    return rows


_SECRET_FIELDS = {"password"}


def _snapshot(instance: models.Model) -> dict:
    return {
        k: v
        for k, v in model_to_dict(instance).items()
        if k not in _SECRET_FIELDS and not isinstance(v, list | models.Model)
    }


def record_save(*, actor, instance: models.Model, action: str | None = None) -> models.Model:
    """Validate and save a plain record (catalog and reference data edited by administrators)."""
    creating = instance._state.adding
    before = {} if creating else _snapshot(type(instance).objects.get(pk=instance.pk))
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        after = _snapshot(instance)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        audit_record(
            actor=actor, action=action or ("create" if creating else "update"), obj=instance, data={"changes": changes}
        )
        # Public pages showing this record (the catalog's) get a new version: core.pagecache.
        pagecache.content_changed(model=type(instance))
    return instance


def record_delete(*, actor, instance: models.Model) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="delete", obj=instance, data={"deleted": _snapshot(instance)})
        instance.delete()
        pagecache.content_changed(model=type(instance))


def membership_grant(*, actor, user: User, organization: Organization, role: str) -> Membership:
    if organization.kind not in ROLE_ORGANIZATION_KINDS.get(role, set()):
        raise ValidationError(
            _("The role “%(role)s” cannot be held in an organization of this kind (%(kind)s).")
            % {"role": role, "kind": organization.get_kind_display()},
            code="role_kind",
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, organization=organization, role=role)
        if created:
            audit_record(
                actor=actor,
                action="membership_grant",
                obj=membership,
                data={"user": user.pk, "organization": organization.code, "role": role},
            )
    access.forget(user)
    return membership


def membership_revoke(*, actor, membership: Membership) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="membership_revoke",
            obj=membership,
            data={"user": membership.user_id, "organization": membership.organization_id, "role": membership.role},
        )
        membership.delete()
    access.forget(membership.user)


def user_set_language(*, actor, user: User, language: str) -> User:
    valid = {code for code, _label in User._meta.get_field("language").choices}
    if language not in valid:
        raise ValidationError(_("Unknown language."), code="language")
    if user.language != language:
        with transaction.atomic():
            old, user.language = user.language, language
            user.save(update_fields=["language"])
            audit_record(actor=actor, action="user_set_language", obj=user, data={"language": [old, language]})
    return user


def brv_seed(*, actor) -> int:
    """Enter the official BRV values that are missing (an administrator's own rows are kept); how many."""
    created = 0
    with transaction.atomic():
        known = set(BaseCalculationAmount.objects.values_list("valid_from", flat=True))
        for valid_from, amount, decree in OFFICIAL_BRV:
            if valid_from in known:
                continue
            row = BaseCalculationAmount.objects.create(valid_from=valid_from, amount=amount, decree=decree)
            audit_record(actor=actor, action="brv_seed", obj=row, data={"amount": amount, "decree": decree})
            created += 1
        if created:
            pagecache.content_changed(model=BaseCalculationAmount)
    return created


def holidays_seed(*, actor, years: list[int]) -> int:
    """Load the official Uzbek calendar for `years`; days an administrator entered are kept as they are."""
    rows = official_days(years)
    manual = set(Holiday.objects.filter(date__in=rows, source=HolidaySource.MANUAL).values_list("date", flat=True))
    created = 0
    with transaction.atomic():
        for day, values in sorted(rows.items()):
            if day in manual:
                continue
            _obj, was_created = Holiday.objects.update_or_create(
                date=day, defaults={**values, "source": HolidaySource.OFFICIAL}
            )
            created += was_created
        if created:
            audit_record(actor=actor, action="holidays_seed", data={"years": years, "created": created})
    return created


def brv_set(*, actor, valid_from: dt.date, amount: int, decree: str = "") -> BaseCalculationAmount:
    if amount <= 0:
        raise ValidationError(_("The BRV must be a positive amount."), code="brv_amount")
    with transaction.atomic():
        brv, _created = BaseCalculationAmount.objects.update_or_create(
            valid_from=valid_from, defaults={"amount": amount, "decree": decree}
        )
        audit_record(actor=actor, action="brv_set", obj=brv, data={"valid_from": valid_from, "amount": amount})
        pagecache.content_changed(model=BaseCalculationAmount)
    return brv


# --- Applicants -------------------------------------------------------------------------------


def _person_fields(*, kind, name, pinfl, passport, stir, phone) -> tuple[dict, dict[str, list]]:
    """The applicant's fields normalised, and the messages of those refused (by field)."""
    errors: dict[str, list] = {}

    def clean(field, validator, value):
        try:
            return validator(value) if value else ""
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
            return ""

    if kind not in PersonKind.values:
        errors["kind"] = [_("Choose whether the applicant is an individual or a legal entity.")]
    values = {
        "pinfl": clean("pinfl", validate_pinfl, str(pinfl or "").strip()),
        "passport": clean("passport", validate_passport, str(passport or "").strip()),
        "stir": clean("stir", validate_stir, str(stir or "").strip()),
        "phone": clean("phone", validate_phone, str(phone or "").strip()),
        "name": " ".join(str(name or "").split())[:255],
    }
    if not values["name"]:
        errors["name"] = [_("Enter the applicant's name.")]
    if (
        kind == PersonKind.INDIVIDUAL
        and not (values["pinfl"] or values["passport"])
        and not {"pinfl", "passport"} & errors.keys()
    ):
        errors["pinfl"] = [_("An individual is identified by PINFL or passport number.")]
    if kind == PersonKind.LEGAL_ENTITY and not values["stir"] and "stir" not in errors:
        errors["stir"] = [_("A legal entity is identified by its STIR.")]
    return values, errors


def person_problems(
    *, kind: str, name: str, pinfl: str = "", passport: str = "", stir: str = "", phone: str = "", **_contact
) -> dict[str, list[str]]:
    """What would stop `person_register` with these details, by field, without writing anything (for a
    form refused for other reasons that shows every problem at once)."""
    _values, errors = _person_fields(kind=kind, name=name, pinfl=pinfl, passport=passport, stir=stir, phone=phone)
    return errors


def person_register(
    *,
    actor,
    kind: str,
    name: str,
    pinfl: str = "",
    passport: str = "",
    stir: str = "",
    phone: str = "",
    email: str = "",
    language: str = "uz",
    update_existing: bool = True,
) -> Person:
    """Find the applicant (`selectors.person_find`: by PINFL, passport or STIR), or register them;
    contact details are updated.

    An individual is identified by PINFL (preferred) or passport, a legal entity by STIR. Raises
    ValidationError with field-level, translated messages. With `update_existing=False` (a citizen
    online, whose identity nobody has checked) a known person is returned as they are: typing
    someone's PINFL must not rename them.
    """
    values, errors = _person_fields(kind=kind, name=name, pinfl=pinfl, passport=passport, stir=stir, phone=phone)
    if errors:
        raise ValidationError(errors)
    pinfl, passport, stir, phone, name = (values[f] for f in ("pinfl", "passport", "stir", "phone", "name"))
    language = language_or_default(language)

    with transaction.atomic():
        found = person_find(kind=kind, pinfl=pinfl, passport=passport, stir=stir, for_update=True)
        if kind == PersonKind.LEGAL_ENTITY:
            identity = {"stir": stir, "pinfl": None, "passport": ""}
        else:
            identity = {"pinfl": pinfl or (found.pinfl if found else None), "passport": passport, "stir": None}
            if found is not None and not passport:
                identity["passport"] = found.passport
        if found is not None and not update_existing:
            return found
        person = found or Person(kind=kind)
        before = {f: getattr(person, f) for f in ("name", "phone", "email", "language", "pinfl", "passport")}
        person.kind = kind
        person.name = name
        person.phone = phone or person.phone
        person.email = email or person.email
        person.language = language
        for field, value in identity.items():
            setattr(person, field, value)
        person.save()
        changed = sorted(f for f, v in before.items() if getattr(person, f) != v)
        audit_record(
            actor=actor,
            action="person_register" if found is None else "person_update",
            obj=person,
            # Only which fields changed and a masked identifier: no personal data in the audit log.
            data={"identifier": mask_identifier(person.identifier), "changed": changed},
        )
    return person


def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for `user` (made by themselves; a superuser may for anyone): the row, and the token,
    which is stored only as a hash and so can be shown this once."""
    name = " ".join(str(name or "").split())[:100]
    if not name:
        raise ValidationError({"name": [_("Say what the token is for.")]})
    if actor_user(actor) != user and not access.is_superuser(actor):
        raise Forbidden(_("You may make API tokens only for yourself."))
    with transaction.atomic():
        token, secret = ApiToken.objects.create(user=user, name=name)
        # Recorded on the user: a token's own key (its hash) is longer than an audit entry's object id.
        audit_record(actor=actor, action="api_token_create", obj=user, data={"name": name, "key": token.token_key})
    return token, secret


def api_token_revoke(*, actor, token: ApiToken) -> None:
    if actor_user(actor) != token.user and not access.is_superuser(actor):
        raise Forbidden(_("You may revoke only your own API tokens."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="api_token_revoke",
            obj=token.user,
            data={"name": token.name, "key": token.token_key},
        )
        ApiToken.objects.filter(pk=token.pk).delete()
