"""Test data. Writes go through the service functions, as in the application.

The factories of people, applications and tickets call the services (`person_register`,
`application_submit`, `ticket_issue`), so what a test builds passes the same checks and leaves
the same events and audit entries as in production; `staff` grants a role through `membership_grant`.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from darcha.cases.models import Application
from darcha.cases.services import Fee, Intake, application_submit
from darcha.catalog.choices import Action, Outcome
from darcha.catalog.models import Category, ProcedureVersion, RequiredDocument, Service, Step, Transition
from darcha.catalog.services import procedure_publish
from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.identifiers import pinfl_check_digit
from darcha.core.models import BaseCalculationAmount, Organization, Person, User
from darcha.core.money import FeeKind
from darcha.core.services import membership_grant, person_register
from darcha.queues.models import Ticket
from darcha.queues.services import ticket_issue

# Files to upload: the smallest bytes each format's check accepts (a PDF must open, with a page: pypdf's own).
PDF = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\n/Producer (pypdf)\n>>\nendobj\n2 0 obj\n<<\n/Type /Pages\n/Count 1\n"
    b"/Kids [ 4 0 R ]\n>>\nendobj\n3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n4 0 obj\n<<\n/Type /Page\n"
    b"/Resources <<\n>>\n/MediaBox [ 0.0 0.0 10 10 ]\n/Parent 2 0 R\n>>\nendobj\nxref\n0 5\n0000000000 65535 f \n"
    b"0000000015 00000 n \n0000000054 00000 n \n0000000113 00000 n \n0000000162 00000 n \ntrailer\n<<\n/Size 5\n"
    b"/Root 3 0 R\n/Info 1 0 R\n>>\nstartxref\n254\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def pdf_file(name="scan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganizationKind.AGENCY
    name_uz = factory.Sequence(lambda n: f"Tashkilot {n}")
    name_ru = factory.Sequence(lambda n: f"Организация {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


def staff(username: str, organization: Organization, role: str, **fields) -> User:
    """A user holding `role` at `organization` (granted through membership_grant)."""
    user = UserFactory(username=username, **fields)
    membership_grant(actor=SYSTEM, user=user, organization=organization, role=role)
    return user


def _pinfl(n: int) -> str:
    first13 = f"3010190{n:06d}"  # born 01.01.1990, a man; a valid check digit
    return first13 + str(pinfl_check_digit(first13))


class PersonFactory(factory.django.DjangoModelFactory):
    """An applicant, registered through person_register (found again by PINFL, passport or STIR)."""

    class Meta:
        model = Person

    kind = PersonKind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"Fuqaro {n}")
    pinfl = factory.Sequence(_pinfl)
    language = "uz"

    @classmethod
    def _create(cls, model_class, *args, actor=SYSTEM, **fields):
        return person_register(actor=actor, **fields)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application submitted at a center through application_submit.

    `service`, `applicant`, `center` and `operator` (the actor) are required. By default the first
    checklist item is presented and uploaded (a PDF), the second uploaded as a PNG, and the fee paid
    (reference PAY-1); any other keyword replaces that field of the Intake.
    """

    class Meta:
        model = Application

    @classmethod
    def _create(cls, model_class, *args, service, applicant, center, operator, **changes):
        documents = list(service.documents.order_by("position"))
        uploads = [(documents[0], pdf_file())] if documents else []
        if len(documents) > 1:
            uploads.append((documents[1], SimpleUploadedFile("plan.png", PNG)))
        intake = Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=documents[:1],
            uploads=uploads,
            fee=Fee(payment_reference="PAY-1"),
        )
        now = changes.pop("now", None)
        for key, value in changes.items():
            setattr(intake, key, value)
        return application_submit(actor=operator, intake=intake, now=now)


