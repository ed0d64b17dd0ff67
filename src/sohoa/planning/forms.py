"""Forms for planning. Choice lists offer only what the user may use (units in scope, visible teams)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.archive.forms import DateInput
from sohoa.archive.models import DocType
from sohoa.core import policy
from sohoa.core.models import Level, User
from sohoa.registry.selectors import units_in_scope
from sohoa.reports.models import Series

from .models import Candidate, Exclusion, Plan, Team, TeamMember


class PlanForm(forms.ModelForm):
    series = forms.MultipleChoiceField(
        label=_("Series"),
        choices=Series.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None = all. Candidates come from the incoming and outgoing registers."),
    )
    doc_types = forms.MultipleChoiceField(
        label=_("Document types"),
        choices=DocType.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None = all types."),
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Confidentiality levels"),
        choices=Level.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None = all levels."),
    )

    class Meta:
        model = Plan
        fields = [
            "name",
            "unit",
            "units",
            "series",
            "year_from",
            "year_to",
            "date_from",
            "date_to",
            "doc_types",
            "levels",
            "recency",
            "deadline",
            "description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "date_from": DateInput(),
            "date_to": DateInput(),
            "deadline": DateInput(),
            "units": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = units_in_scope(user)
        self.fields["unit"].queryset = scope  # type: ignore[attr-defined]
        self.fields["units"].queryset = scope  # type: ignore[attr-defined]
        self.fields["year_from"].widget.attrs.update(min=1900, max=2100)
        self.fields["year_to"].widget.attrs.update(min=1900, max=2100)


class ExclusionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Exclude"), choices=Exclusion.Kind.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=64,
        required=False,
        help_text=_("A year (2021), a type (QĐ), a series (incoming), a unit code or a level (mat, toi_mat …)."),
    )
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One register entry is excluded from its own row (the Exclude button), not picked here.
        self.fields["kind"].widget.choices = [c for c in Exclusion.Kind.choices if c[0] != Exclusion.Kind.ENTRY]


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["fragile", "condition", "legal_due", "override_score", "override_reason"]
        widgets = {"legal_due": DateInput()}
        labels = {"override_score": _("Priority set by hand (0–100, empty = computed)")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["override_score"].widget.attrs.update(min=0, max=100, step="any")


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "unit"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in_scope(user)  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamMember.Role.choices)

    def __init__(self, *args: Any, user: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # People of the team's province that the user can see in their own scope.
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True, units__in=units_in_scope(user)).distinct().order_by("username")
        )


class BatchForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    size = forms.IntegerField(
        label=_("Number of documents"),
        min_value=1,
        max_value=5000,
        initial=50,
        help_text=_("The waiting candidates with the highest priority are taken."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = policy.restrict(user, Team.objects.all())
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(team_memberships__team__in=teams).distinct().order_by("username")
        )
