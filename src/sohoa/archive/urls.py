from django.urls import path

from . import grant_views, views

urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_create, name="document_create"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/register/", views.document_register_link, name="document_register_link"),
    path("records/", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("fonds/", views.fonds_list, name="fonds_list"),
    path("fonds/new/", views.fonds_create, name="fonds_create"),
    path("fonds/<int:pk>/", views.fonds_detail, name="fonds_detail"),
    path("fonds/<int:pk>/edit/", views.fonds_edit, name="fonds_edit"),
    path("registers/import/", views.register_import_new, name="register_import_new"),
    path("registers/import/<int:pk>/", views.register_import_detail, name="register_import_detail"),
    path("registers/<str:direction>/", views.register_list, name="register_list"),
    path("registers/<str:direction>/new/", views.register_create, name="register_create"),
    path("register-entries/<int:pk>/", views.register_detail, name="register_detail"),
    path("register-entries/<int:pk>/edit/", views.register_edit, name="register_edit"),
    path("grants/", grant_views.grant_list, name="grant_list"),
    path("grants/request/", grant_views.grant_request, name="grant_request"),
    path("grants/review/", grant_views.grant_review, name="grant_review"),
    path("grants/<int:pk>/approve/", grant_views.grant_approve, name="grant_approve"),
    path("grants/<int:pk>/reject/", grant_views.grant_reject, name="grant_reject"),
    path("grants/<int:pk>/revoke/", grant_views.grant_revoke, name="grant_revoke"),
]
