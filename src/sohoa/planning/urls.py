from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/select/", views.plan_materialize, name="plan_materialize"),
    path("plans/<int:pk>/status/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/exclusions/", views.plan_exclude, name="plan_exclude"),
    path("plans/<int:pk>/batches/new/", views.batch_create, name="batch_create"),
    path("plan-exclusions/<int:pk>/remove/", views.exclusion_remove, name="exclusion_remove"),
    path("plan-candidates/<int:pk>/", views.candidate_edit, name="candidate_edit"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/advance/", views.batch_advance, name="batch_advance"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("team-members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
