"""Writes to case files: open, edit, subjects, documents (existing or uploaded), stages, closing into an
archival record. Each checks the actor through the policy, refuses changes to a closed case, saves in one
transaction and writes its audit row. The rules the issue left open are in decision 0030."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.archive.models import RECORD_CODE_RE, AccessRegime, Document, Fonds, Record, Retention
from sohoa.codes import services as codes_services
from sohoa.codes.models import CodeSource, MentionKind
from sohoa.codes.owners import OWNERS
from sohoa.core import audit, policy
from sohoa.core.models import Level
from sohoa.registry.models import PartyMember, Unit

from .models import (
    DISCIPLINE_OUTCOMES,
    KIND_SYMBOLS,
    ROLE_ORDER,
    Case,
    CaseDocument,
    CaseKind,
    CaseStage,
    CaseSubject,
    DocumentRole,
    Outcome,
    Stage,
)

#: The stage each stage moves on to (closing is `case_close`, from concluded or discipline).
NEXT_STAGE = {
    Stage.OPENED: Stage.PLANNED,
    Stage.PLANNED: Stage.VERIFYING,
    Stage.VERIFYING: Stage.CONCLUDED,
    Stage.CONCLUDED: Stage.DISCIPLINE,
}
#: What the form may change on an open case (unit, stage, outcome and record have their own services).
EDITABLE = ("title", "number", "kind", "confidentiality", "opened_on", "deadline", "summary")


def owner() -> Any:
    return OWNERS["case"]


# ---- checks ----------------------------------------------------------------------------------------------


def _check_writer(actor: Any, case: Case | None = None) -> None:
    if not policy.can_create(actor, Case):
        raise PermissionDenied(_("Your role may not work on case files."))
    if case is not None and case.pk is not None and not policy.can_see(actor, case):
        raise PermissionDenied(_("You may not change this case file."))


def _check_open(case: Case) -> None:
    """Refuse any change to a closed case (asked of the database: the caller's copy may be older)."""
    if case.stage == Stage.CLOSED or Case.objects.filter(pk=case.pk, stage=Stage.CLOSED).exists():
        record = Record.objects.filter(case=case).values_list("code", flat=True).first()
        raise ValidationError(
            _("This case file is closed into record %(code)s: it can no longer be changed.")
            % {"code": record or case.code}
        )


def _lock(case: Case) -> Case:
    """The case row, locked for the rest of the transaction (two clerks advancing it at once)."""
    assert case.pk is not None
    return Case.objects.select_for_update(of=("self",)).select_related("unit", "creator_unit").get(pk=case.pk)


def _documents_max_level(case: Case) -> int:
    levels = Document.objects.filter(pk__in=case.documents.values("document_id")).aggregate(m=Max("confidentiality"))
    uploads = case.documents.filter(document__isnull=True, intake__isnull=False).aggregate(
        m=Max("intake__confidentiality")
    )
    return max(int(levels["m"] or 0), int(uploads["m"] or 0))


def _code(unit: Unit, year: int, number: str) -> str:
    return f"{unit.code}.{year}.{number}"


def _next_number(unit: Unit, year: int, kind: str) -> str:
    n = Case.objects.filter(creator_unit=unit, year=year).count() + 1
    symbol = KIND_SYMBOLS.get(kind, "HS")  # type: ignore[call-overload]
    while Case.objects.filter(code=_code(unit, year, f"{n:02d}-{symbol}")).exists():
        n += 1
    return f"{n:02d}-{symbol}"


def _clean_number(case: Case) -> None:
    """Number → code (opening unit + year + number), checked like a record code and for uniqueness."""
    case.number = "".join((case.number or "").split())
    if not case.number:
        case.number = _next_number(case.creator_unit, case.year, case.kind)
    if not RECORD_CODE_RE.fullmatch(case.number):
        raise ValidationError(
            {"number": _("A case number has letters, digits, dots, dashes or underscores, e.g. 03-KT.")}
        )
    case.code = _code(case.creator_unit, case.year, case.number)
    if len(case.code) > 100:
        raise ValidationError({"number": _("The case number is too long.")})
    if Case.objects.filter(code=case.code).exclude(pk=case.pk).exists():
        raise ValidationError(
            {
                "number": _("Another case file already has the number %(number)s in %(year)s.")
                % {
                    "number": case.number,
                    "year": case.year,
                }
            }
        )


def _validate(actor: Any, case: Case) -> None:
    errors: dict[str, str] = {}
    case.title = " ".join((case.title or "").split())
    if not case.title:
        errors["title"] = _("Give the case a title.")
    if case.kind not in CaseKind.values:
        errors["kind"] = _("Choose the kind of case.")
    if int(case.confidentiality) not in Level.values:
        errors["confidentiality"] = _("Choose a confidentiality level.")
    elif not policy.level_allowed(actor, case.confidentiality):
        errors["confidentiality"] = _("This level is above your clearance.")
    if case.deadline and case.opened_on and case.deadline < case.opened_on:
        errors["deadline"] = _("The deadline cannot be before the case was opened.")
    if errors:
        raise ValidationError(errors)


# ---- open and edit ---------------------------------------------------------------------------------------


def case_open(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    kind: str = CaseKind.INSPECTION,
    confidentiality: int = Level.NONE,
    opened_on: dt.date | None = None,
    deadline: dt.date | None = None,
    number: str = "",
    summary: str = "",
) -> Case:
    """Open a case file in `unit` (the inspection committee that handles it); numbered when no number."""
    _check_writer(actor)
    if unit is None or not policy.unit_in_scope(actor, unit):
        raise ValidationError({"unit": _("You can only work with units in your scope.")})
    opened_on = opened_on or timezone.localdate()
    case = Case(
        unit=unit,
        creator_unit=unit,
        title=title,
        kind=kind,
        confidentiality=confidentiality,
        opened_on=opened_on,
        year=opened_on.year,
        deadline=deadline,
        number=number,
        summary=summary or "",
        created_by=actor,
    )
    _validate(actor, case)
    with transaction.atomic():
        _clean_number(case)
        case.save()
        CaseStage.objects.create(case=case, stage=Stage.OPENED, by=actor)
        audit.record(
            "case_open",
            actor=actor,
            obj=case,
            details={"kind": case.kind, "level": int(case.confidentiality), "unit": unit.code},
        )
    return case


def case_update(*, actor: Any, case: Case, **changes: Any) -> Case:
    """Change what the form edits (EDITABLE) on an open case. Its level may not fall below one of its
    documents' (decision 0030); the number and the year opened make the code, checked again."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _check_writer(actor, case)
    with transaction.atomic():
        locked = _lock(case)
        _check_open(locked)
        before = {name: getattr(locked, name) for name in EDITABLE}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.confidentiality = int(locked.confidentiality)
        locked.year = locked.opened_on.year
        _validate(actor, locked)
        highest = _documents_max_level(locked)
        if int(locked.confidentiality) < highest:
            raise ValidationError(
                {
                    "confidentiality": _(
                        "A document of this case is %(level)s: the case cannot be less secret than its documents."
                    )
                    % {"level": Level(highest).label}
                }
            )
        _clean_number(locked)
        diff = {n: [str(before[n]), str(getattr(locked, n))] for n in EDITABLE if before[n] != getattr(locked, n)}
        locked.save()
        if diff:
            audit.record("update", actor=actor, obj=locked, details={"changes": diff})
    return locked


# ---- subjects --------------------------------------------------------------------------------------------


def subject_add(
    *,
    actor: Any,
    case: Case,
    kind: str = MentionKind.PERSON,
    name: str = "",
    code: str = "",
    birth_date: dt.date | None = None,
    unit_hint: Unit | None = None,
) -> CaseSubject:
    """Name a Party member or organization the case concerns: by code (the name is taken from the
    registry when not typed) or by name only (a missing code, which the codes app suggests)."""
    _check_writer(actor, case)
    _check_open(case)
    code = (code or "").strip()
    if code and not (name or "").strip():
        if kind == MentionKind.ORGANIZATION:
            name = Unit.objects.filter(code=code).values_list("name", flat=True).first() or ""
        else:
            member = (
                policy.restrict(actor, PartyMember.objects.filter(code=code))
                .values_list("full_name", "birth_date")
                .first()
            )
            if member:
                name, birth_date = member[0], birth_date or member[1]
        if not name:  # unknown code: the codes service says so in its words
            codes_services.validate_code(actor=actor, kind=kind, code=code)
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the name, or the code of a Party member or organization.")})
    subject = codes_services.mention_add(
        actor=actor,
        owner=owner(),
        record=case,
        kind=kind,
        name=name,
        birth_date=birth_date,
        unit_hint=unit_hint,
        code=code,
    )
    assert isinstance(subject, CaseSubject)
    return subject


def subject_remove(*, actor: Any, subject: CaseSubject) -> None:
    _check_writer(actor, subject.case)
    _check_open(subject.case)
    codes_services.mention_delete(actor=actor, mention=subject)


def subject_codes_set(
    *, actor: Any, case: Case, choices: list[tuple[Any, str]], source: str = CodeSource.SUGGESTION
) -> list[Any]:
    """Give subjects their codes (typed or accepted suggestions). Allowed on a closed case too: the code
    links a name the case already gives to the registry and changes nothing the file says (decision 0030)."""
    _check_writer(actor, case)
    if any(subject.case_id != case.pk for subject, _code in choices):
        raise ValidationError(_("This person or organization is not named in the case."))
    return codes_services.mentions_set_codes(actor=actor, choices=list(choices), source=source)


def subjects_auto_apply(*, actor: Any, case: Case, subjects: list[CaseSubject]) -> Any:
    _check_writer(actor, case)
    return codes_services.mentions_auto_apply(actor=actor, mentions=[s for s in subjects if s.case_id == case.pk])


# ---- documents -------------------------------------------------------------------------------------------


def _check_role(role: str) -> None:
    if role not in DocumentRole.values:
        raise ValidationError({"role": _("Choose the role of the document in the case.")})


def document_attach(*, actor: Any, case: Case, document: Document | None, role: str) -> CaseDocument:
    """Put an existing document into the case with its role (decision 0030 says which documents may)."""
    _check_writer(actor, case)
    _check_role(role)
    if document is None or not policy.can_see(actor, document):
        raise ValidationError({"document": _("Unknown document.")})
    with transaction.atomic():
        case = _lock(case)
        _check_open(case)
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.unit_id != case.unit_id:
            raise ValidationError(
                {
                    "document": _("Only documents kept by the case's unit (%(unit)s) can go into its file.")
                    % {"unit": case.unit.code}
                }
            )
        if document.record_id is not None:
            raise ValidationError({"document": _("This document is already filed in a record.")})
        if int(document.confidentiality) > int(case.confidentiality):
            raise ValidationError(
                {
                    "document": _(
                        "This document is %(document)s and the case is %(case)s: raise the case's level first."
                    )
                    % {"document": document.get_confidentiality_display(), "case": case.get_confidentiality_display()}
                }
            )
        other = CaseDocument.objects.filter(document=document).select_related("case").first()
        if other is not None:
            message = (
                _("This document is already in this case.")
                if other.case_id == case.pk
                else _("This document is already in another case file.")
            )
            raise ValidationError({"document": message})
        row = CaseDocument.objects.create(case=case, document=document, role=role, added_by=actor)
        audit.record("case_document_add", actor=actor, obj=case, details={"document": document.pk, "role": role})
    return row


def document_upload(
    *,
    actor: Any,
    case: Case,
    role: str,
    file: IO[bytes],
    name: str,
    confidentiality: int | None = None,
    source: str = "web",
) -> CaseDocument:
    """Upload a scan or file for the case: it goes through the digitization pipeline like any upload and
    becomes the case's document when its archival copy is made (until then the row shows the upload)."""
    from sohoa.digitization import services as digitization

    _check_writer(actor, case)
    _check_role(role)
    level = int(case.confidentiality if confidentiality is None else confidentiality)
    with transaction.atomic():
        case = _lock(case)
        _check_open(case)
        if level > int(case.confidentiality):
            raise ValidationError({"confidentiality": _("A document of the case cannot be more secret than the case.")})
        intake = digitization.intake_create(
            actor=actor, file=file, name=name, unit=case.unit, source=source, confidentiality=level
        )
        row = CaseDocument.objects.create(case=case, intake=intake, role=role, added_by=actor)
        audit.record("case_document_add", actor=actor, obj=case, details={"intake": intake.pk, "role": role})
    return row


def document_remove(*, actor: Any, case_document: CaseDocument) -> None:
    """Take a document out of the case (the document itself stays in the archive)."""
    case = case_document.case
    _check_writer(actor, case)
    with transaction.atomic():
        case = _lock(case)
        _check_open(case)
        audit.record(
            "case_document_remove",
            actor=actor,
            obj=case,
            details={
                "document": case_document.document_id,
                "intake": case_document.intake_id,
                "role": case_document.role,
            },
        )
        case_document.delete()


def _resolve_uploads(case: Case) -> int:
    """Uploads whose document the pipeline has made become that document; returns how many are pending."""
    pending = 0
    for row in case.documents.filter(document__isnull=True).select_related("intake"):
        made = row.intake.document_id if row.intake else None
        if made and not CaseDocument.objects.filter(document_id=made).exists():
            row.document_id = made
            row.save(update_fields=["document"])
        else:
            pending += 1
    return pending


# ---- stages ----------------------------------------------------------------------------------------------


def _stage_errors(case: Case, stage: str, outcome: str) -> list[str]:
    roles = set(case.documents.values_list("role", flat=True))
    errors: list[str] = []
    if stage == Stage.PLANNED:
        if not case.subjects.exists():
            errors.append(_("Name at least one Party member or organization the case concerns before planning it."))
        if DocumentRole.DECISION not in roles:
            errors.append(_("Attach the decision on the case (quyết định) before marking it planned."))
        if DocumentRole.PLAN not in roles and case.kind != CaseKind.DISCIPLINE:
            errors.append(_("Attach the plan (kế hoạch) before marking the case planned."))
    elif stage == Stage.CONCLUDED:
        if outcome not in Outcome.values or outcome == Outcome.NONE:
            errors.append(_("Choose the outcome of the case."))
        if DocumentRole.CONCLUSION not in roles:
            errors.append(_("A case cannot be concluded without a conclusion document: attach the conclusion first."))
    elif stage == Stage.DISCIPLINE and case.outcome not in DISCIPLINE_OUTCOMES:
        errors.append(
            _("The outcome “%(outcome)s” is not a discipline: close the case instead.")
            % {"outcome": case.get_outcome_display()}
        )
    return errors


def case_advance(*, actor: Any, case: Case, stage: str, outcome: str = "", note: str = "") -> Case:
    """Move the case to its next stage, if what that stage needs is there (all that is missing is said)."""
    _check_writer(actor, case)
    with transaction.atomic():
        case = _lock(case)
        _check_open(case)
        if stage == Stage.CLOSED:
            raise ValidationError(
                {"stage": _("A case is closed with “Close into a record”, which files its documents.")}
            )
        expected = NEXT_STAGE.get(Stage(case.stage))
        if stage != expected:
            current = Stage(case.stage).label
            if expected is None:
                message = _("From “%(current)s” the case can only be closed into a record.") % {"current": current}
            else:
                message = _("A case moves one stage at a time: from “%(current)s” it goes to “%(next)s”.") % {
                    "current": current,
                    "next": Stage(expected).label,
                }
            raise ValidationError({"stage": message})
        _resolve_uploads(case)
        errors = _stage_errors(case, stage, outcome)
        if errors:
            raise ValidationError(errors)
        previous = case.stage
        case.stage = stage
        if stage == Stage.CONCLUDED:
            case.outcome = outcome
        case.save(update_fields=["stage", "outcome", "updated_at"])
        CaseStage.objects.create(case=case, stage=stage, outcome=case.outcome, note=(note or "")[:500], by=actor)
        audit.record(
            "case_stage", actor=actor, obj=case, details={"from": previous, "to": stage, "outcome": case.outcome}
        )
    return case


# ---- closing into a record -------------------------------------------------------------------------------


def _close_errors(case: Case, roles: set[str]) -> list[str]:
    if case.stage == Stage.CONCLUDED and case.outcome in DISCIPLINE_OUTCOMES:
        return [_("The outcome is a discipline: mark the discipline stage before closing the case.")]
    if case.stage == Stage.DISCIPLINE and DocumentRole.DISCIPLINE not in roles:
        return [_("Attach the discipline decision before closing the case.")]
    if case.stage not in (Stage.CONCLUDED, Stage.DISCIPLINE):
        return [
            _("A case can be closed only once it is concluded (it is now “%(stage)s”).")
            % {"stage": case.get_stage_display()}
        ]
    return []


def case_close(
    *,
    actor: Any,
    case: Case,
    retention: str = Retention.PERMANENT,
    fonds: Fonds | None = None,
    note: str = "",
) -> Record:
    """Close a concluded case into an archival record: record code = opening unit's code + year opened +
    case number (Decree 30/2020, Annex VI), its documents filed in it in role order, the record's level the
    highest of the case and its documents. The case is read-only afterwards."""
    _check_writer(actor, case)
    if retention not in Retention.values:
        raise ValidationError({"retention": _("Choose a retention period.")})
    with transaction.atomic():
        case = _lock(case)
        _check_open(case)
        pending = _resolve_uploads(case)
        rows = list(case.documents.select_related("document").order_by("added_at", "pk"))
        errors = _close_errors(case, {r.role for r in rows})
        if pending:
            errors.append(
                _("%(n)d uploaded file(s) are not digitized yet (or failed): wait for them or remove them.")
                % {"n": pending}
            )
        filed = sorted((r for r in rows if r.document is not None), key=lambda r: (ROLE_ORDER.get(r.role, 99), r.pk))
        documents = [r.document for r in filed if r.document is not None]
        for d in documents:
            if d.unit_id != case.unit_id:
                errors.append(_("Document %(doc)s is kept by another unit.") % {"doc": d.notation or d.pk})
            if d.record_id is not None:
                errors.append(_("Document %(doc)s is already filed in a record.") % {"doc": d.notation or d.pk})
        if Record.objects.filter(code=case.code).exists():
            errors.append(_("A record with the code %(code)s already exists.") % {"code": case.code})
        identifiers = {d.pk: d.identifier or f"{case.code}.{n}" for n, d in enumerate(documents, start=1)}
        taken = Document.objects.filter(identifier__in=identifiers.values()).exclude(pk__in=identifiers)
        if taken.exists():
            errors.append(
                _("Document identifiers already used elsewhere: %(ids)s.")
                % {"ids": ", ".join(str(i) for i in taken.values_list("identifier", flat=True)[:5])}
            )
        if fonds is not None and (fonds.unit_id != case.unit_id or not policy.can_see(actor, fonds)):
            errors.append(_("Choose a fonds kept by the case's unit."))
        if errors:
            raise ValidationError(errors)
        if fonds is None:
            kept = list(Fonds.objects.filter(unit_id=case.unit_id)[:2])
            fonds = kept[0] if len(kept) == 1 else None
        level = max([int(case.confidentiality), *(int(d.confidentiality) for d in documents)])
        record = Record(
            code=case.code,
            number=case.number,
            title=case.title,
            year=case.year,
            start_date=case.opened_on,
            end_date=timezone.localdate(),
            retention=retention,
            access_regime=AccessRegime.LIMITED,
            confidentiality=level,
            creator_unit=case.creator_unit,
            unit=case.unit,
            fonds=fonds,
            notes=(note or "").strip(),
        )
        record.full_clean()
        record.save()
        audit.record("create", actor=actor, obj=record, details={"case": case.pk, "documents": len(documents)})
        for n, d in enumerate(documents, start=1):
            d.record, d.order_in_record, d.identifier = record, n, identifiers[d.pk]
            d.save(update_fields=["record", "order_in_record", "identifier", "updated_at"])
            audit.record(
                "update",
                actor=actor,
                obj=d,
                details={"changes": {"record_id": [None, record.pk], "order_in_record": [None, n]}, "case": case.pk},
            )
        previous = case.stage
        case.record, case.stage, case.closed_at = record, Stage.CLOSED, timezone.now()
        case.save(update_fields=["record", "stage", "closed_at", "updated_at"])
        CaseStage.objects.create(case=case, stage=Stage.CLOSED, outcome=case.outcome, note=(note or "")[:500], by=actor)
        audit.record(
            "case_close",
            actor=actor,
            obj=case,
            details={"from": previous, "record": record.code, "documents": len(documents), "level": level},
        )
    return record
