from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("drafts/", views.draft, name="draft"),
    path("drafts/discard/", views.draft_discard, name="draft_discard"),
]
