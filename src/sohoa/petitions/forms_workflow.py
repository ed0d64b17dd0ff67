"""Forms of the workflow's steps (the action forms on a petition's page): they read what the person typed;
the services in petitions.workflow decide whether the step may be taken."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sohoa.core.models import Role
from sohoa.registry.models import Unit

from .models import Competence, Kind, Petition

_TEXT = forms.Textarea(attrs={"rows": 2})


class UnitCodeField(forms.CharField):
    """A unit given by its code (the registry may hold thousands of units: no drop-down)."""

    def clean(self, value: Any) -> Unit | None:  # type: ignore[override]
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(code__iexact=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has the code %(code)s.") % {"code": code})
        return unit


class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Kind.choices])
    anonymous = forms.BooleanField(label=_("Anonymous (no identifiable sender)"), required=False)
    conditions_met = forms.TypedChoiceField(
        label=_("Meets the conditions for handling"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    conditions_note = forms.CharField(label=_("Why not"), max_length=500, required=False)
    competence = forms.ChoiceField(label=_("Competence"), choices=[("", "—"), *Competence.choices])
    forward_to = forms.CharField(label=_("Forward to (body)"), max_length=255, required=False)
    forward_to_unit = UnitCodeField(label=_("or its unit code"), max_length=64, required=False)
    complex_case = forms.BooleanField(label=_("Complex case"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=_TEXT)

    @classmethod
    def initial_for(cls, petition: Petition) -> dict[str, Any]:
        met = {True: "yes", False: "no"}.get(petition.conditions_met, "") if petition.conditions_met is not None else ""
        return {
            "kind": petition.kind,
            "anonymous": petition.anonymous,
            "conditions_met": met,
            "conditions_note": petition.conditions_note,
            "competence": petition.competence,
            "forward_to": petition.forward_to,
            "forward_to_unit": petition.forward_to_unit.code if petition.forward_to_unit else "",
            "complex_case": petition.complex_case,
        }


class ForwardForm(forms.Form):
    reference = forms.CharField(label=_("Number of the forwarding letter"), max_length=100, required=False)
    forward_to = forms.CharField(label=_("Forward to (body)"), max_length=255, required=False)
    forward_to_unit = UnitCodeField(label=_("or its unit code"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=_TEXT)


class AcceptForm(forms.Form):
    reference = forms.CharField(label=_("Number of the acceptance decision"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=_TEXT)


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=_TEXT)


class ConcludeForm(forms.Form):
    reference = forms.CharField(label=_("Number of the conclusion"), max_length=100, required=False)
    note = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 4}))


class FileForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=_TEXT)
    keep_for_inspection = forms.BooleanField(label=_("Keep for inspection (the content is specific)"), required=False)


class ExtendForm(forms.Form):
    reference = forms.CharField(label=_("Number of the written extension"), max_length=100, required=False)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=366)
    complex_case = forms.BooleanField(label=_("Complex case"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=_TEXT)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Handled by"), queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inspectors and leaders of the petition's unit or of a unit above it (their scope holds it),
        # cleared for it; province-wide roles are not offered (they oversee, they do not handle).
        ancestors = [int(pk) for pk in petition.unit.path.strip("/").split("/") if pk.isdigit()] or [petition.unit_id]
        people = get_user_model().objects.filter(
            units__in=ancestors,
            is_active=True,
            role__in=[Role.INSPECTOR, Role.UNIT_LEADER],
            clearance__gte=petition.confidentiality,
        )
        self.fields["assignee"].queryset = people.distinct().order_by("username")  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


class RepeatForm(forms.Form):
    repeat_of = forms.CharField(
        label=_("Repeats petition (register number or #id; empty: not a repeat)"), max_length=40, required=False
    )
    new_facts = forms.BooleanField(label=_("Brings new facts"), required=False)

    def __init__(self, *args: Any, user: Any = None, petition: Petition | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.petition = user, petition

    def clean_repeat_of(self) -> Petition | None:
        from . import selectors

        text = self.cleaned_data["repeat_of"].strip()
        if not text:
            return None
        visible = selectors.petitions_visible(self.user)
        if self.petition is not None:
            visible = visible.filter(unit=self.petition.unit_id)
        found = None
        if text.startswith("#") and text[1:].isdigit():
            found = visible.filter(pk=int(text[1:])).first()
        if found is None:
            found = visible.filter(number=text).first()
        if found is None:
            raise forms.ValidationError(_("No petition of this unit has the number %(number)s.") % {"number": text})
        return found


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "classify": ClassifyForm,
    "forward": ForwardForm,
    "accept": AcceptForm,
    "verify": VerifyForm,
    "conclude": ConcludeForm,
    "file": FileForm,
    "extend": ExtendForm,
    "assign": AssignForm,
    "repeat": RepeatForm,
}

ACTION_LABELS = {
    "classify": _("Classify"),
    "forward": _("Forward"),
    "accept": _("Accept for handling"),
    "verify": _("Start verification"),
    "conclude": _("Conclude"),
    "file": _("File without action"),
    "extend": _("Extend the deadline"),
    "assign": _("Assign"),
    "repeat": _("Mark as a repeat"),
}
