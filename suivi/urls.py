from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from suivi.api.urls import api
from suivi.reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("suivi.accounts.urls")),
    path("places/", include("suivi.places.urls")),
    path("audit/", include("suivi.audit.urls")),
    path("projects/", include("suivi.projects.urls")),
    path("registry/", include("suivi.registry.urls")),
    path("delivery/", include("suivi.delivery.urls")),
    path("partners/", include("suivi.partners.urls")),
    path("imports/", include("suivi.imports.urls")),
    path("reports/", include("suivi.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
