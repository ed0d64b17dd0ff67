"""Services of the sync with the central database's exports: party organizations (units) and members.

A sync reads the export, computes the whole diff first (new, changed field by field, missing from the
export, conflicting, malformed), then applies the valid rows in one transaction and keeps one
RegistryChange per object touched. Decision 0026 says why each choice was made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.core.tabular import Rows, read_table
from sohoa.extraction.text import fold

from .models import (
    MemberStatus,
    PartyMember,
    RegistryChange,
    RegistrySync,
    SyncKind,
    SyncSource,
    Unit,
    UnitKind,
    code_validator,
)
from .services import unit_save

PARTY_KINDS = (UnitKind.PARTY_COMMITTEE.value, UnitKind.PARTY_CELL.value)

#: Our fields per kind, in the order of the diff. `parent` and `organization` hold codes.
FIELDS: dict[str, tuple[str, ...]] = {
    SyncKind.ORGANIZATIONS: ("code", "name", "short_name", "kind", "parent", "valid_from", "valid_to"),
    SyncKind.MEMBERS: (
        "code",
        "full_name",
        "birth_date",
        "organization",
        "position",
        "status",
        "valid_from",
        "valid_to",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    SyncKind.ORGANIZATIONS: ("code", "name"),
    SyncKind.MEMBERS: ("code", "full_name", "organization"),
}
#: Headers recognised without a saved source (compared without case and diacritics).
DEFAULT_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    SyncKind.ORGANIZATIONS: {
        "code": ("code", "organization_code", "mã", "mã tổ chức", "mã tổ chức đảng", "mã tcd", "ma_to_chuc"),
        "name": ("name", "tên", "tên tổ chức", "tên tổ chức đảng", "ten_to_chuc"),
        "short_name": ("short_name", "tên viết tắt", "viết tắt"),
        "kind": ("kind", "loại", "loại tổ chức", "loại hình"),
        "parent": ("parent", "parent_code", "mã cấp trên", "mã tổ chức cấp trên", "ma_cap_tren"),
        "valid_from": ("valid_from", "ngày thành lập", "hiệu lực từ", "từ ngày"),
        "valid_to": ("valid_to", "ngày giải thể", "hiệu lực đến", "đến ngày"),
    },
    SyncKind.MEMBERS: {
        "code": ("code", "member_code", "mã đảng viên", "ma_dang_vien", "số thẻ đảng viên"),
        "full_name": ("full_name", "name", "họ và tên", "họ tên", "ho_ten"),
        "birth_date": ("birth_date", "date of birth", "ngày sinh", "ngay_sinh"),
        "organization": (
            "organization",
            "organization_code",
            "mã tổ chức đảng",
            "mã chi bộ",
            "mã tổ chức",
            "ma_to_chuc",
        ),
        "position": ("position", "chức vụ", "chuc_vu"),
        "status": ("status", "trạng thái", "tình trạng", "trang_thai"),
        "valid_from": ("valid_from", "ngày vào đảng", "hiệu lực từ", "từ ngày"),
        "valid_to": ("valid_to", "hiệu lực đến", "đến ngày"),
    },
}
#: Folded words of the exports → our values.
KIND_WORDS = {
    "party_committee": UnitKind.PARTY_COMMITTEE,
    "party committee": UnitKind.PARTY_COMMITTEE,
    "dang bo": UnitKind.PARTY_COMMITTEE,
    "dang uy": UnitKind.PARTY_COMMITTEE,
    "dang bo co so": UnitKind.PARTY_COMMITTEE,
    "party_cell": UnitKind.PARTY_CELL,
    "party cell": UnitKind.PARTY_CELL,
    "chi bo": UnitKind.PARTY_CELL,
    "chi bo co so": UnitKind.PARTY_CELL,
}
STATUS_WORDS = {
    "dang sinh hoat": MemberStatus.ACTIVE,
    "sinh hoat": MemberStatus.ACTIVE,
    "chuyen di": MemberStatus.TRANSFERRED,
    "chuyen sinh hoat": MemberStatus.TRANSFERRED,
    "da chuyen": MemberStatus.TRANSFERRED,
    "tu tran": MemberStatus.DECEASED,
    "da mat": MemberStatus.DECEASED,
    "tu the": MemberStatus.DECEASED,
    "khai tru": MemberStatus.EXPELLED,
    "xoa ten": MemberStatus.REMOVED,
    "khac": MemberStatus.OTHER,
}
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class SyncFileError(ValidationError):
    """The export as a whole cannot be used (missing required columns, bad mapping)."""


@dataclass
class SyncFile:
    """An export as read from disk: its name, SHA-256, header (lower-cased) and rows."""

    name: str
    sha256: str
    header: list[str]
    rows: Rows


def read_sync_file(path: str | Path, *, name: str = "") -> SyncFile:
    """Read a .csv/.xlsx export (raises core.tabular.TabularError when it cannot be read)."""
    path = Path(path)
    header, rows = read_table(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return SyncFile(name=name or path.name, sha256=digest, header=header, rows=rows)


# ---- columns --------------------------------------------------------------------------------------


def resolve_columns(kind: str, header: list[str], source: SyncSource | None = None) -> tuple[dict[str, str], list[str]]:
    """({our field: header in the file}, unknown headers). A saved mapping wins over the defaults."""
    by_folded = {fold(h): h for h in header if h}
    columns: dict[str, str] = {}
    mapping = source.mapping if source is not None else {}
    for name in FIELDS[kind]:
        wanted = mapping.get(name)
        candidates = (wanted,) if wanted else DEFAULT_HEADERS[kind][name]
        for candidate in candidates:
            found = by_folded.get(fold(candidate))
            if found is not None and found not in columns.values():
                columns[name] = found
                break
    missing = [name for name in REQUIRED[kind] if name not in columns]
    if missing:
        raise SyncFileError(
            _("Missing required column(s): %(cols)s (columns found: %(found)s)")
            % {
                "cols": ", ".join(f"{m} ({(mapping.get(m) or DEFAULT_HEADERS[kind][m][-1])})" for m in missing),
                "found": ", ".join(h for h in header if h) or "—",
            }
        )
    unknown = [h for h in header if h and h not in columns.values()]
    return columns, unknown


def check_mapping(kind: str, mapping: dict[str, str], date_format: str) -> None:
    """Refuse a mapping naming fields we do not have, empty headers, or a date format that cannot work."""
    if kind not in SyncKind.values:
        raise ValidationError({"kind": _("Unknown kind “%(kind)s”.") % {"kind": kind}})
    unknown = sorted(set(mapping) - set(FIELDS[kind]))
    if unknown:
        raise ValidationError(
            {
                "mapping": _("Unknown field(s) %(fields)s; the fields are: %(all)s")
                % {"fields": ", ".join(unknown), "all": ", ".join(FIELDS[kind])}
            }
        )
    if any(not str(v).strip() for v in mapping.values()):
        raise ValidationError({"mapping": _("Every field needs the header of its column.")})
    if date_format:
        sample = dt.date(2001, 2, 3)
        try:
            ok = dt.datetime.strptime(sample.strftime(date_format), date_format).date() == sample
        except ValueError:
            ok = False
        if not ok:
            raise ValidationError(
                {"date_format": _("“%(fmt)s” is not a usable date format (e.g. %%d/%%m/%%Y).") % {"fmt": date_format}}
            )


@transaction.atomic
def sync_source_save(*, actor: Any, name: str, kind: str, mapping: dict[str, str], date_format: str = "") -> SyncSource:
    """Create or replace the saved column mapping of one source (a province's export format)."""
    if actor is not None and not policy.can_create(actor, SyncSource):
        raise PermissionDenied(_("Your role may not change sync sources."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("The source needs a name.")})
    mapping = {k.strip(): str(v).strip() for k, v in mapping.items()}
    check_mapping(kind, mapping, date_format)
    source, created = SyncSource.objects.update_or_create(
        name=name, defaults={"kind": kind, "mapping": mapping, "date_format": date_format}
    )
    audit.record(
        "create" if created else "update",
        actor=actor,
        obj=source,
        details={"kind": kind, "mapping": mapping, "date_format": date_format},
    )
    return source


# ---- rows -----------------------------------------------------------------------------------------


def _date(value: str, column: str, date_format: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    formats = (date_format, "%Y-%m-%d") if date_format else DEFAULT_DATE_FORMATS
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    shown = date_format or "YYYY-MM-DD, DD/MM/YYYY"
    raise ValueError(
        _("%(column)s: “%(value)s” is not a date (expected %(format)s)")
        % {"column": column, "value": value, "format": shown}
    )


def _code(value: str, column: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(_("%(column)s: is empty") % {"column": column})
    try:
        code_validator(value)
    except ValidationError:
        raise ValueError(_("%(column)s: “%(code)s” is not a valid code") % {"column": column, "code": value}) from None
    return value


def _clean(kind: str, raw: dict[str, str], columns: dict[str, str], date_format: str) -> dict[str, Any]:
    """Typed values of the fields the file has; ValueError with the column's header when one is wrong."""
    data: dict[str, Any] = {}
    for name, header in columns.items():
        value = (raw.get(header) or "").strip()
        if name == "code":
            data[name] = _code(value, header)
        elif name in ("parent", "organization"):
            data[name] = _code(value, header) if value or name == "organization" else ""
        elif name in ("valid_from", "valid_to", "birth_date"):
            data[name] = _date(value, header, date_format)
        elif name == "kind":
            if value:
                chosen = KIND_WORDS.get(fold(value).replace("-", " ")) or KIND_WORDS.get(fold(value))
                if chosen is None:
                    raise ValueError(
                        _("%(column)s: “%(value)s” is not a party committee or a party cell")
                        % {"column": header, "value": value}
                    )
                data[name] = chosen.value
        elif name == "status":
            if value:  # an empty cell says nothing: a new member is active, an existing one keeps theirs
                data[name] = _status(value, header)
        else:
            if name in REQUIRED[kind] and not value:
                raise ValueError(_("%(column)s: is empty") % {"column": header})
            data[name] = value
    if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
        raise ValueError(_("%(column)s: ends before it begins") % {"column": columns["valid_to"]})
    return data


def _status(value: str, header: str) -> str:
    folded = fold(value)
    for status in MemberStatus:
        if folded in (status.value, fold(str(status.label))):
            return status.value
    for words, status in STATUS_WORDS.items():
        if folded == words or folded.startswith(words + " "):
            return status.value
    raise ValueError(
        _("%(column)s: “%(value)s” is not a member status (%(known)s)")
        % {"column": header, "value": value, "known": ", ".join(MemberStatus.values)}
    )


def _shown(value: Any) -> Any:
    """A value as the diff and the history keep it (JSON)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if value not in ("",) else None


# ---- the diff -------------------------------------------------------------------------------------


@dataclass
class _Item:
    row: int
    code: str
    data: dict[str, Any]
    obj: Any = None  # the existing Unit / PartyMember
    changes: dict[str, list[Any]] = field(default_factory=dict)
    depth: int = 0


@dataclass
class Plan:
    """What a sync would do. `diff` is what the user reviews (JSON); items carry what apply needs."""

    kind: str
    columns: dict[str, str]
    unknown_columns: list[str]
    new: list[_Item] = field(default_factory=list)
    changed: list[_Item] = field(default_factory=list)
    unchanged: int = 0
    missing: list[Any] = field(default_factory=list)
    conflicts: list[tuple[int, str, str]] = field(default_factory=list)  # row, code, reason
    rejected: list[tuple[int, str]] = field(default_factory=list)  # row, reason

    def diff(self) -> dict[str, Any]:
        def item(i: _Item) -> dict[str, Any]:
            return {"row": i.row, "code": i.code, "changes": i.changes}

        return {
            "kind": self.kind,
            "columns": self.columns,
            "unknown_columns": self.unknown_columns,
            "new": [item(i) for i in self.new],
            "changed": [item(i) for i in self.changed],
            "unchanged": self.unchanged,
            "missing": [{"code": o.code, "name": _name(o)} for o in self.missing],
            "conflicts": [{"row": r, "code": c, "reason": why} for r, c, why in sorted(self.conflicts)],
            "rejected": [{"row": r, "reason": why} for r, why in sorted(self.rejected)],
        }


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", "") or getattr(obj, "full_name", ""))


def digest_of(diff: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(diff, sort_keys=True, default=str).encode()).hexdigest()


def _parse(plan: Plan, file: SyncFile, date_format: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """Clean every row; malformed rows and every row of a code given twice are rejected."""
    cleaned: dict[str, tuple[int, dict[str, Any]]] = {}
    rows_of: dict[str, list[int]] = {}
    for number, raw in file.rows:
        try:
            data = _clean(plan.kind, raw, plan.columns, date_format)
        except ValueError as exc:
            plan.rejected.append((number, str(exc)))
            continue
        rows_of.setdefault(data["code"], []).append(number)
        cleaned.setdefault(data["code"], (number, data))
    for code, numbers in rows_of.items():
        if len(numbers) > 1:
            del cleaned[code]
            for number in numbers:
                plan.rejected.append(
                    (
                        number,
                        _("code: “%(code)s” is on several rows (%(rows)s); none of them is applied")
                        % {"code": code, "rows": ", ".join(map(str, numbers))},
                    )
                )
    return cleaned


def _roots(paths: list[str]) -> set[str]:
    return {"/" + p.strip("/").split("/")[0] + "/" for p in paths if p.strip("/")}


def _still_valid(obj: Any, today: dt.date) -> bool:
    return obj.valid_to is None or obj.valid_to >= today


def plan_organizations(file: SyncFile, source: SyncSource | None = None) -> Plan:
    kind = SyncKind.ORGANIZATIONS.value
    columns, unknown = resolve_columns(kind, file.header, source)
    plan = Plan(kind=kind, columns=columns, unknown_columns=unknown)
    cleaned = _parse(plan, file, source.date_format if source else "")
    units = {u.code: u for u in Unit.objects.all()}
    code_of = {u.pk: u.code for u in units.values()}
    has_parent = "parent" in columns
    named = {code for _n, raw in file.rows for code in [(raw.get(columns["code"]) or "").strip()] if code}

    # The parent of every unit after the sync (by code); rows drop out until the rest is consistent.
    valid = dict(cleaned)
    for code, (number, _data) in list(valid.items()):
        existing = units.get(code)
        if existing is not None and existing.kind not in PARTY_KINDS:
            plan.conflicts.append(
                (
                    number,
                    code,
                    _("code: “%(code)s” is here “%(name)s”, a unit of kind “%(kind)s”, not a party organization")
                    % {"code": code, "name": existing.name, "kind": existing.get_kind_display()},
                )
            )
            del valid[code]
    while True:
        parent_of = {u.code: code_of.get(u.parent_id or 0, "") for u in units.values()}
        if has_parent:
            parent_of.update({code: data["parent"] for code, (_n, data) in valid.items()})
        dropped = cycle = False
        for code, (number, data) in list(valid.items()):
            parent = data.get("parent", "")
            if parent and parent not in units and parent not in valid:
                reason = (
                    _("parent: “%(code)s” is on a rejected row") % {"code": parent}
                    if parent in named
                    else _("parent: unknown unit “%(code)s”") % {"code": parent}
                )
                plan.rejected.append((number, reason))
                del valid[code]
                dropped = True
                continue
            seen, cursor, steps = {code}, parent_of.get(code, ""), 0
            while cursor and steps < 10_000:
                if cursor in seen and cursor != code:
                    break  # a cycle further up: flagged on the row that closes it
                if cursor == code:
                    plan.conflicts.append(
                        (
                            number,
                            code,
                            _("parent: placing “%(code)s” under “%(parent)s” would make a cycle")
                            % {"code": code, "parent": parent},
                        )
                    )
                    del valid[code]
                    dropped = cycle = True
                    break
                seen.add(cursor)
                cursor, steps = parent_of.get(cursor, ""), steps + 1
            if cycle:
                break  # recompute the tree without this row
        if not dropped:
            break

    for code, (number, data) in valid.items():
        item = _Item(row=number, code=code, data=data, obj=units.get(code))
        cursor, depth = parent_of.get(code, ""), 0
        while cursor and depth < 10_000:
            cursor, depth = parent_of.get(cursor, ""), depth + 1
        item.depth = depth
        if item.obj is None:
            item.data.setdefault("kind", UnitKind.PARTY_COMMITTEE.value)
            item.changes = {k: [None, _shown(v)] for k, v in data.items() if k != "code" and _shown(v) is not None}
            plan.new.append(item)
            continue
        current = {
            "name": item.obj.name,
            "short_name": item.obj.short_name,
            "kind": item.obj.kind,
            "parent": code_of.get(item.obj.parent_id or 0, ""),
            "valid_from": item.obj.valid_from,
            "valid_to": item.obj.valid_to,
        }
        item.changes = {k: [_shown(current[k]), _shown(v)] for k, v in data.items() if k != "code" and current[k] != v}
        if item.changes:
            plan.changed.append(item)
        else:
            plan.unchanged += 1

    # Missing: party organizations of the provinces this file covers that it does not name.
    today = timezone.localdate()
    touched = [units[c].path for c in named if c in units]
    touched += [units[d["parent"]].path for _n, d in cleaned.values() if d.get("parent") in units]
    roots = _roots(touched)
    plan.missing = [
        u
        for u in units.values()
        if u.kind in PARTY_KINDS and u.code not in named and _still_valid(u, today) and _roots([u.path]) & roots
    ]
    plan.missing.sort(key=lambda u: u.path)
    return plan


def plan_members(file: SyncFile, source: SyncSource | None = None) -> Plan:
    kind = SyncKind.MEMBERS.value
    columns, unknown = resolve_columns(kind, file.header, source)
    plan = Plan(kind=kind, columns=columns, unknown_columns=unknown)
    cleaned = _parse(plan, file, source.date_format if source else "")
    members = {m.code: m for m in PartyMember.objects.select_related("organization")}
    units = {u.code: u for u in Unit.objects.all()}
    for code, (number, data) in cleaned.items():
        organization = units.get(data["organization"])
        if organization is None:
            plan.rejected.append(
                (
                    number,
                    _("%(column)s: unknown party organization “%(code)s”")
                    % {"column": columns["organization"], "code": data["organization"]},
                )
            )
            continue
        if organization.kind not in PARTY_KINDS:
            plan.conflicts.append(
                (
                    number,
                    code,
                    _("%(column)s: “%(code)s” is a unit of kind “%(kind)s”, not a party organization")
                    % {
                        "column": columns["organization"],
                        "code": organization.code,
                        "kind": organization.get_kind_display(),
                    },
                )
            )
            continue
        item = _Item(row=number, code=code, data={**data, "organization": organization}, obj=members.get(code))
        if item.obj is None:
            item.changes = {k: [None, _shown(v)] for k, v in data.items() if k != "code" and _shown(v) is not None}
            plan.new.append(item)
            continue
        current = {
            "full_name": item.obj.full_name,
            "birth_date": item.obj.birth_date,
            "organization": item.obj.organization.code,
            "position": item.obj.position,
            "status": item.obj.status,
            "valid_from": item.obj.valid_from,
            "valid_to": item.obj.valid_to,
        }
        item.changes = {k: [_shown(current[k]), _shown(v)] for k, v in data.items() if k != "code" and current[k] != v}
        if item.changes:
            plan.changed.append(item)
        else:
            plan.unchanged += 1

    today = timezone.localdate()
    named = {code for _n, raw in file.rows for code in [(raw.get(columns["code"]) or "").strip()] if code}
    org_codes = {(raw.get(columns["organization"]) or "").strip() for _n, raw in file.rows}
    roots = _roots([units[c].path for c in org_codes if c in units])
    plan.missing = sorted(
        (
            m
            for m in members.values()
            if m.code not in named and _still_valid(m, today) and _roots([m.organization.path]) & roots
        ),
        key=lambda m: (m.name_key, m.code),
    )
    return plan


def plan_sync(kind: str, file: SyncFile, source: SyncSource | None = None) -> Plan:
    """The diff of a file against the registry, nothing written."""
    if source is not None and source.kind != kind:
        raise SyncFileError(
            _("Source “%(name)s” describes %(its)s, not %(kind)s.")
            % {"name": source.name, "its": source.get_kind_display(), "kind": SyncKind(kind).label}
        )
    return plan_organizations(file, source) if kind == SyncKind.ORGANIZATIONS else plan_members(file, source)


# ---- applying -------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    """A sync's outcome: its run (None for a dry run), the diff, and what was applied."""

    run: RegistrySync | None
    diff: dict[str, Any]
    dry_run: bool
    created: int = 0
    updated: int = 0
    ended: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # rows that could not be applied
    end_failed: list[tuple[str, str]] = field(default_factory=list)  # (code, reason) not ended

    def not_applied(self) -> list[dict[str, Any]]:
        """Every row left out, by row number: malformed, conflicting, refused while applying."""
        rows = [(r["row"], r["reason"]) for r in self.diff["rejected"]]
        rows += [(c["row"], c["reason"]) for c in self.diff["conflicts"]]
        rows += self.failed
        return [{"row": r, "reason": why} for r, why in sorted(rows)]

    def summary(self) -> dict[str, Any]:
        diff = self.diff
        return {
            "type": "summary",
            "kind": diff["kind"],
            "sync": self.run.pk if self.run is not None else None,
            "dry_run": self.dry_run,
            "new": len(diff["new"]),
            "changed": len(diff["changed"]),
            "missing": len(diff["missing"]),
            "conflicts": len(diff["conflicts"]),
            "created": self.created,
            "updated": self.updated,
            "unchanged": diff["unchanged"],
            "ended": self.ended,
            "rejected": self.not_applied(),
            "unknown_columns": diff["unknown_columns"],
            "end_failed": [{"code": c, "reason": why} for c, why in self.end_failed],
        }


def _check_actor(actor: Any) -> None:
    if actor is not None and not policy.can_create(actor, RegistrySync):
        raise PermissionDenied(_("Only the provincial Office may sync the registry."))


def _apply_unit(actor: Any, item: _Item) -> Unit:
    unit = item.obj or Unit(code=item.code)
    for name, value in item.data.items():
        if name == "parent":
            unit.parent = Unit.objects.get(code=value) if value else None
        elif name != "code":
            setattr(unit, name, value)
    return unit_save(actor=actor, unit=unit)


def _apply_member(actor: Any, item: _Item) -> PartyMember:
    member = item.obj or PartyMember(code=item.code)
    if actor is not None and not policy.is_admin(actor):
        scope = policy.scope_units(actor)
        orgs = {item.data["organization"].pk} | ({member.organization_id} if member.pk else set())
        if scope.filter(pk__in=orgs).count() != len(orgs):
            raise PermissionDenied(_("You can only change members of your own province."))
    for name, value in item.data.items():
        if name != "code":
            setattr(member, name, value)
    creating = member.pk is None
    member.full_clean(exclude=["name_key"])
    member.save()
    audit.record("create" if creating else "update", actor=actor, obj=member)
    return member


def _end(actor: Any, kind: str, obj: Any, today: dt.date) -> dict[str, list[Any]]:
    old = obj.valid_to
    obj.valid_to = max(today, obj.valid_from) if obj.valid_from else today
    if kind == SyncKind.ORGANIZATIONS:
        unit_save(actor=actor, unit=obj)
    else:
        obj.full_clean(exclude=["name_key"])
        obj.save()
        audit.record("update", actor=actor, obj=obj, details={"ended_by_sync": True})
    return {"valid_to": [_shown(old), _shown(obj.valid_to)]}


def _apply(
    *, actor: Any, plan: Plan, run: RegistrySync, end_missing: bool, progress: Callable[[int], None] | None
) -> SyncResult:
    result = SyncResult(run=run, diff=run.diff, dry_run=False)
    changes: list[RegistryChange] = []
    items = sorted(plan.new + plan.changed, key=lambda i: (i.depth, i.row))
    for item in items:
        try:
            with transaction.atomic():  # a savepoint: one refused row never undoes the others
                if plan.kind == SyncKind.ORGANIZATIONS:
                    obj: Any = _apply_unit(actor, item)
                else:
                    obj = _apply_member(actor, item)
        except (ValidationError, PermissionDenied, Unit.DoesNotExist) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("not allowed")]
            result.failed.append((item.row, "; ".join(messages)))
        else:
            creating = item.obj is None
            result.created += creating
            result.updated += not creating
            changes.append(
                RegistryChange(
                    sync=run,
                    kind=plan.kind,
                    code=item.code,
                    object_id=obj.pk,
                    action=RegistryChange.Action.CREATE if creating else RegistryChange.Action.UPDATE,
                    row=item.row,
                    changes=item.changes,
                )
            )
        if progress is not None:
            progress(1)
    if end_missing:
        today = timezone.localdate()
        for obj in plan.missing:
            try:
                with transaction.atomic():
                    diff = _end(actor, plan.kind, obj, today)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                result.end_failed.append((obj.code, "; ".join(messages)))
            else:
                result.ended += 1
                changes.append(
                    RegistryChange(
                        sync=run,
                        kind=plan.kind,
                        code=obj.code,
                        object_id=obj.pk,
                        action=RegistryChange.Action.END,
                        changes=diff,
                    )
                )
            if progress is not None:
                progress(1)
    RegistryChange.objects.bulk_create(changes)
    run.status = RegistrySync.Status.APPLIED
    run.applied_at = timezone.now()
    run.rows = None
    run.diff = {**run.diff, "failed": [{"row": r, "reason": why} for r, why in result.failed]}
    run.save()
    audit.record(
        "registry_sync",
        actor=actor,
        obj=run,
        details={
            "file": run.file_name,
            "sha256": run.sha256,
            "source": run.source_name,
            "created": result.created,
            "updated": result.updated,
            "ended": result.ended,
            "not_applied": len(result.not_applied()),
        },
    )
    return result


def _new_run(
    *, actor: Any, kind: str, file: SyncFile, source: SyncSource | None, plan: Plan, end_missing: bool
) -> RegistrySync:
    diff = plan.diff()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return RegistrySync.objects.create(
        kind=kind,
        source=source,
        source_name=source.name if source else "",
        file_name=file.name[:255],
        sha256=file.sha256,
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        end_missing=end_missing,
        diff=diff,
        diff_digest=digest_of(diff),
        header=file.header,
    )


def registry_sync(
    *,
    actor: Any,
    kind: str,
    file: SyncFile,
    source: SyncSource | None = None,
    dry_run: bool = False,
    end_missing: bool = False,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> SyncResult:
    """Diff `file` against the registry, then (unless `dry_run`) apply its valid rows in one transaction.

    Malformed and conflicting rows are reported by row number and left out; the rest is applied. With
    `end_missing`, organizations/members of the covered provinces that the export no longer names get
    `valid_to` = today; without it they are only reported."""
    _check_actor(actor)
    plan = plan_sync(kind, file, source)
    if on_plan is not None:
        on_plan(plan)
    if dry_run:
        return SyncResult(run=None, diff=plan.diff(), dry_run=True)
    with transaction.atomic():
        run = _new_run(actor=actor, kind=kind, file=file, source=source, plan=plan, end_missing=end_missing)
        return _apply(actor=actor, plan=plan, run=run, end_missing=end_missing, progress=progress)


@transaction.atomic
def sync_stage(
    *, actor: Any, kind: str, file: SyncFile, source: SyncSource | None = None, end_missing: bool = False
) -> RegistrySync:
    """Keep an uploaded export and its diff for the user to review; nothing in the registry changes."""
    _check_actor(actor)
    plan = plan_sync(kind, file, source)
    run = _new_run(actor=actor, kind=kind, file=file, source=source, plan=plan, end_missing=end_missing)
    run.rows = [[number, raw] for number, raw in file.rows]
    run.save(update_fields=["rows"])
    audit.record("registry_sync_preview", actor=actor, obj=run, details={"file": run.file_name, "sha256": run.sha256})
    return run


class DiffChanged(ValidationError):
    """The registry changed between the preview and the confirmation: the run now holds the new diff."""


def sync_confirm(*, actor: Any, run: RegistrySync, digest: str) -> SyncResult:
    """Apply a staged run, if the diff the user saw (`digest`) is still the diff of today."""
    _check_actor(actor)
    with transaction.atomic():
        run = RegistrySync.objects.select_for_update().get(pk=run.pk)
        if run.status != RegistrySync.Status.PREVIEW or run.rows is None:
            raise ValidationError(_("This sync has already been applied."))
        file = SyncFile(
            name=run.file_name, sha256=run.sha256, header=run.header, rows=[(int(n), raw) for n, raw in run.rows]
        )
        plan = plan_sync(run.kind, file, run.source)
        diff = plan.diff()
        if digest_of(diff) == digest == run.diff_digest:
            return _apply(actor=actor, plan=plan, run=run, end_missing=run.end_missing, progress=None)
        run.diff, run.diff_digest = diff, digest_of(diff)
        run.save(update_fields=["diff", "diff_digest"])
    raise DiffChanged(_("The registry changed since this preview: check the differences again and confirm."))
