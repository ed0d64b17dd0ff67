from django.urls import path

from . import views

urlpatterns = [
    path("workdays/", views.workday_calendar, name="workday_calendar"),
    path("workdays/<int:pk>/", views.holiday_edit, name="holiday_edit"),
    path("workdays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
