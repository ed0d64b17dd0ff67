from django.contrib import admin

from sohoa.core.admin import PolicyAdmin

from .models import Batch, Candidate, Exclusion, Plan, Team, TeamMember


@admin.register(Plan)
class PlanAdmin(PolicyAdmin):
    list_display = ("name", "unit", "status", "deadline", "approved_by", "approved_at")
    list_filter = ("status",)
    search_fields = ("name",)


@admin.register(Exclusion)
class ExclusionAdmin(PolicyAdmin):
    list_display = ("plan", "kind", "value", "entry", "reason")


@admin.register(Candidate)
class CandidateAdmin(PolicyAdmin):
    list_display = ("plan", "entry", "effective_score", "status", "batch")
    list_filter = ("status",)
    raw_id_fields = ("entry", "batch")


@admin.register(Team)
class TeamAdmin(PolicyAdmin):
    list_display = ("name", "unit")


@admin.register(TeamMember)
class TeamMemberAdmin(PolicyAdmin):
    list_display = ("team", "user", "role")


@admin.register(Batch)
class BatchAdmin(PolicyAdmin):
    list_display = ("id", "plan", "team", "assignee", "due_date", "state")
    list_filter = ("state",)
