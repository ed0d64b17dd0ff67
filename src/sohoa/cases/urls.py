from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/subjects/", views.case_subject_add, name="case_subject_add"),
    path("cases/<int:pk>/subjects/codes/", views.case_subject_codes, name="case_subject_codes"),
    path("cases/<int:pk>/documents/", views.case_document_attach, name="case_document_attach"),
    path("cases/<int:pk>/documents/upload/", views.case_document_upload, name="case_document_upload"),
    path("cases/<int:pk>/documents/remove/", views.case_document_remove, name="case_document_remove"),
    path("cases/<int:pk>/advance/", views.case_advance, name="case_advance"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
]
