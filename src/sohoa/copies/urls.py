from django.urls import path

from . import views

urlpatterns = [
    path("documents/<int:document_id>/copies/", views.document_copies, name="document_copies"),
    path("copies/", views.copy_register, name="copy_register"),
]
