from django.urls import path

from . import views

urlpatterns = [
    path("usage/", views.effectiveness_page, name="usage_effectiveness"),
    path("usage/effectiveness.json", views.effectiveness_json, name="usage_effectiveness_json"),
    path("usage/documents/<int:pk>/share/", views.document_share, name="usage_share"),
    path("usage/documents/<int:pk>/cite/", views.document_cite, name="usage_cite"),
    path("usage/register-entries/<int:pk>/request/", views.entry_request, name="usage_request"),
]
