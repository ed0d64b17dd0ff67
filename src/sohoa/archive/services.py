"""Writes to the archive. Each service checks the actor's right through the policy, validates, saves in
one transaction and writes the audit row."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.core import audit, policy

from . import notation as notation_mod
from . import register_format, selectors
from .models import Direction, DocType, Document, Fonds, Record, RegisterEntry, RegisterImport, StorageLocation

M = TypeVar("M", bound=models.Model)


def _model_changes(obj: models.Model) -> dict[str, Any]:
    """Field → (old, new) for an existing object, read back from the database."""
    if obj.pk is None:
        return {}
    old = type(obj)._default_manager.filter(pk=obj.pk).values().first() or {}
    changes = {}
    for f in obj._meta.concrete_fields:
        if f.attname in ("updated_at", "created_at"):
            continue
        new = getattr(obj, f.attname)
        if old.get(f.attname) != new:
            changes[f.attname] = [old.get(f.attname), new]
    return changes


def _check_write(actor: Any, obj: models.Model) -> None:
    """The actor may write this kind, the object's unit is in their scope and its level within clearance."""
    if actor is None:
        return  # the system itself: command line imports, the digitization worker
    if not policy.can_create(actor, type(obj)):
        raise PermissionDenied(_("Your role may not change %(what)s.") % {"what": obj._meta.verbose_name_plural})
    unit = getattr(obj, "unit", None)
    if unit is not None and not policy.unit_in_scope(actor, unit):
        raise ValidationError({"unit": _("You can only work with units in your scope.")})
    level = getattr(obj, "confidentiality", None)
    if level is not None and not policy.level_allowed(actor, level):
        raise ValidationError({"confidentiality": _("This level is above your clearance.")})
    if obj.pk is not None and not policy.can_see(actor, type(obj)._default_manager.get(pk=obj.pk)):
        raise PermissionDenied(_("You may not change this object."))


def _keep_provenance(obj: models.Model) -> None:
    """The creating unit is provenance: once set it never changes, whatever a form sends."""
    if obj.pk is not None and hasattr(obj, "creator_unit_id"):
        obj.creator_unit_id = type(obj)._default_manager.values_list("creator_unit_id", flat=True).get(pk=obj.pk)


@transaction.atomic
def _save(actor: Any, obj: M, *, details: dict[str, Any] | None = None) -> M:
    creating = obj.pk is None
    _keep_provenance(obj)
    _check_write(actor, obj)
    obj.full_clean()
    changes = _model_changes(obj)
    obj.save()
    audit.record(
        "create" if creating else "update",
        actor=actor,
        obj=obj,
        details={**(details or {}), **({"changes": changes} if changes else {})},
    )
    return obj


def fonds_save(*, actor: Any, fonds: Fonds) -> Fonds:
    if fonds.pk is None and fonds.creator_unit_id is None:
        fonds.creator_unit_id = fonds.unit_id
    return _save(actor, fonds)


def location_save(*, actor: Any, location: StorageLocation) -> StorageLocation:
    return _save(actor, location)


def record_save(*, actor: Any, record: Record) -> Record:
    if record.pk is None and record.creator_unit_id is None:
        record.creator_unit_id = record.unit_id
    return _save(actor, record)


def duplicates_of(document: Document) -> tuple[int, list[Document]]:
    """Documents with the same number + symbol + issuing body (Decree 30 asks to warn on these).

    Returns the total count and those the actor may be shown; the caller shows the visible ones and
    mentions only the number of the others, so a duplicate is never missed but nothing secret leaks.
    """
    if not document.notation:
        return 0, []
    same_notation = Document.objects.filter(notation_key=notation_mod.fold(notation_mod.clean(document.notation)))
    if document.pk:
        same_notation = same_notation.exclude(pk=document.pk)
    issuer_key = notation_mod.fold(document.issuer)
    matches = [
        d
        for d in same_notation.select_related("unit")
        if (document.issuer_unit_id and d.issuer_unit_id == document.issuer_unit_id)
        or (issuer_key and notation_mod.fold(d.issuer) == issuer_key)
        or (not issuer_key and not document.issuer_unit_id)
    ]
    return len(matches), matches


