from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("sohoa.core.urls")),
    path("", include("sohoa.registry.urls")),
    path("", include("sohoa.archive.urls")),
    path("", include("sohoa.digitization.urls")),
    path("", include("sohoa.extraction.urls")),
    path("", include("sohoa.reports.urls")),
    path("", include("sohoa.usage.urls")),
    path("", include("sohoa.difficulties.urls")),
    path("", include("sohoa.planning.urls")),
    path("", include("sohoa.search.urls")),
    path("", include("sohoa.security.urls")),
    path("", include("sohoa.copies.urls")),
    path("", include("sohoa.reorg.urls")),
    path("", include("sohoa.codes.urls")),
    path("", include("sohoa.workdays.urls")),
    path("", include("sohoa.petitions.urls")),
    path("", include("sohoa.cases.urls")),
    path("api/", include("sohoa.api_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
