"""REST API v1 of the preschool app. The public part first: the kindergarten registry as open data
(`/api/v1/preschool/kindergartens/`), read-only and anonymous, paginated and filtered as the catalog's
API, held by the page cache (content "preschool")."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.permissions import AllowAny

from darcha.catalog.api import StrictQueryMixin
from darcha.core.pagecache import PublicPage

from .choices import AgeGroup, KindergartenKind, Regime, TeachingLanguage
from .models import Kindergarten
from .selectors import (
    RegistryFilters,
    registry_districts,
    registry_kindergarten,
    registry_kindergartens,
    registry_page_programs,
    registry_search,
)
from .serializers import RegistryKindergartenSerializer

# --- public registry ---------------------------------------------------------------------------------------


def _checked_only(queryset, name, value):
    # The filters are applied together by KindergartenFilter.filter_queryset (the registry's one search).
    return queryset


class KindergartenFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(method=_checked_only, help_text="City or district code")
    kind = django_filters.ChoiceFilter(choices=KindergartenKind.choices, method=_checked_only)
    age_group = django_filters.ChoiceFilter(choices=AgeGroup.choices, method=_checked_only)
    language = django_filters.ChoiceFilter(
        choices=TeachingLanguage.choices, method=_checked_only, help_text="Language of the group"
    )
    regime = django_filters.ChoiceFilter(choices=Regime.choices, method=_checked_only, help_text="Hours a day")
    free = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method=_checked_only,
        help_text="true: only kindergartens with a free place in a group matching the other filters",
    )
    q = django_filters.CharFilter(
        method=_checked_only, max_length=200, help_text="Words of the name, number, mahalla or address, any script"
    )

    def registry_filters(self) -> RegistryFilters:
        data = self.form.cleaned_data
        district = None
        if data.get("district"):
            district = registry_districts().filter(code=data["district"]).first()
            if district is None:
                raise exceptions.ValidationError(
                    {"district": [_("No city or district of the registry has this code.")]}
                )
        return RegistryFilters(
            district=district,
            kind=data.get("kind") or "",
            language=data.get("language") or "",
            regime=data.get("regime") or "",
            age_group=data.get("age_group") or "",
            free_only=data.get("free") == "true",
            query=(data.get("q") or "").strip(),
        )

    def filter_queryset(self, queryset):
        self.chosen = self.registry_filters()
        return registry_search(self.chosen)


@extend_schema_view(
    list=extend_schema(
        summary="Kindergartens with their groups and free places (open data)",
        description="Each kindergarten with the groups matching the filters: seats, children attending, "
        "referrals open, free places, the queue and its privileged part, the monthly fee and the last "
        "admission cutoff.",
    ),
    retrieve=extend_schema(summary="One kindergarten: every group with its figures, fee and last cutoff"),
)
class KindergartenViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = RegistryKindergartenSerializer
    filterset_class = KindergartenFilter
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    # Anonymous answers held per process until the registry changes, with an ETag (core.pagecache).
    page_cache = PublicPage("preschool")

    def get_queryset(self):
        return registry_kindergartens()

    def list(self, request, *args, **kwargs):
        filterset = KindergartenFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        registry_page_programs(page, filterset.chosen)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        try:
            return registry_kindergarten(self.kwargs["code"])
        except Kindergarten.DoesNotExist:
            raise exceptions.NotFound(_("No kindergarten has this code.")) from None
