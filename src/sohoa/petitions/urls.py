from django.urls import path

from . import views, views_letters, views_stats, views_workflow

urlpatterns: list = [
    # petitions-intake (A): the register, registration with the scanned letter, detail, edit
    path("petitions/", views.petition_list, name="petition_list"),
    path("petitions/new/", views.petition_register, name="petition_register"),
    path("petitions/<int:pk>/", views.petition_detail, name="petition_detail"),
    path("petitions/<int:pk>/edit/", views.petition_edit, name="petition_edit"),
    path("petitions/<int:pk>/attach/", views.petition_attach, name="petition_attach"),
    # petitions-letters (C): statistics and the generated letters
    path("petitions/stats/", views_stats.petition_stats, name="petition_stats"),
    path("petitions/stats.<str:format>", views_stats.petition_stats_download, name="petition_stats_download"),
    path("petitions/<int:pk>/letters/<str:kind>.docx", views_letters.petition_letter, name="petition_letter"),
    # petitions-workflow (B): the steps of one petition, the deadlines page, the user's notices
    path("petitions/<int:pk>/workflow/", views_workflow.petition_workflow, name="petition_workflow"),
    path("petitions/overdue/", views_workflow.petition_overdue, name="petition_overdue"),
    path("petitions/notifications/", views_workflow.petition_notifications, name="petition_notifications"),
]
