from django.urls import path

from . import views

urlpatterns = [
    path("documents/<int:pk>/extraction/", views.suggestion_detail, name="suggestion_detail"),
    path("documents/<int:pk>/extraction/dismiss/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("extraction/accuracy/", views.accuracy, name="extraction_accuracy"),
]
