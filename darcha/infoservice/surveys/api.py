"""REST API v1 of surveys, the public part: the published results, read-only and anonymous, held by the
page cache (content "surveys").

    GET /api/v1/surveys/           launched surveys with at least one question's results published
                                   (?hokimiyat=<code>), newest first, paged
    GET /api/v1/surveys/<code>/    one survey and its published questions' results, as its results page

Only published questions; never a response, a written answer, a phone or an account.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response as ApiResponse

from darcha.core.api import ApiLanguageMixin
from darcha.core.pagecache import PublicPage

from . import selectors
from .choices import PUBLIC_STATES, QuestionKind
from .models import Question, Survey


class SurveyHokimiyatSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SurveySerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    hokimiyat = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    responses = serializers.IntegerField(source="response_count", help_text="Responses received in all")

    class Meta:
        model = Survey
        fields = ["code", "title", "description", "hokimiyat", "opens_at", "closes_at", "state", "responses"]

    def get_title(self, survey) -> str:
        return str(survey.title)

    def get_description(self, survey) -> str:
        return str(survey.description)

    @extend_schema_field(SurveyHokimiyatSerializer)
    def get_hokimiyat(self, survey) -> dict:
        return {"code": survey.organization.code, "name": str(survey.organization.name)}

    @extend_schema_field(serializers.ChoiceField(choices=PUBLIC_STATES))
    def get_state(self, survey) -> str:
        return survey.state()


class SurveyAnswerCountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField(help_text="Of those who answered the question (the matrix: the row)")


class SurveyMatrixRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    answers = SurveyAnswerCountSerializer(many=True)


class SurveyQuestionResultSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The question's number in the survey")
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    respondents = serializers.IntegerField(help_text="How many answered this question")
    published_at = serializers.DateTimeField()
    answers = SurveyAnswerCountSerializer(many=True, help_text="Choices and the scale's points 1–5")
    rows = SurveyMatrixRowSerializer(many=True, help_text="A matrix's rows")
    mean = serializers.FloatField(allow_null=True, help_text="The scale's mean")
    texts = serializers.IntegerField(help_text="Free text: how many wrote an answer (the texts are not published)")


class SurveyResultsSerializer(SurveySerializer):
    questions = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]

    @extend_schema_field(SurveyQuestionResultSerializer(many=True))
    def get_questions(self, survey) -> list[dict]:
        shown = selectors.results(survey, selectors.questions(survey), published_only=True)

        def bars(items):
            return [{"label": b.label, "count": b.count, "percent": b.percent} for b in items]

        return [
            {
                "number": r.number,
                "kind": r.kind,
                "text": str(r.question.text),
                "respondents": r.respondents,
                "published_at": serializers.DateTimeField().to_representation(r.question.results_published_at),
                "answers": bars(r.bars),
                "rows": [{"label": label, "answers": bars(items)} for label, items in r.matrix],
                "mean": r.mean,
                "texts": r.texts,
            }
            for r in shown
        ]


@extend_schema_view(
    list=extend_schema(
        summary="Surveys with published results (open data)",
        description="Launched surveys of which at least one question's results are published; newest first.",
        parameters=[OpenApiParameter("hokimiyat", str, description="Hokimiyat code")],
    ),
    retrieve=extend_schema(
        summary="One survey's published results",
        description="Each published question's counts and shares; unpublished questions are left out.",
        responses=SurveyResultsSerializer,
    ),
)
class SurveyViewSet(ApiLanguageMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = SurveySerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-z0-9]+"
    page_cache = PublicPage("surveys")
    allowed_params = frozenset({"page", "page_size", "format", "lang", "hokimiyat"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_params)
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("Unknown query parameter.")] for name in unknown}, code="unknown_parameter"
            )
        # PostgreSQL text cannot hold a NUL character: refused here, not failing in the database.
        bad = sorted(name for name, values in request.query_params.lists() if any("\x00" in v for v in values))
        if bad:
            raise exceptions.ValidationError({name: [_("Null characters are not allowed.")] for name in bad})

    def get_queryset(self):
        published = Question.objects.filter(survey=OuterRef("pk"), results_published_at__isnull=False)
        queryset = (
            Survey.objects.filter(launched_at__isnull=False, organization__is_active=True)
            .filter(Exists(published))
            .select_related("organization")
            .order_by("-opens_at", "-id")
        )
        hokimiyat = self.request.query_params.get("hokimiyat", "")
        if hokimiyat:
            queryset = queryset.filter(organization__code=hokimiyat)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        survey = self.get_queryset().filter(code=kwargs.get("code", "")).first()
        if survey is None:
            raise exceptions.NotFound(_("No survey with published results has this code."))
        return ApiResponse(SurveyResultsSerializer(survey, context=self.get_serializer_context()).data)
