"""Catalog reads: search across languages and scripts, service pages, procedure timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization
from darcha.core.money import NoBaseAmount
from darcha.core.translit import search_key

from .choices import VersionStatus
from .models import Category, ProcedureVersion, RequiredDocument, Service, Step


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


def fee_today(service: Service, day: dt.date | None = None) -> int | None:
    """Today's fee in so'm (None if the BRV table has no amount for today yet)."""
    try:
        return service.fee_on(day or timezone.localdate())
    except NoBaseAmount:
        return None
