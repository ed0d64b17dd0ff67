from django.urls import path

from . import views

urlpatterns = [
    path("reports/progress/", views.progress_page, name="report_progress"),
    path("reports/dashboard/", views.dashboard_page, name="report_dashboard"),
    path("reports/progress.<str:format>", views.progress_download, name="report_progress_download"),
]
