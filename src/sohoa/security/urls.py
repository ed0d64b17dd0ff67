from django.urls import path

from . import views

urlpatterns = [
    path("accounts/confirm/", views.reauth, name="reauth"),
]
