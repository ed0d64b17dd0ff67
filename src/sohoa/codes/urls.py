from django.urls import path

from . import views

urlpatterns = [
    path("documents/<int:pk>/mentions/", views.document_mentions, name="document_mentions"),
    path("documents/<int:pk>/mentions/accept/", views.document_mentions_accept, name="document_mentions_accept"),
    path("codes/check/", views.code_check, name="code_check"),
    path("codes/missing/", views.missing_codes, name="missing_codes"),
    path("codes/missing.xlsx", views.missing_codes_xlsx, name="missing_codes_xlsx"),
]
