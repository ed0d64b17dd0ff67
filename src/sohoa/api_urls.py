"""The REST API under /api/: the apps' viewsets, token login, the current user, OpenAPI schema and docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from sohoa.archive.api import (
    DocumentViewSet,
    FondsViewSet,
    LocationViewSet,
    RecordViewSet,
    RegisterEntryViewSet,
)
from sohoa.cases.api import CaseViewSet
from sohoa.codes.api import MentionViewSet
from sohoa.core.api import AuditEventViewSet, MeView, TokenView
from sohoa.digitization.api import IntakeViewSet
from sohoa.petitions.api import PetitionViewSet
from sohoa.registry.api import UnitViewSet
from sohoa.reorg.api import ReorganizationViewSet
from sohoa.search.api import SearchView

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("fonds", FondsViewSet, basename="fonds")
router.register("records", RecordViewSet, basename="record")
router.register("documents", DocumentViewSet, basename="document")
router.register("register-entries", RegisterEntryViewSet, basename="registerentry")
router.register("locations", LocationViewSet, basename="location")
router.register("intakes", IntakeViewSet, basename="intake")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
router.register("mentions", MentionViewSet, basename="mention")
router.register("reorganizations", ReorganizationViewSet, basename="reorganization")
router.register("petitions", PetitionViewSet, basename="petition")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("search/", SearchView.as_view(), name="api-search"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
