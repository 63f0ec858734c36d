"""Builders of the surveys tests: a hokimiyat with its press secretary, and a survey made through the
builder's services (a choice question, a question shown for one of its answers, a multiple choice, a
scale, a matrix and a free text), launched and open now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.infoservice.surveys import services
from darcha.infoservice.surveys.models import Question, Survey
from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from tests.factories import OrganizationFactory, staff

PHONE = "+998901112233"


@dataclass
class Place:
    hokimiyat: Organization
    press: User


def place(code: str = "chust") -> Place:
    district = OrganizationFactory(code=code, kind=OrganizationKind.DISTRICT, name_uz=f"{code.title()} tumani")
    office = OrganizationFactory(
        code=f"{code}-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=district, name_uz=f"{code.title()} hokimligi"
    )
    return Place(hokimiyat=office, press=staff(f"press-{code}", office, Role.PRESS_SECRETARY))


def lines(*items: str) -> str:
    return "\n".join(items)


def survey(
    where: Place, *, code: str = "info-2010", identity: str = "phone", launch: bool = True, days: int = 10
) -> Survey:
    now = timezone.now()
    made = services.survey_create(
        actor=where.press,
        organization=where.hokimiyat,
        data={
            "code": code,
            "title_uz": "Hokimiyat haqida axborot",
            "title_ru": "Информация о хокимияте",
            "title_en": "Information about the hokimiyat",
            "identity": identity,
            "opens_at": now - dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=days),
        },
    )
    source = services.question_save(
        actor=where.press,
        survey=made,
        data={
            "kind": "single",
            "text_uz": "Asosiy manba",
            "text_en": "Main source",
            "required": True,
            "options_uz": lines("Televizor", "Gazeta", "Internet"),
            "options_en": lines("TV", "Newspapers", "Internet"),
        },
    )
    internet = source.options.order_by("order")[2]
    services.question_save(
        actor=where.press,
        survey=made,
        data={
            "kind": "multiple",
            "text_uz": "Qaysi saytlar",
            "text_en": "Which websites",
            "required": True,
            "options_uz": lines("Hokimiyat sayti", "Telegram", "Boshqa"),
            "show_if_option": internet,
        },
    )
    services.question_save(
        actor=where.press,
        survey=made,
        data={
            "kind": "scale",
            "text_uz": "Ishonch",
            "text_en": "Trust",
            "required": True,
            "low_label_en": "none",
            "high_label_en": "full",
        },
    )
    services.question_save(
        actor=where.press,
        survey=made,
        data={
            "kind": "matrix",
            "text_uz": "Baholang",
            "text_en": "Rate",
            "options_uz": lines("Yaxshi", "Yomon"),
            "options_en": lines("Good", "Bad"),
            "rows_uz": lines("Tezlik", "Aniqlik"),
            "rows_en": lines("Speed", "Accuracy"),
        },
    )
    services.question_save(
        actor=where.press, survey=made, data={"kind": "text", "text_uz": "Taklif", "text_en": "Proposals"}
    )
    if launch:
        services.survey_launch(actor=where.press, survey=made)
    made.refresh_from_db()
    return made


def questions(made: Survey) -> list[Question]:
    return list(made.questions.order_by("order").prefetch_related("options", "rows"))


def answers(made: Survey, *, source: int = 2, sites=(0, 1), trust: int = 4, text: str = "Ko'proq yangilik") -> dict:
    """A full answer: `source` the index of the main source's option (2 = internet, which shows question 2)."""
    q = questions(made)
    data = {
        f"q{q[0].pk}": [str(q[0].options.all()[source].pk)],
        f"q{q[1].pk}": [str(q[1].options.all()[i].pk) for i in sites],
        f"q{q[2].pk}": [str(trust)],
        f"q{q[4].pk}": [text],
    }
    good, bad = q[3].options.all()
    speed, accuracy = q[3].rows.all()
    data[f"q{q[3].pk}_r{speed.pk}"] = [str(good.pk)]
    data[f"q{q[3].pk}_r{accuracy.pk}"] = [str(bad.pk)]
    return data


def sms_code(phone: str = PHONE) -> str:
    return message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]