def _complete_document(document: Document) -> None:
    """Derive what the standard derives: notation ↔ number/symbol, identifier = record code + order."""
    document.notation = notation_mod.clean(document.notation)
    if document.notation and not (document.number and document.symbol):
        number, symbol = notation_mod.split(document.notation)
        document.number = document.number or number
        document.symbol = document.symbol or symbol
    elif not document.notation and document.number and document.symbol:
        document.notation = notation_mod.join(document.number, document.symbol)
    if document.record is not None and document.order_in_record and not document.identifier:
        document.identifier = f"{document.record.code}.{document.order_in_record}"
    if document.identifier == "":
        document.identifier = None
    if document.record_id and document.pk is None and document.unit_id is None:
        document.unit_id = document.record.unit_id


def document_save(*, actor: Any, document: Document, allow_duplicate: bool = False, legal_basis: str = "") -> Document:
    """Register or update a document. A duplicate number + symbol + issuer is refused unless confirmed.

    Changing the level of an existing document needs its legal basis (e.g. the number of the
    declassification decision); it is audited, and crossing between public and mật encrypts or decrypts
    the document's files and texts (decision 0020)."""
    _complete_document(document)
    old_level = (
        Document.objects.filter(pk=document.pk).values_list("confidentiality", flat=True).first()
        if document.pk is not None
        else None
    )
    level_changed = old_level is not None and int(old_level) != int(document.confidentiality)
    legal_basis = legal_basis.strip()
    if level_changed and not legal_basis:
        _check_write(actor, document)  # who may not change it at all hears that first
        raise ValidationError(
            {"legal_basis": _("Changing the level of secrecy needs its legal basis (e.g. the decision number).")}
        )
    if document.pk is None:
        if document.creator_unit_id is None:
            document.creator_unit_id = document.unit_id
        document.created_by = actor
    count, _visible = duplicates_of(document)
    if count and not allow_duplicate:
        # The code must sit on the field's error: Django drops `code=` given next to a dict.
        raise ValidationError(
            {
                "notation": ValidationError(
                    _(
                        "%(count)s document(s) with the same number, symbol and issuing body are already "
                        "registered. Check, then confirm to register anyway."
                    )
                    % {"count": count},
                    code="duplicate",
                )
            }
        )
    with transaction.atomic():
        saved = _save(actor, document, details={"duplicate_confirmed": count} if count else None)
        if level_changed:
            from sohoa.digitization.secrecy import document_level_changed

            audit.record(
                "confidentiality_change",
                actor=actor,
                obj=saved,
                details={"old": int(old_level or 0), "new": int(saved.confidentiality), "legal_basis": legal_basis},
            )
            document_level_changed(saved, int(old_level or 0), int(saved.confidentiality))
    register_link_auto(actor=actor, document=saved, source="form")
    return saved


def register_entry_save(*, actor: Any, entry: RegisterEntry) -> RegisterEntry:
    entry.notation = notation_mod.clean(entry.notation)
    if entry.pk is None and not entry.entry_number:
        last = RegisterEntry.objects.filter(unit_id=entry.unit_id, direction=entry.direction, year=entry.year)
        entry.entry_number = (last.aggregate(m=models.Max("entry_number"))["m"] or 0) + 1
    if actor is not None and entry.document is not None and not policy.can_see(actor, entry.document):
        raise ValidationError({"document": _("Unknown document.")})
    return _save(actor, entry)


# ---- register import -----------------------------------------------------------------------------

#: Rows per transaction: a crash loses at most the chunk in flight, and a re-run skips what landed.
IMPORT_CHUNK = 2000
#: At most this many rejected rows are copied into the audit row (the command prints them all).
AUDIT_REJECTED_MAX = 500


@dataclass
class RegisterImportReport:
    """What happened to every row of a register file."""

    created: int = 0
    updated: int = 0  # blanks in the register filled from the file
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, reason)
    columns: dict[str, str] = field(default_factory=dict)  # field → header as written in the file
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self, *, max_rejected: int | None = None) -> dict[str, Any]:
        rejected = sorted(self.rejected)
        shown = rejected if max_rejected is None else rejected[:max_rejected]
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"row": r, "reason": why} for r, why in shown],
            "rejected_count": len(rejected),
            "columns": self.columns,
            "unknown_columns": self.unknown_columns,
            "ignored_columns": self.ignored_columns,
        }


@dataclass
class _Row:
    number: int  # row in the spreadsheet
    year: int
    entry_number: int | None
    values: dict[str, Any]  # only the fields the file has a column for


_DOC_TYPES = frozenset(DocType.values)


def _doc_type_of(notation: str) -> str:
    """The type abbreviation inside a number-symbol: 15/QĐ-UBND → QĐ, 64-CV/TW → CV, 30/2020/NĐ-CP → NĐ."""
    _number, symbol = notation_mod.split(notation)
    parts = [p for p in re.split(r"[/-]", symbol) if p and not p.isdigit()]
    return parts[0] if parts and parts[0] in _DOC_TYPES else ""


