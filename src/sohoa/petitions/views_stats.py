"""The statistics page for the Inspection Committee and its downloads (XLSX, CSV, JSON; audited)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoa.registry import selectors as registry_selectors
from sohoa.registry.models import Unit

from . import stats


class StatsForm(forms.Form):
    """The period (received on, both ends included) and the unit (and the units under it)."""

    received_from = forms.DateField(
        label=gettext_lazy("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=gettext_lazy("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = registry_selectors.units_in_scope(user).values_list("pk", "code", "name")
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            ("", _("All units in scope")),
            *((pk, f"{c} — {n}") for pk, c, n in units),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data


def _stats(request: HttpRequest, form: StatsForm) -> stats.Stats:
    data = form.cleaned_data
    unit = Unit.objects.filter(pk=data["unit"]).first() if data.get("unit") else None
    return stats.petition_stats(
        request.user, received_from=data.get("received_from"), received_to=data.get("received_to"), unit=unit
    )


@login_required
def petition_stats(request: HttpRequest) -> HttpResponse:
    form = StatsForm(request.GET, user=request.user)  # every field is optional: no query is all of it
    if not form.is_valid():
        return render(request, "petitions/stats.html", {"form": form}, status=400)
    result = _stats(request, form)
    context = {
        "form": form,
        "stats": result,
        "chart": stats.svg(result) if result.total else "",
        "query": request.GET.urlencode(),
        "formats": stats.FORMATS,
    }
    return render(request, "petitions/stats.html", context)


@login_required
def petition_stats_download(request: HttpRequest, format: str) -> HttpResponse:  # noqa: A002 — the URL's word
    if format not in stats.FORMATS:
        raise Http404
    form = StatsForm(request.GET, user=request.user)
    if not form.is_valid():
        errors = "; ".join(str(m) for ms in form.errors.values() for m in ms)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    export = stats.stats_export(actor=request.user, stats=_stats(request, form), fmt=format)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
