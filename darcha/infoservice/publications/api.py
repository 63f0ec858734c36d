"""REST API v1 of publications, the public part: read-only and anonymous, held by the page cache (content
"publications").

    GET /api/v1/publications/          public publications, the latest first, paged (?organization=<code>
                                       kind= category=<code> tag=<code> q=<words in any language or script>
                                       lang=)
    GET /api/v1/publications/<id>/     one public publication with its body, images and attachments

Each item comes in the language asked for (`?lang=`, else Accept-Language), else in Uzbek (Latin) with
`fallback: true` and `language` saying which text it is — as the pages mark it. Only what the public pages
show: published publications and their published texts; never a draft, a reviewer or a comment.
"""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import AllowAny

from darcha.catalog.api import StrictQueryMixin
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.links import absolute_url
from darcha.core.pagecache import PublicPage

from . import selectors
from . import selectors_public as public
from .choices import PublicationKind
from .models import Publication, PublicationText
from .public_links import attachment_path, current_language, image_path, item_path, pdf_path, summary
from .sanitize import clean_html


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    number = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    subject = serializers.CharField()
    signed_pdf = serializers.URLField(allow_null=True, help_text="The signed decision (PDF), when attached")


class ImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField(help_text="The alternative text in the language of the answer (else Uzbek)")


class AttachmentSerializer(serializers.Serializer):
    url = serializers.URLField()
    title = serializers.CharField()


class PublicationSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=PublicationKind.choices)
    category = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    fallback = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    lead = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "id",
            "organization",
            "kind",
            "slug",
            "url",
            "published_at",
            "updated_at",
            "category",
            "tags",
            "language",
            "fallback",
            "languages",
            "title",
            "lead",
            "summary",
            "decision",
            "image",
        ]

    def _text(self, publication):
        cached = getattr(publication, "_api_text", None)
        if cached is None:
            cached = selectors.publication_text(publication, current_language())
            if cached[0] is None:  # no default text (written around the services): an empty one
                cached = (PublicationText(publication=publication, language=settings.LANGUAGE_CODE, title=""), True)
            publication._api_text = cached
        return cached

    @extend_schema_field(CodeNameSerializer)
    def get_organization(self, publication) -> dict:
        return {"code": publication.organization.code, "name": str(publication.organization.name)}

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_category(self, publication) -> dict | None:
        category = publication.category
        return {"code": category.code, "name": str(category.name)} if category else None

    @extend_schema_field(CodeNameSerializer(many=True))
    def get_tags(self, publication) -> list[dict]:
        return [{"code": tag.code, "name": str(tag.name)} for tag in publication.tags.all()]

    @extend_schema_field(serializers.ChoiceField(choices=LANGUAGE_CHOICES))
    def get_language(self, publication) -> str:
        return self._text(publication)[0].language

    @extend_schema_field(serializers.BooleanField(help_text="No text in the language asked for: the Uzbek one"))
    def get_fallback(self, publication) -> bool:
        return self._text(publication)[1]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=LANGUAGE_CHOICES)))
    def get_languages(self, publication) -> list[str]:
        return selectors.published_languages(publication)

    def get_title(self, publication) -> str:
        return self._text(publication)[0].title

    def get_lead(self, publication) -> str:
        return self._text(publication)[0].lead

    @extend_schema_field(serializers.CharField(help_text="The lead, else the beginning of the body's text"))
    def get_summary(self, publication) -> str:
        return summary(self._text(publication)[0])

    @extend_schema_field(serializers.URLField(help_text="The public page, in the language of the answer"))
    def get_url(self, publication) -> str:
        path = item_path(publication.organization.code, publication.slug, current_language())
        return absolute_url(path, self.context.get("request"))

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, publication) -> dict | None:
        if not publication.is_decision:
            return None
        request = self.context.get("request")
        return {
            "number": publication.decision_number,
            "date": publication.decision_date.isoformat() if publication.decision_date else None,
            "subject": publication.decision_subject,
            "signed_pdf": absolute_url(pdf_path(publication.pk), request) if publication.signed_pdf else None,
        }

    def _image(self, image) -> dict:
        return {
            "url": absolute_url(image_path(image.pk), self.context.get("request")),
            "width": image.width,
            "height": image.height,
            "alt": image.alt_text,
        }

    @extend_schema_field(ImageSerializer(allow_null=True, help_text="The first image"))
    def get_image(self, publication) -> dict | None:
        images = getattr(publication, "image_list", None)
        if images is None:
            images = list(publication.images.all())
        return self._image(images[0]) if images else None


class PublicationDetailSerializer(PublicationSerializer):
    body = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "body", "images", "attachments"]

    @extend_schema_field(serializers.CharField(help_text="HTML, cleaned by the publications' allow-list"))
    def get_body(self, publication) -> str:
        return clean_html(self._text(publication)[0].body)

    @extend_schema_field(ImageSerializer(many=True))
    def get_images(self, publication) -> list[dict]:
        return [self._image(image) for image in publication.images.all()]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, publication) -> list[dict]:
        request = self.context.get("request")
        return [
            {"url": absolute_url(attachment_path(item.pk), request), "title": item.title}
            for item in publication.attachments.all()
        ]


class PublicationFilter(django_filters.FilterSet):
    organization = django_filters.CharFilter(method="_together", help_text="Hokimiyat or center code")
    kind = django_filters.ChoiceFilter(method="_together", choices=PublicationKind.choices)
    category = django_filters.CharFilter(method="_together", help_text="Category code")
    tag = django_filters.CharFilter(method="_together", help_text="Tag code")
    q = django_filters.CharFilter(method="_together", help_text="Words in any language or script")

    def _together(self, queryset, name, value):
        return queryset  # applied together by filter_queryset, through the public list's selector

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        errors = {}
        organization = category = tag = None
        if data.get("organization"):
            organization = public.publishing_organization(data["organization"])
            if organization is None:
                errors["organization"] = [_("No hokimiyat or center has this code.")]
        if data.get("category"):
            category = public.category_by_code(data["category"])
            if category is None:
                errors["category"] = [_("There is no such category.")]
        if data.get("tag"):
            tag = public.tag_by_code(data["tag"])
            if tag is None:
                errors["tag"] = [_("There is no such tag.")]
        if errors:
            raise exceptions.ValidationError(errors)
        filters = public.PublicFilters(
            organization=organization, kind=data.get("kind") or "", category=category, tag=tag, q=data.get("q") or ""
        )
        return public.public_list(filters).prefetch_related("tags")


@extend_schema_view(
    list=extend_schema(
        summary="Publications (news, announcements, decisions, press releases, events)",
        description="Public publications of the hokimiyats and centers, the latest first. Each in the language "
        "asked for (`lang`), else in Uzbek (Latin) with `fallback: true`. `q` finds words in any language "
        "and either script (`maktab`, `мактаб`).",
    ),
    retrieve=extend_schema(
        summary="One publication, with its body, images and attachments",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The publication's id")],
    ),
)
class PublicationViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    filterset_class = PublicationFilter
    page_cache = PublicPage("publications")

    def get_serializer_class(self):
        return PublicationDetailSerializer if self.action == "retrieve" else PublicationSerializer

    def get_queryset(self):
        return public.public_list(public.PublicFilters()).prefetch_related("tags")

    def get_object(self):
        pk = self.kwargs.get("pk", "")
        found = public.public_by_pk(int(pk)) if str(pk).isdigit() else None
        if found is None:
            raise exceptions.NotFound(_("No public publication has this number."))
        return found
