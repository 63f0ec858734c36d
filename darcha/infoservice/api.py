"""REST API v1 of the information service's appeals, the public part: read-only and anonymous, held by the
page cache (content "appeals").

    GET /api/v1/appeals/archive/             published answers (?topic=<code> hokimiyat=<code> outcome=)
    GET /api/v1/appeals/archive/<number>/    one published appeal
    GET /api/v1/appeals/statistics/          the year's figures (?year= hokimiyat=<code>), as the page's

Only what the public archive shows: the officer's redacted text, never the author's name, address, phone
or the original text. The statistics count what happened before today, as the statistics page does.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from darcha.catalog.api import StrictQueryMixin
from darcha.core.api import ApiLanguageMixin, ErrorSerializer
from darcha.core.pagecache import PublicPage

from . import selectors
from .choices import AppealType, Channel, Outcome
from .models import Appeal, Topic


class NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ArchiveAppealSerializer(serializers.ModelSerializer):
    hokimiyat = serializers.SerializerMethodField()
    topic = serializers.SerializerMethodField()
    type = serializers.ChoiceField(choices=AppealType.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    received = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField()
    text = serializers.CharField(source="published_text", help_text="The text as the officer published it")

    class Meta:
        model = Appeal
        fields = ["number", "hokimiyat", "topic", "type", "outcome", "received", "answered", "published_at", "text"]

    @extend_schema_field(NamedSerializer)
    def get_hokimiyat(self, appeal) -> dict:
        return {"code": appeal.organization.code, "name": str(appeal.organization.name)}

    @extend_schema_field(NamedSerializer(allow_null=True))
    def get_topic(self, appeal) -> dict | None:
        return {"code": appeal.topic.code, "name": str(appeal.topic.name)} if appeal.topic_id else None

    def get_received(self, appeal) -> str:
        return timezone.localtime(appeal.received_at).date().isoformat()

    def get_answered(self, appeal) -> str | None:
        return timezone.localtime(appeal.closed_at).date().isoformat() if appeal.closed_at else None


class ArchiveFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(method="_checked", help_text="Topic code")
    hokimiyat = django_filters.CharFilter(method="_checked", help_text="Hokimiyat code")
    outcome = django_filters.ChoiceFilter(
        method="_checked", choices=[(value, Outcome(value).label) for value in selectors.ARCHIVE_OUTCOMES]
    )

    def _checked(self, queryset, name, value):
        return queryset  # applied together by filter_queryset, through the archive's selector

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        topic = office = None
        if data.get("topic"):
            topic = Topic.objects.filter(code=data["topic"]).first()
            if topic is None:
                raise exceptions.ValidationError({"topic": [_("No topic has this code.")]})
        if data.get("hokimiyat"):
            office = selectors.public_hokimiyat(data["hokimiyat"])
            if office is None:
                raise exceptions.ValidationError({"hokimiyat": [_("No hokimiyat has this code.")]})
        filters = selectors.ArchiveFilters(
            topic=topic.pk if topic else None, hokimiyat=office.pk if office else None, outcome=data.get("outcome", "")
        )
        return selectors.archive_appeals(filters)


@extend_schema_view(
    list=extend_schema(
        summary="Published answers to appeals (open data)",
        description="Answered appeals whose authors consented to publication, with the text the officer "
        "published (personal data removed); the latest published first.",
    ),
    retrieve=extend_schema(summary="One published appeal"),
)
class ArchiveViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = ArchiveAppealSerializer
    filterset_class = ArchiveFilter
    lookup_field = "number"
    lookup_value_regex = "[-A-Za-z0-9]+"
    page_cache = PublicPage("appeals")

    def get_queryset(self):
        return selectors.archive_appeals(selectors.ArchiveFilters())

    def get_object(self):
        appeal = selectors.archive_appeal(self.kwargs["number"])
        if appeal is None:
            raise exceptions.NotFound(_("No published appeal has this number."))
        return appeal


STATISTICS_SCHEMA = inline_serializer(
    "AppealStatistics",
    {
        "year": serializers.IntegerField(),
        "until": serializers.DateField(help_text="The figures count appeals received before this day"),
        "hokimiyat": serializers.CharField(allow_null=True),
        "total": serializers.IntegerField(),
        "closed": serializers.IntegerField(),
        "on_time": serializers.IntegerField(help_text="Closed by their due date"),
        "on_time_share": serializers.FloatField(allow_null=True, help_text="Percent of the closed"),
        "by_topic": inline_serializer(
            "AppealTopicCount",
            {"topic": serializers.CharField(allow_null=True), "count": serializers.IntegerField()},
            many=True,
        ),
        "by_channel": inline_serializer(
            "AppealChannelCount",
            {"channel": serializers.ChoiceField(choices=Channel.choices), "count": serializers.IntegerField()},
            many=True,
        ),
        "by_outcome": inline_serializer(
            "AppealOutcomeCount",
            {"outcome": serializers.ChoiceField(choices=Outcome.choices), "count": serializers.IntegerField()},
            many=True,
        ),
        "by_hokimiyat": inline_serializer(
            "AppealHokimiyatCount",
            {
                "hokimiyat": serializers.CharField(),
                "count": serializers.IntegerField(),
                "closed": serializers.IntegerField(),
                "on_time": serializers.IntegerField(),
                "on_time_share": serializers.FloatField(allow_null=True),
            },
            many=True,
        ),
        "districts": inline_serializer(
            "AppealDistrictRate",
            {
                "district": serializers.CharField(),
                "count": serializers.IntegerField(),
                "residents": serializers.IntegerField(allow_null=True),
                "population_year": serializers.IntegerField(allow_null=True),
                "per_10000": serializers.FloatField(allow_null=True, help_text="Null: no population figure"),
            },
            many=True,
        ),
    },
)


class StatisticsView(ApiLanguageMixin, APIView):
    permission_classes = [AllowAny]
    page_cache = PublicPage("appeals")

    @extend_schema(
        summary="Appeals statistics (open data)",
        description="The year's appeals by topic, channel and outcome, the share closed by the due date, per "
        "hokimiyat, and appeals per 10,000 residents of each city and district (null where no population "
        "is recorded). Counts what happened before today.",
        parameters=[
            OpenApiParameter("year", int, description="Default: this year"),
            OpenApiParameter("hokimiyat", str, description="Hokimiyat code"),
        ],
        responses={200: STATISTICS_SCHEMA, 400: ErrorSerializer},
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - {"year", "hokimiyat", "format", "lang"})
        if unknown:
            raise exceptions.ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        years = selectors.statistics_years()
        year = request.query_params.get("year", "")
        if year and not (year.isdigit() and int(year) in years):
            raise exceptions.ValidationError({"year": [_("No statistics for this year.")]})
        office = None
        if request.query_params.get("hokimiyat"):
            office = selectors.public_hokimiyat(request.query_params["hokimiyat"])
            if office is None:
                raise exceptions.ValidationError({"hokimiyat": [_("No hokimiyat has this code.")]})
        figures = selectors.appeal_statistics_cached(year=int(year) if year else years[0], hokimiyat=office)
        return Response(
            {
                "year": figures["year"],
                "until": timezone.localtime(figures["cutoff"]).date().isoformat(),
                "hokimiyat": office.code if office else None,
                "total": figures["total"],
                "closed": figures["closed"],
                "on_time": figures["on_time"],
                "on_time_share": figures["on_time_share"],
                "by_topic": [{"topic": t.code if t else None, "count": n} for t, n in figures["by_topic"]],
                "by_channel": [{"channel": key, "count": n} for key, n in figures["by_channel"]],
                "by_outcome": [{"outcome": key, "count": n} for key, n in figures["by_outcome"]],
                "by_hokimiyat": [
                    {
                        "hokimiyat": row["hokimiyat"].code,
                        "count": row["count"],
                        "closed": row["closed"],
                        "on_time": row["on_time"],
                        "on_time_share": row["on_time_share"],
                    }
                    for row in figures["by_hokimiyat"]
                ],
                "districts": [
                    {
                        "district": row["district"].code,
                        "count": row["count"],
                        "residents": row["residents"],
                        "population_year": row["population_year"],
                        "per_10000": row["rate"],
                    }
                    for row in figures["districts"]
                ]
                + [
                    {
                        "district": row["district"].code,
                        "count": row["count"],
                        "residents": None,
                        "population_year": None,
                        "per_10000": None,
                    }
                    for row in figures["unknown"]
                ],
            }
        )
