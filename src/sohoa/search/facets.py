"""Facet counts as the search page shows them: labels, the unit tree, and the link that applies each filter.

The counts come from the selector (computed inside the access policy). Here they only get names: units
are summed up the registry tree and only units in the user's scope are named; fonds are named only when
the user may see them. Every link is the current URL with one parameter changed, so the page state stays
in the URL (bookmarks, sharing, the back button).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoa.archive.models import DocType, Fonds
from sohoa.core import policy
from sohoa.core.models import Level
from sohoa.registry.models import Unit

from .forms import BY_CHOICES, HAS_TEXT, SORT_CHOICES, STATUSES, SearchForm
from .selectors import Filters, SearchPage

LANGUAGES = {"vi": gettext_lazy("Vietnamese"), "en": gettext_lazy("English"), "fr": gettext_lazy("French")}
#: Filters set by the facet links: carried by hidden inputs while the user types or changes a range.
HIDDEN_PARAMS = ("by", "unit", "fonds", "type", "level", "status", "has_text", "lang", "petition", "case", "per_page")
MAX_ITEMS = 30  # per facet (years and units can be many); the unit tree is never cut


@dataclass
class Item:
    label: str
    count: int
    url: str
    active: bool = False
    depth: int = 0
    key: Any = None  # the parameter's value (a unit id, a type code, a year …)


@dataclass
class Group:
    name: str  # the URL parameter
    title: str
    items: list[Item] = field(default_factory=list)
    clear_url: str = ""  # set when this filter is active
    #: Other readings of the same facet (label, URL, current): units by custodian or by creating unit.
    views: list[tuple[str, str, bool]] = field(default_factory=list)


@dataclass
class Active:
    label: str
    url: str  # the URL without this filter


def params_of(form: SearchForm) -> dict[str, str]:
    """The current valid parameters with a value, as typed (the URL the user sees); page excluded."""
    data = form.data
    form.is_valid()
    out = {}
    for name in form.fields:
        value = data.get(name, "")
        if name != "page" and name not in form.errors and isinstance(value, str) and value.strip():
            out[name] = value
    return out


def link(params: Mapping[str, str], **changes: Any) -> str:
    """`?…` with `changes` applied (None removes a parameter); always back to page 1."""
    merged = {k: v for k, v in params.items() if k != "page"}
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return "?" + urlencode(merged) if merged else "?"


def page_link(params: Mapping[str, str], page: int) -> str:
    return link(params, page=page if page > 1 else None)


def groups(user: Any, result: SearchPage, filters: Filters, params: Mapping[str, str]) -> list[Group]:
    """The facet groups to show, in a fixed order; empty groups are left out."""
    f = result.facets
    out = [
        _units(user, f.get("creator_id" if filters.by == "creator" else "unit_id", []), filters, params),
        _fonds(user, f.get("fonds_id", []), filters, params),
        _simple(
            "type",
            _("Type"),
            f.get("doctype", []),
            filters.doctype,
            params,
            lambda k: str(DocType(k).label) if k in DocType.values else str(k),
        ),
        _years(f.get("year", []), filters, params),
        _simple(
            "level",
            _("Confidentiality"),
            sorted(f.get("level", []), key=lambda kv: int(kv[0])),
            filters.level,
            params,
            lambda k: str(Level(int(k)).label) if int(k) in Level.values else str(k),
            key=int,
        ),
        _simple(
            "status", _("Digitization"), f.get("status", []), filters.status, params, lambda k: str(dict(STATUSES)[k])
        ),
        _simple(
            "has_text",
            _("Text"),
            [(str(int(k)), c) for k, c in f.get("has_text", [])],
            None if filters.has_text is None else str(int(filters.has_text)),
            params,
            lambda k: str(dict(HAS_TEXT)[k]),
        ),
        _simple(
            "lang", _("Language"), f.get("lang", []), filters.lang, params, lambda k: str(LANGUAGES.get(k, k.upper()))
        ),
    ]
    return [g for g in out if g.items]


def _simple(
    name: str,
    title: str,
    buckets: Iterable[tuple[Any, int]],
    current: Any,
    params: Mapping[str, str],
    label: Any,
    key: Any = str,
) -> Group:
    group = Group(name=name, title=title)
    for value, count in buckets:
        if value in (None, "") or count <= 0:
            continue
        try:
            text = label(value)
        except (KeyError, ValueError):
            continue  # a value the index has but the page does not know: not offered as a filter
        active = current not in (None, "") and key(value) == key(current)
        group.items.append(Item(text, count, link(params, **{name: value}), active, key=value))
    group.items = group.items[:MAX_ITEMS]
    if current not in (None, ""):
        group.clear_url = link(params, **{name: None})
    return group


def _years(buckets: list[tuple[Any, int]], filters: Filters, params: Mapping[str, str]) -> Group:
    group = Group(name="year", title=_("Year"))
    for year, count in sorted(buckets, key=lambda kv: -int(kv[0])):
        if not year or count <= 0:
            continue
        active = filters.year_from == year and filters.year_to == year
        group.items.append(Item(str(year), count, link(params, year_from=year, year_to=year), active, key=int(year)))
    group.items = group.items[:MAX_ITEMS]
    if filters.year_from or filters.year_to:
        group.clear_url = link(params, year_from=None, year_to=None)
    return group


def _fonds(user: Any, buckets: list[tuple[Any, int]], filters: Filters, params: Mapping[str, str]) -> Group:
    group = Group(name="fonds", title=_("Fonds"))
    counts = {int(k): c for k, c in buckets if k and c > 0}
    visible = policy.restrict(user, Fonds.objects.filter(pk__in=counts)).values_list("pk", "code", "name")
    items = [
        Item(f"{code} — {name}" if code else name, counts[pk], link(params, fonds=pk), filters.fonds == pk, key=pk)
        for pk, code, name in visible
    ]
    group.items = sorted(items, key=lambda i: (-i.count, i.label))[:MAX_ITEMS]
    if filters.fonds:
        group.clear_url = link(params, fonds=None)
    return group


def _units(user: Any, buckets: list[tuple[Any, int]], filters: Filters, params: Mapping[str, str]) -> Group:
    """Document counts per unit summed up the unit tree, as an indented tree: the custodians in scope, or
    (by creating unit) every unit that created a document the user may see, a dissolved one too."""
    group = Group(name="unit", title=_("Unit"))
    group.views = [(str(label), link(params, by=value, unit=None), filters.by == value) for value, label in BY_CHOICES]
    counts = {int(k): c for k, c in buckets if k and c > 0}
    summed: dict[int, int] = defaultdict(int)
    for pk, path in Unit.objects.filter(pk__in=counts).values_list("pk", "path"):
        for ancestor in {int(p) for p in (path or f"/{pk}/").strip("/").split("/") if p.isdigit()} | {pk}:
            summed[ancestor] += counts[pk]
    shown = Unit.objects.all() if filters.by == "creator" else policy.scope_units(user)
    units = {u["pk"]: u for u in shown.filter(pk__in=summed).values("pk", "parent_id", "code", "name", "short_name")}
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, unit in units.items():
        parent = unit["parent_id"] if unit["parent_id"] in units else None
        children[parent].append(pk)

    def walk(parent: int | None, depth: int) -> None:
        for pk in sorted(children[parent], key=lambda p: (units[p]["name"], p)):
            unit = units[pk]
            item = Item(unit["name"], summed[pk], link(params, unit=pk), filters.unit == pk, depth, key=pk)
            group.items.append(item)
            walk(pk, depth + 1)

    walk(None, 0)
    if filters.unit:
        group.clear_url = link(params, unit=None)
    return group


def active_filters(user: Any, form: SearchForm, params: Mapping[str, str]) -> list[Active]:
    """The filters in force, each with the link that removes it (shown above the results)."""
    f = form.filters
    out: list[Active] = []
    if f.unit:
        name = policy.scope_units(user).filter(pk=f.unit).values_list("name", flat=True).first()
        out.append(Active(f"{_('Unit')}: {name or f.unit}", link(params, unit=None)))
    if f.fonds:
        name = policy.restrict(user, Fonds.objects.filter(pk=f.fonds)).values_list("name", flat=True).first()
        out.append(Active(f"{_('Fonds')}: {name or f.fonds}", link(params, fonds=None)))
    if f.doctype:
        out.append(Active(f"{_('Type')}: {DocType(f.doctype).label}", link(params, type=None)))
    if f.year_from or f.year_to:
        years = f"{f.year_from or '…'}–{f.year_to or '…'}" if f.year_from != f.year_to else str(f.year_from)
        out.append(Active(f"{_('Year')}: {years}", link(params, year_from=None, year_to=None)))
    if f.date_from or f.date_to:
        lo = f.date_from.strftime("%d/%m/%Y") if f.date_from else "…"
        hi = f.date_to.strftime("%d/%m/%Y") if f.date_to else "…"
        out.append(Active(f"{_('Date')}: {lo}–{hi}", link(params, date_from=None, date_to=None)))
    if f.level is not None:
        out.append(Active(f"{_('Confidentiality')}: {Level(f.level).label}", link(params, level=None)))
    if f.status:
        out.append(Active(f"{_('Digitization')}: {dict(STATUSES)[f.status]}", link(params, status=None)))
    if f.has_text is not None:
        out.append(Active(f"{_('Text')}: {dict(HAS_TEXT)[str(int(f.has_text))]}", link(params, has_text=None)))
    if f.lang:
        out.append(Active(f"{_('Language')}: {LANGUAGES.get(f.lang, f.lang.upper())}", link(params, lang=None)))
    if f.petition:  # the form let only a visible one through
        out.append(Active(f"{_('Petition')}: #{f.petition}", link(params, petition=None)))
    if f.case:
        out.append(Active(f"{_('Case file')}: #{f.case}", link(params, case=None)))
    return out


def pager(params: Mapping[str, str], result: SearchPage) -> list[tuple[int | None, str]]:
    """(page number, link) around the current page, with None for a gap: 1 … 4 5 [6] 7 8 … 40."""
    last, current = result.pages, result.page
    if last <= 1:
        return []
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[tuple[int | None, str]] = []
    for i, n in enumerate(wanted):
        if i and n - wanted[i - 1] > 1:
            out.append((None, ""))
        out.append((n, page_link(params, n)))
    return out


def page_context(user: Any, form: SearchForm, result: SearchPage) -> dict[str, Any]:
    """Everything the page and its results partial show, besides the hits themselves."""
    params = params_of(form)
    valid = form.cleaned_data
    return {
        "hidden": [(name, params[name]) for name in HIDDEN_PARAMS if name in params],
        "date_from": valid["date_from"].isoformat() if valid.get("date_from") else "",
        "date_to": valid["date_to"].isoformat() if valid.get("date_to") else "",
        "start": (result.page - 1) * result.per_page + 1,
        "form": form,
        "result": result,
        "params": params,
        "facet_groups": groups(user, result, form.filters, params),
        "active_filters": active_filters(user, form, params),
        "pager": pager(params, result),
        "previous_url": page_link(params, result.page - 1) if result.page > 1 else "",
        "next_url": page_link(params, result.page + 1) if result.page < result.pages else "",
        "first_url": page_link(params, 1),
        "errors": form.problems(),
        "sorts": [(value, label, link(params, sort=value)) for value, label in SORT_CHOICES],
    }
