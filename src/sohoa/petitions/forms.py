"""Forms of the register pages: registering a petition (with its scanned letter and attachments), editing
it with its parties, attaching more files, and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohoa.archive.forms import DateInput, ScopedForm
from sohoa.codes.models import MentionKind

from .intake import EDITABLE, EDITABLE_BEFORE_CLASSIFICATION, PartyInput
from .models import Kind, Petition, PetitionParty, State


class PetitionForm(ScopedForm):
    """Registration: what the clerk knows before the letter is read; what is left empty is pre-filled from
    the letter's OCR. The files come from the `letter` and `attachments` file inputs."""

    sender_name = forms.CharField(label=_("Sender"), max_length=255, required=False)
    sender_address = forms.CharField(label=_("Sender's address"), max_length=500, required=False)
    sender_birth_year = forms.IntegerField(label=_("Sender's year of birth"), required=False, min_value=1900)
    concerned_name = forms.CharField(label=_("Person concerned"), max_length=255, required=False)
    concerned_position = forms.CharField(label=_("Position of the person concerned"), max_length=255, required=False)
    concerned_code = forms.CharField(
        label=_("Party member code of the person concerned"), max_length=32, required=False
    )

    class Meta:
        model = Petition
        fields = ["unit", "received_on", "channel", "letter_date", "kind", "confidentiality", "summary", "content"]
        widgets = {
            "received_on": DateInput(),
            "letter_date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "content": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["kind"].required = False
        self.fields["kind"].help_text = _("Leave empty to take it from the letter.")
        self.fields["content"].help_text = _("Without a scan, type the letter here; with a scan, its text is read.")
        if not self.initial.get("received_on"):
            self.initial["received_on"] = timezone.localdate()
        if not self.initial.get("unit"):
            first = self.fields["unit"].queryset.filter(pk__in=user.units.values("pk")).first()  # type: ignore[attr-defined]
            self.initial["unit"] = first.pk if first else None

    def parties(self) -> list[PartyInput]:
        data = self.cleaned_data
        out = []
        if data.get("sender_name"):
            out.append(
                PartyInput(
                    role=PetitionParty.Role.SENDER,
                    name=data["sender_name"],
                    address=data.get("sender_address") or "",
                    birth_year=data.get("sender_birth_year"),
                )
            )
        if data.get("concerned_name"):
            out.append(
                PartyInput(
                    role=PetitionParty.Role.CONCERNED,
                    name=data["concerned_name"],
                    position=data.get("concerned_position") or "",
                    code=data.get("concerned_code") or "",
                )
            )
        return out


class PetitionEditForm(forms.ModelForm):
    """What the register says about the letter; kind and anonymity only before classification."""

    class Meta:
        model = Petition
        fields = [*EDITABLE, *EDITABLE_BEFORE_CLASSIFICATION]
        widgets = {
            "received_on": DateInput(),
            "letter_date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "content": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        if self.instance.state != State.RECEIVED:
            for name in EDITABLE_BEFORE_CLASSIFICATION:
                del self.fields[name]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class PartyForm(forms.Form):
    """One sender or person concerned on the edit page (an empty extra row adds nothing)."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=PetitionParty.Role.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=MentionKind.choices, initial=MentionKind.PERSON)
    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    position = forms.CharField(label=_("Position"), max_length=255, required=False)
    workplace = forms.CharField(label=_("Organization as written"), max_length=255, required=False)
    code = forms.CharField(label=_("Code"), max_length=32, required=False)

    def party_input(self) -> PartyInput | None:
        data = self.cleaned_data
        if not (data.get("name") or "").strip():
            return None
        return PartyInput(
            role=data["role"],
            kind=data["kind"],
            name=data["name"],
            birth_year=data.get("birth_year"),
            address=data.get("address") or "",
            position=data.get("position") or "",
            workplace=data.get("workplace") or "",
            code=data.get("code") or "",
        )


PartyFormSet = forms.formset_factory(PartyForm, extra=1, can_delete=True, max_num=50)


def party_initial(party: PetitionParty) -> dict[str, Any]:
    return {
        "id": party.pk,
        "role": party.role,
        "kind": party.kind,
        "name": party.name,
        "birth_year": party.birth_year,
        "address": party.address,
        "position": party.position,
        "workplace": party.workplace,
        "code": party.code,
    }


class AttachForm(forms.Form):
    as_letter = forms.BooleanField(label=_("This is the letter itself"), required=False)


class FilterForm(forms.Form):
    """The list's filters; an unknown value is reported and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=None)  # type: ignore[type-arg]
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from sohoa.registry.selectors import units_in_scope

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *State.choices]
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["unit"].queryset = units_in_scope(user).order_by("path")  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "state": data.get("state") or "",
            "kind": data.get("kind") or "",
            "unit": data.get("unit"),
            "overdue": bool(data.get("overdue")),
        }
