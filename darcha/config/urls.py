from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from darcha.cases import api as cases_api
from darcha.catalog import api as catalog_api
from darcha.catalog import views as catalog_views
from darcha.config import sitemaps
from darcha.core import api_tokens
from darcha.core import views as core_views
from darcha.infoservice import api as appeals_api
from darcha.infoservice import partner_api as appeals_imports
from darcha.infoservice.publications import api as publications_api
from darcha.infoservice.surveys import api as surveys_api
from darcha.preschool import api as preschool_api
from darcha.preschool import partner_api as preschool_births
from darcha.queues import api as queues_api

admin.site.site_header = _("Darcha administration")
admin.site.site_title = _("Darcha")
admin.site.index_title = _("Catalog, organizations, users and calendar")

router = DefaultRouter()
router.register("agencies", catalog_api.AgencyViewSet, basename="agency")
router.register("categories", catalog_api.CategoryViewSet, basename="category")
router.register("services", catalog_api.ServiceViewSet, basename="service")
router.register("applications", cases_api.ApplicationViewSet, basename="application")
router.register("tasks", cases_api.TaskViewSet, basename="task")
router.register("track", cases_api.TrackViewSet, basename="track")
router.register("queue/centers", queues_api.CenterViewSet, basename="queue-center")
router.register(r"queue/centers/(?P<center>[^/]+)/counters", queues_api.CounterViewSet, basename="queue-counter")
router.register("queue/tickets", queues_api.TicketViewSet, basename="queue-ticket")
router.register("queue/bookings", queues_api.BookingViewSet, basename="queue-booking")
router.register("appeals/archive", appeals_api.ArchiveViewSet, basename="appeal-archive")
router.register("publications", publications_api.PublicationViewSet, basename="publication")
router.register("surveys", surveys_api.SurveyViewSet, basename="survey")
router.register("preschool/kindergartens", preschool_api.KindergartenViewSet, basename="preschool-kindergarten")
router.register("preschool/staff/applications", preschool_api.StaffApplicationViewSet, basename="preschool-staff-app")
router.register("preschool/staff/referrals", preschool_api.StaffReferralViewSet, basename="preschool-staff-referral")
router.register("preschool/staff/programs", preschool_api.StaffProgramViewSet, basename="preschool-staff-program")

urlpatterns = [
    path("health/", core_views.health, name="health"),
    path("health/live/", core_views.live, name="live"),
    path("api/v1/auth/tokens/", api_tokens.ApiTokenCreateView.as_view(), name="api-token-create"),
    path("api/v1/auth/tokens/current/", api_tokens.ApiTokenCurrentView.as_view(), name="api-token-current"),
    path("api/v1/preschool/births/", preschool_births.BirthRegistrationView.as_view(), name="api-preschool-births"),
    path("api/v1/appeals/imports/", appeals_imports.AppealImportView.as_view(), name="api-appeals-imports"),
    path("api/v1/appeals/statistics/", appeals_api.StatisticsView.as_view(), name="api-appeals-statistics"),
    path("api/v1/", include(router.urls)),
    path("open311/v2/", include("darcha.infoservice.open311")),  # GeoReport v2, XML and JSON
    path("notify/", include("darcha.notify.urls")),  # provider callbacks (SMS delivery reports)
    path("", include(sitemaps.urlpatterns)),  # sitemap.xml and its sections
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file: the Content-Security-Policy runs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns += i18n_patterns(
    path("", catalog_views.home, name="home"),
    path("", include("darcha.catalog.urls")),
    path("", include("darcha.core.urls")),
    path("queue/", include("darcha.queues.urls")),
    path("", include("darcha.cases.urls")),
    path("preschool/", include("darcha.preschool.urls")),
    path("appeals/", include("darcha.infoservice.urls")),
    path("news/", include("darcha.infoservice.publications.urls")),
    path("press/", include("darcha.infoservice.media.urls")),
    path("surveys/", include("darcha.infoservice.surveys.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

if settings.DEBUG:
    urlpatterns += [path("__debug__/404/", core_views.page_not_found)]