def _parse_register_row(
    number: int, raw: dict[str, str], columns: dict[str, str], direction: str, max_level: int | None
) -> _Row:
    """One spreadsheet row → typed values; ValueError names the first bad column."""
    values: dict[str, Any] = {}
    for name, header in columns.items():
        text = raw.get(header.strip().lower(), "").strip()
        if name in register_format.DATE_FIELDS:
            values[name] = register_format.parse_date(text, header)
        elif name == "copies":
            values[name] = register_format.parse_positive_int(text, header)
        elif name == "entry_number":
            values[name] = register_format.parse_positive_int(text, header)
        elif name == "year":
            values[name] = register_format.parse_year(text, header)
        elif name == "confidentiality":
            values[name] = register_format.parse_level(text, header)
        elif name == "urgency":
            values[name] = register_format.parse_urgency(text, header)
        else:
            if name == "notation":
                text = notation_mod.clean(text)
            limit = _max_length(name)
            if limit and len(text) > limit:
                raise ValueError(_("%(column)s: longer than %(limit)d characters") % {"column": header, "limit": limit})
            values[name] = text
    if not values.get("subject"):
        raise ValueError(_("%(column)s: is empty") % {"column": columns["subject"]})
    if max_level is not None and values.get("confidentiality", 0) > max_level:
        raise ValueError(_("%(column)s: above your clearance") % {"column": columns["confidentiality"]})
    dates = ("arrival_date", "doc_date") if direction == Direction.INCOMING else ("doc_date", "arrival_date")
    year = values.pop("year", None) or next((values[d].year for d in dates if values.get(d)), None)
    if year is None:
        raise ValueError(_("no year: fill the year or a date column"))
    return _Row(number, year, values.pop("entry_number", None), values)


