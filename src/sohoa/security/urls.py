from django.urls import path

from . import views

urlpatterns = [
    path("accounts/confirm/", views.reauth, name="reauth"),
    path("accounts/login/code/", views.login_code, name="login_code"),
    path("accounts/two-factor/", views.totp_enrol, name="totp_enrol"),
]
