from django.urls import path

from . import views, views_sync

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/history/", views_sync.unit_history, name="unit_history"),
    path("members/<int:pk>/history/", views_sync.member_history, name="member_history"),
    path("registry/syncs/", views_sync.sync_list, name="registry_sync_list"),
    path("registry/syncs/new/", views_sync.sync_new, name="registry_sync_new"),
    path("registry/syncs/<int:pk>/", views_sync.sync_detail, name="registry_sync_detail"),
    path("registry/syncs/<int:pk>/apply/", views_sync.sync_apply, name="registry_sync_apply"),
    path("registry/sync-sources/", views_sync.sync_sources, name="registry_sync_sources"),
]
