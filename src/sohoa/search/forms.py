"""The search parameters of the page and the API (?q=&unit=&type=&year_from=…&sort=&page=): one form for both.

The web page shows the errors as messages and searches with the valid parameters (a bad date never hides
the results); the API answers 400 with the same errors per field. The query text itself is never an
error: the selector shortens it and explains.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sohoa.archive.models import DocType
from sohoa.core import policy
from sohoa.core.models import LEVEL_CODES, Level
from sohoa.registry.models import Unit

from . import selectors
from .selectors import MAX_PAGE, PER_PAGE, SORTS, Filters

logger = logging.getLogger(__name__)

#: Longer input is cut here before the selector sees it (it searches the first 500 characters and says so).
MAX_INPUT_CHARS = 2000
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
STATUSES = [
    ("registered", _("Registered, not digitized")),
    ("digitizing", _("Being digitized")),
    ("digitized", _("Digitized")),
]
SORT_LABELS = {"relevance": _("Relevance"), "newest": _("Newest first"), "oldest": _("Oldest first")}
SORT_CHOICES = [(s, SORT_LABELS[s]) for s in SORTS]  # the selector's orders, in its order
# Provenance never changes (a merger moves custody only): units can be read either way (issue 8).
BY_CHOICES = [("", _("By current custodian")), ("creator", _("By creating unit"))]
HAS_TEXT = [("1", _("With text")), ("0", _("Without text"))]


class LevelChoiceField(forms.Field):
    """A confidentiality level as its number (0–3, the web page) or its code (none|mat|toi_mat|tuyet_mat, the API)."""

    default_error_messages = {"invalid": _("Unknown confidentiality level.")}

    def to_python(self, value: Any) -> int | None:
        value = (value or "").strip().lower() if isinstance(value, str) else value
        if value in (None, ""):
            return None
        if value in LEVEL_CODES:
            return int(LEVEL_CODES[value])
        try:
            level = int(value)
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if level not in Level.values:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return level


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=False)
    by = forms.ChoiceField(label=_("Units"), choices=BY_CHOICES, required=False)
    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1)
    fonds = forms.IntegerField(label=_("Fonds"), required=False, min_value=1)
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *DocType.choices], required=False)
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1, max_value=9999)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1, max_value=9999)
    date_from = forms.DateField(label=_("From date"), required=False, input_formats=DATE_FORMATS)
    date_to = forms.DateField(label=_("To date"), required=False, input_formats=DATE_FORMATS)
    level = LevelChoiceField(label=_("Confidentiality"), required=False)
    status = forms.ChoiceField(label=_("Digitization"), choices=[("", "—"), *STATUSES], required=False)
    has_text = forms.TypedChoiceField(
        label=_("Text"),
        choices=[("", "—"), *HAS_TEXT],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    lang = forms.RegexField(
        label=_("Language"),
        regex=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$",
        max_length=16,
        required=False,
        error_messages={"invalid": _("Unknown language code.")},
    )
    petition = forms.IntegerField(label=_("Petition"), required=False, min_value=1)
    case = forms.IntegerField(label=_("Case file"), required=False, min_value=1)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE)
    per_page = forms.IntegerField(label=_("Results per page"), required=False, min_value=1, max_value=100)
    as_you_type = forms.BooleanField(
        label=_("Last word as a prefix"),
        required=False,
        help_text=_("Treat the last word as the beginning of a word (search as you type)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_q(self) -> str:
        text = self.cleaned_data.get("q") or ""
        return text.replace("\x00", "")[:MAX_INPUT_CHARS]

    def clean_unit(self) -> int | None:
        unit = self.cleaned_data.get("unit")
        if unit is not None and self.cleaned_data.get("by") == "creator":
            # Any creating unit may be chosen (a dissolved one too): only visible documents are counted.
            if not Unit.objects.filter(pk=unit).exists():
                raise forms.ValidationError(_("Unknown unit."), code="unit")
        elif unit is not None and not policy.scope_units(self.user).filter(pk=unit).exists():
            # The same answer for a unit that does not exist and one outside the user's scope.
            raise forms.ValidationError(_("Unknown unit."), code="unit")
        return unit

    def clean_petition(self) -> int | None:
        return self._visible("petition", "petitions.Petition")

    def clean_case(self) -> int | None:
        return self._visible("case", "cases.Case")

    def _visible(self, name: str, model: str) -> int | None:
        """The id of a petition or case file the user may see; any other is refused as unknown."""
        from django.apps import apps

        pk = self.cleaned_data.get(name)
        visible = policy.restrict(self.user, apps.get_model(model)._default_manager.filter(pk=pk))
        if pk is not None and not visible.exists():
            raise forms.ValidationError(_("Unknown petition or case file."), code=name)
        return pk  # type: ignore[no-any-return]

    def clean_lang(self) -> str:
        return (self.cleaned_data.get("lang") or "").lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A reversed range is ignored as a whole (the other filters still apply) and said so.
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("The last year is before the first year: the years were ignored."))
            data.pop("year_from", None)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The last date is before the first date: the dates were ignored."))
            data.pop("date_from", None)
        return data

    # ---- what the selector gets (valid parameters only) ---------------------------------------------

    def _valid(self) -> dict[str, Any]:
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    @property
    def text(self) -> str:
        return str(self._valid().get("q") or "")

    @property
    def filters(self) -> Filters:
        data = self._valid()
        return Filters(
            unit=data.get("unit"),
            fonds=data.get("fonds"),
            doctype=data.get("type") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            level=data.get("level"),
            status=data.get("status") or "",
            has_text=data.get("has_text"),
            lang=data.get("lang") or "",
            by=data.get("by") or "",
            petition=data.get("petition"),
            case=data.get("case"),
        )

    @property
    def order(self) -> str:
        return str(self._valid().get("sort") or "relevance")

    @property
    def page_number(self) -> int:
        return int(self._valid().get("page") or 1)

    @property
    def page_size(self) -> int:
        return int(self._valid().get("per_page") or PER_PAGE)

    @property
    def typing(self) -> bool:
        return bool(self._valid().get("as_you_type"))

    def problems(self) -> list[str]:
        """One line per error, naming the parameter: shown above the results, which ignore those values."""
        lines = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for error in errors:
                lines.append(f"{label}: {error}" if label else str(error))
        return lines


def run_search(user: object, form: SearchForm) -> selectors.SearchPage:
    """The selector with the form's valid parameters; a failure of the index is logged, never a traceback."""
    try:
        return selectors.search(
            user,
            form.text,
            form.filters,
            sort=form.order,
            page=form.page_number,
            per_page=form.page_size,
            as_you_type=form.typing,
        )
    except (ValueError, OSError):
        logger.exception("search failed", extra={"query": form.text[:200], "params": dict(form.data)})
        return selectors.SearchPage(query=form.text, message=gettext("The search could not be run. Please try again."))
