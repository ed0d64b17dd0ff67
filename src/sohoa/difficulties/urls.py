from django.urls import path

from . import views

urlpatterns = [
    path("difficulties/", views.difficulty_list, name="difficulty_list"),
    path("difficulties/new/", views.difficulty_create, name="difficulty_create"),
    path("difficulties/summary/", views.difficulty_summary, name="difficulty_summary"),
    path("difficulties/summary.xlsx", views.difficulty_summary_xlsx, name="difficulty_summary_xlsx"),
    path("difficulties/<int:pk>/", views.difficulty_detail, name="difficulty_detail"),
    path("difficulties/<int:pk>/status/", views.difficulty_status, name="difficulty_status"),
]