def _differences(existing: dict[str, Any], values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(blanks of the register the file fills, fields where both have different values)."""
    fill: dict[str, Any] = {}
    conflicts: list[str] = []
    for name, new in values.items():
        old = existing.get(name)
        if old == new or new in (None, "") or (name == "confidentiality" and new == 0 and old == 0):
            continue
        if old in (None, "", 0) and name != "confidentiality":
            fill[name] = new
        else:
            conflicts.append(name)
    return fill, conflicts


def _content_key(row: _Row) -> tuple[Any, ...]:
    return (row.year, *sorted((k, str(v)) for k, v in row.values.items()))


def register_import(
    *,
    actor: Any,
    unit: Any,
    direction: str,
    header: list[str],
    rows: list[tuple[int, dict[str, str]]],
    source: str = "",
    chunk_size: int = IMPORT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> RegisterImportReport:
    """Load a unit's incoming or outgoing register from parsed spreadsheet rows; bad rows are reported.

    A row is keyed by unit + register + year + entry number. The same key with the same content is
    unchanged; blanks in the register that the file fills are updated; any other difference is
    rejected (the register is the clerk's legal record, an import never overwrites it). Rows without
    an entry number get the next free one of their year unless an identical entry exists. Rows are
    written in chunks, each in its own transaction, so a crash leaves whole chunks that a re-run finds
    unchanged. Raises ValidationError when the file as a whole cannot be a register.
    """
    if direction not in Direction.values:
        raise ValidationError(_("The register is “incoming” or “outgoing”."))
    if actor is not None:
        if not policy.can_create(actor, RegisterEntry):
            raise PermissionDenied(_("Your role may not change %(what)s.") % {"what": _("register entries")})
        if not policy.unit_in_scope(actor, unit):
            raise ValidationError(_("You can only work with units in your scope."))
    columns, unknown, ignored = register_format.map_header(header)
    report = RegisterImportReport(columns=columns, unknown_columns=unknown, ignored_columns=ignored)
    missing = [] if "subject" in columns else [_("subject (Tên loại và trích yếu nội dung)")]
    if not {"year", "arrival_date", "doc_date"} & columns.keys():
        missing.append(_("year or a date (Năm, Ngày đến, Ngày tháng văn bản)"))
    if missing:
        raise ValidationError(_("Missing required column(s): %(cols)s") % {"cols": "; ".join(missing)})

    max_level = None if actor is None else int(actor.clearance)
    parsed: list[_Row] = []
    first_row: dict[tuple[Any, ...], int] = {}
    for number, raw in rows:
        try:
            row = _parse_register_row(number, raw, columns, direction, max_level)
        except ValueError as exc:
            report.rejected.append((number, str(exc)))
            continue
        key = (row.year, row.entry_number) if row.entry_number else _content_key(row)
        if key in first_row:
            if row.entry_number:
                reason = _("entry %(number)d of %(year)d appears twice in the file (first on row %(row)d)") % {
                    "number": row.entry_number,
                    "year": row.year,
                    "row": first_row[key],
                }
            else:
                reason = _("same content as row %(row)d of this file") % {"row": first_row[key]}
            report.rejected.append((number, reason))
            continue
        first_row[key] = number
        parsed.append(row)

    # Numbers given to rows without one start above every number of their year, in the file or register.
    next_number: dict[int, int] = {}
    for row in parsed:
        if row.entry_number:
            next_number[row.year] = max(next_number.get(row.year, 1), row.entry_number + 1)
    allocated: set[int] = set()  # years whose register maximum was already taken into account
    if progress is not None and len(rows) > len(parsed):
        progress(len(rows) - len(parsed))  # rejected while reading
    for start in range(0, len(parsed), chunk_size):
        chunk = parsed[start : start + chunk_size]
        with transaction.atomic():
            _import_chunk(unit, direction, chunk, report, next_number, allocated, max_level)
        if progress is not None:
            progress(len(chunk))
    audit.record(
        "import",
        actor=actor,
        object_type="archive.registerentry",
        object_id=str(unit.pk),
        object_repr=f"{unit.code} {direction} {source}"[:300],
        details=report.as_dict(max_rejected=AUDIT_REJECTED_MAX),
    )
    return report


def _import_chunk(
    unit: Any,
    direction: str,
    chunk: list[_Row],
    report: RegisterImportReport,
    next_number: dict[int, int],
    allocated: set[int],
    max_level: int | None = None,
) -> None:
    """Compare one chunk with the register in two queries, then write it with one bulk insert/update.

    Rows above the importer's clearance (`max_level`; None = the system) are never compared, shown or
    filled: a file row with their number is refused with a message that says nothing about them."""
    fields = sorted({name for row in chunk for name in row.values})
    base = RegisterEntry.objects.filter(unit=unit, direction=direction)
    numbered = [r for r in chunk if r.entry_number]
    existing: dict[tuple[int, int], dict[str, Any]] = {}
    if numbered:
        for values in base.filter(
            year__in={r.year for r in numbered}, entry_number__in={r.entry_number for r in numbered}
        ).values("id", "year", "entry_number", "confidentiality", *fields):
            existing[(values["year"], values["entry_number"])] = values
    unnumbered = [r for r in chunk if not r.entry_number]
    same_content: dict[tuple[Any, ...], int] = {}
    if unnumbered:
        candidates = base.filter(
            year__in={r.year for r in unnumbered}, subject__in={r.values["subject"] for r in unnumbered}
        )
        if max_level is not None:
            candidates = candidates.filter(confidentiality__lte=max_level)
        candidates = candidates.values("year", "entry_number", *fields)
        for values in candidates:
            probe = _Row(0, values["year"], None, {k: values[k] for k in fields})
            same_content.setdefault(_content_key(probe), values["entry_number"])

    new: list[dict[str, Any]] = []
    changed: list[RegisterEntry] = []
    changed_fields: set[str] = set()
    for row in chunk:
        if not row.entry_number:
            probe = _Row(0, row.year, None, {k: row.values.get(k, _blank(k)) for k in fields})
            if _content_key(probe) in same_content:
                report.unchanged += 1
                continue
            if row.year not in allocated:
                last = base.filter(year=row.year).aggregate(m=models.Max("entry_number"))["m"] or 0
                next_number[row.year] = max(next_number.get(row.year, 1), last + 1)
                allocated.add(row.year)
            row.entry_number = next_number[row.year]
            next_number[row.year] += 1
        old = existing.get((row.year, row.entry_number))
        if old is not None and max_level is not None and old["confidentiality"] > max_level:
            report.rejected.append(
                (
                    row.number,
                    _("entry %(number)d of %(year)d is already used in the register")
                    % {"number": row.entry_number, "year": row.year},
                )
            )
            continue
        if old is None:
            notation = row.values.get("notation", "")
            new.append(
                {
                    "unit_id": unit.pk,
                    "direction": direction,
                    "year": row.year,
                    "entry_number": row.entry_number,
                    "doc_type": _doc_type_of(notation) if notation else "",
                    "notation_key": notation_mod.fold(notation),  # no save() runs on this path
                    **row.values,
                }
            )
            continue
        fill, conflicts = _differences(old, row.values)
        if conflicts:
            report.rejected.append(
                (
                    row.number,
                    _("entry %(number)d of %(year)d is already in the register with different content (%(fields)s)")
                    % {"number": row.entry_number, "year": row.year, "fields": ", ".join(conflicts)},
                )
            )
        elif fill:
            # Every compared field carries its stored value, so bulk_update rewrites only the blanks.
            entry = RegisterEntry(pk=old["id"], **{k: old[k] for k in fields})
            for name, value in fill.items():
                setattr(entry, name, value)
            if "notation" in fill:
                entry.notation_key = notation_mod.fold(fill["notation"])
                changed_fields.add("notation_key")
            changed.append(entry)
            changed_fields.update(fill)
            report.updated += 1
        else:
            report.unchanged += 1
    if new:
        _insert_entries(new)
        report.created += len(new)
    if changed:
        RegisterEntry.objects.bulk_update(changed, sorted(changed_fields))


def _insert_entries(values: list[dict[str, Any]]) -> None:
    """INSERT new register rows with one executemany, without model instances.

    bulk_create spent most of a 100,000-row import building instances and preparing each value through
    the generic field machinery (docs/performance.md); the rows here are already validated and typed,
    so each column only needs the backend's date adaptation, and absent columns their prepared default.
    """
    fields = [f for f in RegisterEntry._meta.concrete_fields if not f.primary_key]
    given = {name for row in values for name in row}
    ops = connection.ops
    created_at = ops.adapt_datetimefield_value(timezone.now())
    constants: dict[str, Any] = {}  # column values shared by every row
    dates: list[str] = []  # all nullable: an absent date is None
    for f in fields:
        if f.attname == "created_at":
            constants[f.attname] = created_at
        elif f.attname not in given:
            constants[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        elif isinstance(f, models.DateField):
            dates.append(f.attname)
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields if f.attname in given}
    names = [f.attname for f in fields]
    params = []
    for row in values:
        merged = {**defaults, **row, **constants}
        for name in dates:
            merged[name] = ops.adapt_datefield_value(row.get(name))
        params.append([merged[name] for name in names])
    sql = (
        f"INSERT INTO {ops.quote_name(RegisterEntry._meta.db_table)} "
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _field(name: str) -> models.Field[Any, Any]:
    field_ = RegisterEntry._meta.get_field(name)
    assert isinstance(field_, models.Field)
    return field_


@functools.cache
def _max_length(name: str) -> int | None:
    return _field(name).max_length


def _blank(name: str) -> Any:
    return None if _field(name).null else (0 if name == "confidentiality" else "")


# ---- linking scans to register rows ----------------------------------------------------------------


@dataclass
class LinkResult:
    """What the automatic matcher did: the row it linked, or the rows it could not choose between."""

    linked: RegisterEntry | None = None
    suggestions: list[RegisterEntry] = field(default_factory=list)


def _check_link(actor: Any, entry: RegisterEntry, document: Document) -> None:
    """Linking changes which paper a scan stands for: the actor must be able to edit the document and see
    the row. (Operators link too, though only clerks and archivists edit the register's content.)"""
    if actor is None:
        return
    if not policy.can_edit(actor, document):
        raise PermissionDenied(_("You may not change this document."))
    if not policy.can_see(actor, entry):
        raise ValidationError({"entry": _("Unknown register entry.")})


def register_link(*, actor: Any, entry: RegisterEntry, document: Document, how: str = "manual") -> RegisterEntry:
    """Mark `entry` (a paper line of a register) as held by `document`; audited as "link".

    The row must be of the document's unit and not linked to another document: a wrong link is undone
    first (register_unlink), never silently replaced. Progress counters follow by database trigger.
    """
    _check_link(actor, entry, document)
    with transaction.atomic():
        locked = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.document_id == document.pk:
            return locked
        if locked.unit_id != document.unit_id:
            raise ValidationError({"entry": _("The register entry belongs to another unit than the document.")})
        if locked.document_id is not None:
            raise ValidationError(
                {"entry": _("The register entry is already linked to another document; unlink it first.")}
            )
        locked.document = document
        locked.save(update_fields=["document"])
        audit.record("link", actor=actor, obj=locked, details={"document": document.pk, "how": how})
    entry.document = document
    return locked


def register_unlink(*, actor: Any, entry: RegisterEntry) -> RegisterEntry:
    """Undo a link (a wrong automatic match, a mistaken pick); audited as "unlink"."""
    with transaction.atomic():
        locked = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.document is None:
            return locked
        _check_link(actor, locked, locked.document)
        previous = locked.document_id
        locked.document = None
        locked.save(update_fields=["document"])
        audit.record("unlink", actor=actor, obj=locked, details={"document": previous})
    entry.document = None
    return locked


def register_link_auto(
    *,
    actor: Any,
    document: Document,
    notation: str | None = None,
    issued_date: Any = None,
    source: str = "auto",
) -> LinkResult:
    """Link a document to its register row when unit + folded number/symbol + document date match ONE
    unlinked row. Several matching rows are returned as suggestions and nothing is linked.

    `notation`/`issued_date` default to what the operator typed on the document; the extraction step
    passes what it read from the scan instead. A document already linked in its unit is left alone.
    """
    notation = document.notation if notation is None else notation
    issued_date = document.issued_date if issued_date is None else issued_date
    if not notation_mod.clean(notation) or issued_date is None or document.pk is None:
        return LinkResult()
    if RegisterEntry.objects.filter(document=document, unit_id=document.unit_id).exists():
        return LinkResult()
    matches = list(
        selectors.register_matches(actor, unit_id=document.unit_id, notation=notation, issued_date=issued_date)[:10]
    )
    if len(matches) != 1:
        return LinkResult(suggestions=matches)
    try:
        return LinkResult(linked=register_link(actor=actor, entry=matches[0], document=document, how=source))
    except ValidationError:  # linked by someone else meanwhile: the document's own save stands
        return LinkResult(suggestions=matches)


# ---- register import from the browser ---------------------------------------------------------------

IMPORT_SUFFIXES = (".xlsx", ".csv")


def register_import_start(*, actor: Any, unit: Any, direction: str, name: str, file: Any) -> RegisterImport:
    """Keep an uploaded register file and queue its import; the page then follows its progress."""
    from sohoa.digitization import storage

    from . import tasks

    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in IMPORT_SUFFIXES:
        raise ValidationError({"file": _("Unsupported file type “%(suffix)s”: use .csv or .xlsx") % {"suffix": suffix}})
    if direction not in Direction.values:
        raise ValidationError({"direction": _("The register is “incoming” or “outgoing”.")})
    if not policy.can_create(actor, RegisterEntry):
        raise PermissionDenied(_("Your role may not change %(what)s.") % {"what": _("register entries")})
    if not policy.unit_in_scope(actor, unit):
        raise ValidationError({"unit": _("You can only work with units in your scope.")})
    rel = f"imports/{uuid.uuid4().hex}{suffix}"
    with storage.atomic_write(rel) as out:
        for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
            out.write(chunk)
    with transaction.atomic():
        job = RegisterImport.objects.create(
            unit=unit, direction=direction, file_name=name[:255], stored_path=rel, created_by=actor
        )
        audit.record("import_start", actor=actor, obj=job, details={"file": name[:255], "direction": direction})
        transaction.on_commit(lambda: tasks.register_import_run(job.pk))
    return job


def register_import_run(import_id: int) -> None:
    """The worker's side: read the file, import it with progress saved as it goes, keep the report."""
    from sohoa.core.tabular import TabularError, read_table
    from sohoa.digitization import storage

    job = RegisterImport.objects.select_related("unit", "created_by").get(pk=import_id)
    if job.finished:
        return
    try:
        header, rows = read_table(storage.path(job.stored_path))
    except TabularError as exc:
        _import_failed(job, str(exc))
        return
    RegisterImport.objects.filter(pk=job.pk).update(status=RegisterImport.Status.RUNNING, rows_total=len(rows))
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        RegisterImport.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        report = register_import(
            actor=job.created_by,
            unit=job.unit,
            direction=job.direction,
            header=header,
            rows=rows,
            source=job.file_name,
            progress=progress,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        _import_failed(job, "; ".join(messages))
        return
    RegisterImport.objects.filter(pk=job.pk).update(
        status=RegisterImport.Status.DONE,
        rows_done=len(rows),
        report=report.as_dict(max_rejected=500),
        finished_at=timezone.now(),
    )


def _import_failed(job: RegisterImport, error: str) -> None:
    RegisterImport.objects.filter(pk=job.pk).update(
        status=RegisterImport.Status.FAILED, error=error[:500], finished_at=timezone.now()
    )
