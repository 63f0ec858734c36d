"""Catalog reads: search across languages and scripts, service pages, procedure timelines, today's fee."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization
from darcha.core.money import FeeKind, NoBaseAmount, brv_on, resolve_fee
from darcha.core.translit import search_key

from .choices import VersionStatus
from .models import Category, Discount, ProcedureVersion, RequiredDocument, Service, Step


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).select_related("category", "responsible_agency")


def service_search(query: str, services: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services whose names, keywords, category or agency contain every word of the query,
    whatever the language or script it is typed in (`kadastr`, `кадастр`, `cadastre`)."""
    services = active_services() if services is None else services
    words = search_key(query).split()
    for word in words[:8]:
        services = services.filter(search_text__contains=word)
    return services


def categories_with_counts() -> QuerySet[Category]:
    # GROUP BY drops the model's default ordering, so it is stated again.
    active = Count("services", filter=Q(services__is_active=True))
    return Category.objects.annotate(service_count=active).filter(service_count__gt=0).order_by("position", "code")


def agencies() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrganizationKind.AGENCY, is_active=True).select_related("parent")


def service_detail(code: str) -> Service:
    """One active service with everything its page shows, in a fixed number of queries."""
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("agency").prefetch_related("documents")),
        "transitions",
    )
    return (
        active_services()
        .prefetch_related(
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("position", "id")),
            Prefetch("versions", queryset=published, to_attr="published_versions"),
            "discounts",
        )
        .get(code=code)
    )


@dataclass
class Stage:
    number: int
    steps: list[Step]

    @property
    def parallel(self) -> bool:
        return len(self.steps) > 1


def procedure_timeline(service: Service) -> list[Stage]:
    """The published procedure as stages; a stage with several steps runs in parallel."""
    versions = getattr(service, "published_versions", None)
    version = versions[0] if versions else service.published_version
    if version is None:
        return []
    steps = sorted(version.steps.all(), key=lambda s: (s.stage, s.pk))
    return [Stage(stage, list(group)) for stage, group in groupby(steps, key=lambda s: s.stage)]


def service_agencies(service: Service) -> list[Organization]:
    """The responsible agency first, then every other agency acting in the published procedure."""
    seen = {service.responsible_agency_id: service.responsible_agency}
    for stage in procedure_timeline(service):
        for step in stage.steps:
            seen.setdefault(step.agency_id, step.agency)
    return list(seen.values())


# Why a fee cannot be computed: it is a multiple of a BRV nobody has entered for the day yet.
NO_BRV = gettext_lazy("No base calculation amount (BRV) is entered for this day; ask an administrator.")
_READ = object()


def fee_today(
    service: Service, discount: Discount | None = None, *, day: dt.date | None = None, brv: int | None | object = _READ
) -> int | None:
    """The service's fee in so'm on `day` (today), after the discount if given; None while it depends on a
    BRV not entered for that day. `brv`: that day's BRV (None: none in force) when the caller has read it
    already — a page or a list of thirty fees reads it once. The one way a fee is computed: intake
    (`cases.services.application_fee`), the catalog's pages and API, the `fee_today` template tag."""
    day = day or timezone.localdate()
    percent = discount.percent if discount is not None else 0
    if service.fee_kind in (FeeKind.FREE, FeeKind.FIXED):
        return resolve_fee(service.fee_kind, service.fee_value, day, percent, brv=0)
    if brv is _READ:
        try:
            brv = brv_on(day)
        except NoBaseAmount:
            brv = None
    if brv is None:
        return None
    return resolve_fee(service.fee_kind, service.fee_value, day, percent, brv=brv)
