"""REST API v1, read side of the catalog: agencies, categories, services."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.permissions import AllowAny

from darcha.core.api import ApiLanguageMixin
from darcha.core.money import NoBaseAmount, brv_on
from darcha.core.pagecache import PublicPage

from .choices import VersionStatus
from .models import Category, Service, Step
from .selectors import active_services, agencies, categories_with_counts, service_detail, service_search
from .serializers import AgencySerializer, CategorySerializer, ServiceDetailSerializer, ServiceSerializer


class StrictQueryMixin(ApiLanguageMixin):
    """Unknown query parameters are a client mistake (a typo in a filter): answer 400, not silence."""

    allowed_params = frozenset({"page", "page_size", "format", "lang"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        filterset = getattr(self, "filterset_class", None)
        known = self.allowed_params | (set(filterset.base_filters) if filterset else set())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("Unknown query parameter.")] for name in unknown}, code="unknown_parameter"
            )


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Words in any language or script")
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", help_text="Category code"
    )
    agency = django_filters.CharFilter(method="by_agency", help_text="Agency code")
    online = django_filters.ChoiceFilter(method="by_online", choices=[("true", "true"), ("false", "false")])
    applicant = django_filters.ChoiceFilter(
        method="by_applicant", choices=[("individual", _("Individuals")), ("legal_entity", _("Legal entities"))]
    )

    def search(self, queryset, name, value):
        return service_search(value, queryset)

    def by_agency(self, queryset, name, value):
        if not agencies().filter(code=value).exists():
            raise exceptions.ValidationError({"agency": [_("No agency has this code.")]})
        acting = Step.objects.filter(version__status=VersionStatus.PUBLISHED, agency__code=value)
        return queryset.filter(Q(responsible_agency__code=value) | Q(pk__in=acting.values("version__service")))

    def by_online(self, queryset, name, value):
        return queryset.filter(online=value == "true")

    def by_applicant(self, queryset, name, value):
        return queryset.filter(**{"for_individuals" if value == "individual" else "for_legal_entities": True})


class _ReadOnly(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_field = "code"
    # Anonymous answers held per process until the catalog changes, with an ETag (core.pagecache).
    page_cache = PublicPage("catalog")


@extend_schema_view(list=extend_schema(summary="Agencies (back offices)"), retrieve=extend_schema(summary="One agency"))
class AgencyViewSet(_ReadOnly):
    serializer_class = AgencySerializer

    def get_queryset(self):
        return agencies().order_by("code")


@extend_schema_view(list=extend_schema(summary="Service categories"), retrieve=extend_schema(summary="One category"))
class CategoryViewSet(_ReadOnly):
    serializer_class = CategorySerializer

    def get_queryset(self):
        return categories_with_counts().order_by("position", "code")


@extend_schema_view(
    list=extend_schema(summary="Services, filtered and searched"),
    retrieve=extend_schema(summary="One service: documents, today's fee, procedure"),
)
class ServiceViewSet(_ReadOnly):
    filterset_class = ServiceFilter

    def get_serializer_class(self):
        return ServiceDetailSerializer if self.action == "retrieve" else ServiceSerializer

    def get_queryset(self):
        return active_services().order_by("category__position", "code")

    def get_object(self):
        try:
            return service_detail(self.kwargs["code"])
        except Service.DoesNotExist:
            raise exceptions.NotFound(_("No service has this code.")) from None

    def get_serializer_context(self):
        context = super().get_serializer_context()
        today = timezone.localdate()
        context["today"] = today
        try:
            context["brv_today"] = brv_on(today)
        except NoBaseAmount:
            context["brv_today"] = None
        return context