def _a_minute_ago() -> dt.datetime:
    # A minute ago, but never yesterday: the queue is per day.
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0)))
    return max(timezone.now() - dt.timedelta(minutes=1), midnight)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket issued through ticket_issue, by the kiosk (the system actor) unless `actor` is given,
    at `now` (default: a minute ago). `center` and `service` are required."""

    class Meta:
        model = Ticket

    @classmethod
    def _create(cls, model_class, *args, center, service, actor=SYSTEM, now=None, **fields):
        return ticket_issue(actor=actor, center=center, service=service, now=now or _a_minute_ago(), **fields)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"cat-{n}")
    name_uz = factory.Sequence(lambda n: f"Turkum {n}")
    name_ru = factory.Sequence(lambda n: f"Категория {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"service-{n}")
    category = factory.SubFactory(CategoryFactory)
    responsible_agency = factory.SubFactory(OrganizationFactory)
    name_uz = factory.Sequence(lambda n: f"Xizmat {n}")
    name_ru = factory.Sequence(lambda n: f"Услуга {n}")
    fee_kind = FeeKind.BRV_MULTIPLE
    fee_value = Decimal("1")
    term_days = 10

    @classmethod
    def with_parallel_procedure(cls, **kwargs) -> Service:
        BaseCalculationAmount.objects.get_or_create(valid_from=dt.date(2025, 8, 1), defaults={"amount": 412_000})
        service = cls(**kwargs)
        RequiredDocument.objects.create(service=service, name_uz="Pasport", name_ru="Паспорт", position=1)
        RequiredDocument.objects.create(
            service=service,
            name_uz="Kadastr maʼlumotnomasi",
            name_ru="Кадастровая справка",
            position=2,
            obtained_by_center=True,
        )
        version = ProcedureVersion.objects.create(service=service, number=1)
        fire = OrganizationFactory(code="fire", name_uz="Yongʻin xavfsizligi", name_en="Fire safety")
        sanitary = OrganizationFactory(code="ses", name_uz="SES", name_en="Sanitary service")
        first = step(version, "fire-check", 1, fire, term=3)
        second = step(version, "ses-check", 1, sanitary, term=3)
        final = step(version, "decision", 2, service.responsible_agency, term=5, join=True)
        for target in (first, second):
            Transition.objects.create(version=version, from_step=None, action=Action.SUBMIT, to_step=target)
            Transition.objects.create(version=version, from_step=target, action=Action.APPROVE, to_step=final)
            Transition.objects.create(version=version, from_step=target, action=Action.REJECT, outcome=Outcome.REFUSED)
        Transition.objects.create(version=version, from_step=final, action=Action.APPROVE, outcome=Outcome.ISSUED)
        procedure_publish(actor=SYSTEM, version=version)
        return service


def two_agency_service(**kwargs) -> Service:
    """The issue's story: the land agency checks, then the architecture agency decides and issues.

    Both steps may refuse or ask the citizen for documents (the clock stops); the checklist has a
    passport (brought), a site plan (brought, optional) and a cadastre extract the center obtains.
    """
    BaseCalculationAmount.objects.get_or_create(valid_from=dt.date(2025, 8, 1), defaults={"amount": 412_000})
    kwargs.setdefault(
        "responsible_agency", OrganizationFactory(code="arch", name_uz="Arxitektura", name_en="Architecture")
    )
    service = ServiceFactory(**kwargs)
    RequiredDocument.objects.create(
        service=service, name_uz="Pasport", name_ru="Паспорт", name_en="Passport", position=1
    )
    RequiredDocument.objects.create(
        service=service, name_uz="Joy rejasi", name_ru="План участка", name_en="Site plan", position=2, mandatory=False
    )
    RequiredDocument.objects.create(
        service=service,
        name_uz="Kadastr koʻchirmasi",
        name_ru="Кадастровая выписка",
        name_en="Cadastre extract",
        position=3,
        obtained_by_center=True,
    )
    version = ProcedureVersion.objects.create(service=service, number=1)
    land = OrganizationFactory(code="land", name_uz="Yer resurslari", name_en="Land resources")
    first = step(version, "land-check", 1, land, term=3)
    second = step(version, "arch-decision", 2, service.responsible_agency, term=5)
    Transition.objects.create(version=version, from_step=None, action=Action.SUBMIT, to_step=first)
    Transition.objects.create(version=version, from_step=first, action=Action.APPROVE, to_step=second)
    for current in (first, second):
        Transition.objects.create(
            version=version,
            from_step=current,
            action=Action.REQUEST_DOCUMENTS,
            to_step=current,
            effects=["wait_citizen", "notify_citizen"],
        )
        Transition.objects.create(
            version=version,
            from_step=current,
            action=Action.REJECT,
            outcome=Outcome.REFUSED,
            effects=["notify_citizen"],
        )
    Transition.objects.create(
        version=version,
        from_step=second,
        action=Action.APPROVE,
        outcome=Outcome.ISSUED,
        effects=["issue_document", "notify_citizen"],
    )
    procedure_publish(actor=SYSTEM, version=version)
    return service


def step(version, code, stage, agency, term=5, join=False) -> Step:
    return Step.objects.create(
        version=version,
        code=code,
        stage=stage,
        agency=agency,
        term_days=term,
        join=join,
        name_uz=f"{code} bosqichi",
        citizen_label_uz=f"{code}: koʻrib chiqilmoqda",
        citizen_label_ru=f"{code}: на рассмотрении",
    )
