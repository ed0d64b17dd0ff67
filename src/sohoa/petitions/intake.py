"""Registering petitions: from the scanned letter and its attachments, from the form, or from the API.

Every file goes through the digitization pipeline as its own intake (`intake_create`), linked to the
petition by a PetitionFile; the petition is registered at once, with its register number and the
deadline of its first step, whatever the pipeline does later. When the pipeline finishes a file
(`sohoa.digitization.signals`), the file gets its archive document and, for the letter, the petition's
still-empty fields are pre-filled from the OCR text (`prefill.parse`); what the clerk typed is never
overwritten. A file whose OCR fails stays attached and is shown as failed (decision 0032).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.archive.models import Document
from sohoa.codes import selectors as codes
from sohoa.codes.matching import Query
from sohoa.codes.models import CodeSource, MentionKind
from sohoa.core import audit, policy
from sohoa.core.models import Level
from sohoa.digitization.models import Intake
from sohoa.registry.models import PartyMember, Unit

from . import deadlines, prefill
from .models import Channel, Kind, Petition, PetitionEvent, PetitionFile, PetitionParty, State

log = logging.getLogger(__name__)

#: The OCR text kept as the petition's content (repeat detection compares it); a letter is a few pages.
MAX_CONTENT = 50_000


@dataclass
class Upload:
    """One file handed in: its bytes and the name it came with."""

    file: IO[bytes]
    name: str


@dataclass
class PartyInput:
    """A sender or person concerned as the clerk (or the letter) gives it; `code` when known."""

    role: str
    name: str
    kind: str = MentionKind.PERSON
    address: str = ""
    birth_year: int | None = None
    birth_date: dt.date | None = None
    position: str = ""
    workplace: str = ""
    code: str = ""


# ---- registration ------------------------------------------------------------------------------------


def _check_register(actor: Any, unit: Unit, confidentiality: int) -> None:
    if not policy.can_create(actor, Petition):
        raise PermissionDenied(_("Your role may not register petitions."))
    if not policy.unit_in_scope(actor, unit):
        raise ValidationError({"unit": _("You can only work with units in your scope.")})
    if not policy.level_allowed(actor, confidentiality):
        raise ValidationError({"confidentiality": _("This level is above your clearance.")})


def _check_dates(received_on: dt.date | None, letter_date: dt.date | None) -> None:
    today = timezone.localdate()
    if received_on is None:
        raise ValidationError({"received_on": _("Give the day the letter was received.")})
    if received_on > today:
        raise ValidationError({"received_on": _("A letter cannot be received in the future.")})
    if letter_date is not None and letter_date > received_on:
        raise ValidationError({"letter_date": _("The letter cannot be dated after the day it was received.")})


def _next_number(unit: Unit, year: int) -> int:
    """The next register number of `unit` in `year`. The unit's row is locked for the transaction, so two
    registrations of one unit take turns (PostgreSQL); SQLite's write transactions already do. The unique
    constraint on (unit, year, number) is the last guard."""
    Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True).first()
    top = Petition.objects.filter(unit=unit, register_year=year).aggregate(top=Max("register_seq"))["top"]
    return (top or 0) + 1


def petition_register(
    *,
    actor: Any,
    unit: Unit,
    received_on: dt.date | None = None,
    channel: str = Channel.POST,
    letter: Upload | None = None,
    attachments: Sequence[Upload] = (),
    kind: str = "",
    letter_date: dt.date | None = None,
    anonymous: bool = False,
    summary: str = "",
    content: str = "",
    confidentiality: int = Level.NONE,
    parties: Sequence[PartyInput] = (),
    source: str = Intake.Source.WEB,
) -> Petition:
    """Register a petition in `unit`'s register: number "N/year", the deadline of its first step, its
    files queued for digitization (the letter is read to pre-fill what was left empty)."""
    received_on = received_on or timezone.localdate()
    _check_register(actor, unit, confidentiality)
    _check_dates(received_on, letter_date)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the letter was received.")})
    if kind and kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind of petition.")})
    summary, content = summary.strip(), content.strip()
    if letter is None and not attachments and not summary and not content:
        raise ValidationError({"summary": _("Attach the scanned letter, or write what it says.")})
    people = [_clean_party(p) for p in parties if p.name.strip()]
    checked = [_check_code(actor, p) for p in people]
    with transaction.atomic():
        seq = _next_number(unit, received_on.year)
        petition = Petition.objects.create(
            unit=unit,
            number=f"{seq}/{received_on.year}",
            register_year=received_on.year,
            register_seq=seq,
            received_on=received_on,
            letter_date=letter_date,
            channel=channel,
            kind=kind,
            anonymous=anonymous,
            summary=summary,
            content=content,
            confidentiality=confidentiality,
            created_by=actor,
        )
        for person, code in zip(people, checked, strict=True):
            _add_party(actor, petition, person, code=code, source=CodeSource.TYPED)
        petition.deadline = deadlines.compute(petition)
        petition.save(update_fields=["deadline"])
        PetitionEvent.objects.create(
            petition=petition,
            action=PetitionEvent.Action.RECEIVED,
            state=petition.state,
            deadline=petition.deadline,
            note=str(Channel(channel).label),
            actor=actor,
        )
        files = _attach(actor, petition, letter, attachments, source=source)
        audit.record(
            "petition_register",
            actor=actor,
            obj=petition,
            details={
                "number": petition.number,
                "unit": unit.code,
                "files": [{"intake": f.intake_id, "role": f.role, "name": f.name} for f in files],
            },
        )
    return petition


def petition_attach(
    *, actor: Any, petition: Petition, files: Sequence[Upload], letter: bool = False, source: str = Intake.Source.WEB
) -> list[PetitionFile]:
    """Add files to a registered petition (the letter, when it had none, or more attachments)."""
    if not policy.can_edit(actor, petition):
        raise PermissionDenied(_("You may not change this petition."))
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    if letter and petition.files.filter(role=PetitionFile.Role.LETTER).exists():
        raise ValidationError({"files": _("This petition already has its letter; add the file as an attachment.")})
    if letter and len(files) > 1:
        raise ValidationError({"files": _("A petition has one letter; add the other files as attachments.")})
    with transaction.atomic():
        added = _attach(actor, petition, files[0] if letter else None, files[1:] if letter else files, source=source)
        audit.record(
            "petition_attach",
            actor=actor,
            obj=petition,
            details={"files": [{"intake": f.intake_id, "role": f.role, "name": f.name} for f in added]},
        )
    return added


def _attach(
    actor: Any, petition: Petition, letter: Upload | None, attachments: Iterable[Upload], *, source: str
) -> list[PetitionFile]:
    """One intake per file, in one batch, at the petition's unit and level; the pipeline starts after the
    commit. Registering a petition is the permission that counts: an inspector who may register petitions
    hands their files to the pipeline even if the role does not digitize otherwise."""
    from sohoa.digitization.services import intake_create

    batch = uuid.uuid4()
    out = []
    digitizer = actor if policy.can_create(actor, Intake) else None  # None: checks done above
    for role, upload in [(PetitionFile.Role.LETTER, letter), *((PetitionFile.Role.ATTACHMENT, a) for a in attachments)]:
        if upload is None:
            continue
        intake = intake_create(
            actor=digitizer,
            file=upload.file,
            name=upload.name or _("upload"),
            unit=petition.unit,
            source=source,
            batch=batch,
            confidentiality=petition.confidentiality,
        )
        if digitizer is None and actor is not None:
            Intake.objects.filter(pk=intake.pk).update(created_by=actor)
        out.append(PetitionFile.objects.create(petition=petition, role=role, name=intake.original_name, intake=intake))
    return out


# ---- editing -----------------------------------------------------------------------------------------

#: Fields the clerk may correct after registration; kind and anonymity only before classification
#: (afterwards they are the classification's, petitions.workflow).
EDITABLE = ("received_on", "letter_date", "channel", "summary", "content")
EDITABLE_BEFORE_CLASSIFICATION = ("kind", "anonymous")


def petition_update(
    *,
    actor: Any,
    petition: Petition,
    values: dict[str, Any],
    parties: Sequence[tuple[PetitionParty | None, PartyInput | None]] = (),
) -> Petition:
    """Correct what the register says: the petition's fields and its parties. `parties` pairs an existing
    party with its new values (None: delete it) or None with a new party."""
    if not policy.can_edit(actor, petition):
        raise PermissionDenied(_("You may not change this petition."))
    prepared: list[tuple[PetitionParty | None, PartyInput | None, str]] = []
    for party, data in parties:
        if party is not None and party.petition_id != petition.pk:
            raise ValidationError(_("Unknown party."))
        if data is not None:
            data = _clean_party(data)
            prepared.append((party, data, _check_code(actor, data)))
        else:
            prepared.append((party, None, ""))
    with transaction.atomic():
        # Compared with the stored row: a ModelForm has already written its values into `petition`.
        locked = Petition.objects.select_for_update(of=("self",)).get(pk=petition.pk)
        allowed = EDITABLE + (EDITABLE_BEFORE_CLASSIFICATION if locked.state == State.RECEIVED else ())
        changes = {k: v for k, v in values.items() if k in allowed and getattr(locked, k) != v}
        _check_dates(changes.get("received_on", locked.received_on), changes.get("letter_date", locked.letter_date))
        if changes.get("kind") and changes["kind"] not in Kind.values:
            raise ValidationError({"kind": _("Choose a kind of petition.")})
        year = locked.register_year
        if "received_on" in changes and year is not None and changes["received_on"].year != year:
            raise ValidationError({"received_on": _("The register number belongs to its year; keep the year.")})
        for name, value in changes.items():
            setattr(locked, name, value)
        if locked.state == State.RECEIVED or "received_on" in changes:
            locked.deadline = deadlines.compute(locked)
        locked.save()
        party_log = []
        for party, data, code in prepared:
            if data is None and party is not None:
                party_log.append({"deleted": party.pk, "name": party.name})
                party.delete()
            elif party is None and data is not None:
                party_log.append({"added": _add_party(actor, locked, data, code=code, source=CodeSource.TYPED).pk})
            elif party is not None and data is not None:
                if _update_party(actor, party, data, code):
                    party_log.append({"changed": party.pk})
        audit.record(
            "petition_edit",
            actor=actor,
            obj=locked,
            details={"fields": sorted(changes), **({"parties": party_log} if party_log else {})},
        )
    return locked


# ---- parties and their codes ----------------------------------------------------------------------------


def _clean_party(data: PartyInput) -> PartyInput:
    data.name = " ".join(data.name.split())[:255]
    if data.role not in PetitionParty.Role.values:
        raise ValidationError({"role": _("Choose whether the party is a sender or concerned.")})
    if data.kind not in MentionKind.values:
        raise ValidationError({"kind": _("Choose a person or an organization.")})
    if data.birth_year is not None and not 1900 <= data.birth_year <= timezone.localdate().year:
        raise ValidationError({"birth_year": _("Give a year of birth between 1900 and this year.")})
    return data


def _check_code(actor: Any, data: PartyInput) -> str:
    """A typed code, checked against the registry as the codes app checks every code."""
    from sohoa.codes.services import validate_code

    return validate_code(actor=actor, kind=data.kind, code=data.code)


def _organization_unit(name: str, actor: Any) -> Unit | None:
    """The party organization a letter names ("Chi bộ ấp 3"), when exactly one has that (folded) name."""
    if not name or actor is None:
        return None
    probe = PetitionParty(kind=MentionKind.ORGANIZATION, name=name)
    code = codes.exact_match(actor, probe)
    return Unit.objects.filter(code=code).first() if code else None


def match_code(actor: Any, party: PetitionParty) -> str:
    """The code of the one member (or party organization) a party names without doubt, or "".

    First the codes app's own exact rule (same folded name and date of birth, or the only namesake in
    the named organization); then, with the member index of the codes app, the only member of that exact
    folded name in the actor's scope whose year of birth agrees when the letter gives one. A sender must
    give that year (a citizen who writes is rarely a member; a namesake must not be taken for them)."""
    if actor is None or not party.name:
        return ""
    code = codes.exact_match(actor, party)
    if code or party.kind != MentionKind.PERSON:
        return code
    if party.role == PetitionParty.Role.SENDER and not party.birth_year:
        return ""
    index = codes.member_index()
    found = index.suggest(
        [Query(party.name, party.birth_date, party.unit_hint.path if party.unit_hint else "")],
        limit=50,
        allowed_units=codes.allowed_units(actor),
    )[0]
    same = [c for c in found if "same_name" in c.reasons]
    if party.birth_year:
        same = [c for c in same if c.birth_date is None or c.birth_date.year == party.birth_year]
        same = [c for c in same if c.birth_date is not None] or same
    return same[0].code if len(same) == 1 else ""


def _set_code(actor: Any, party: PetitionParty, code: str, source: str) -> None:
    party.code = code
    party.code_source = source if code else ""
    party.code_set_by = actor if code and getattr(actor, "is_authenticated", False) else None
    party.code_set_at = timezone.now() if code else None
    party.member = None
    if code and party.kind == MentionKind.PERSON:
        party.member = PartyMember.objects.filter(code=code).first()
    elif code:
        party.organization = Unit.objects.filter(code=code).first()


def _add_party(actor: Any, petition: Petition, data: PartyInput, *, code: str, source: str) -> PetitionParty:
    organization = _organization_unit(data.workplace, actor) if data.kind == MentionKind.PERSON else None
    party = PetitionParty(
        petition=petition,
        role=data.role,
        kind=data.kind,
        name=data.name,
        address=data.address[:500],
        birth_year=data.birth_year,
        birth_date=data.birth_date,
        position=data.position[:255],
        workplace=data.workplace[:255],
        unit_hint=organization,
        organization=organization,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if code:
        _set_code(actor, party, code, source)
    else:
        found = match_code(actor, party)
        if found:
            _set_code(actor, party, found, CodeSource.AUTO)
    party.save()
    return party


def _update_party(actor: Any, party: PetitionParty, data: PartyInput, code: str) -> bool:
    fields = ("role", "kind", "name", "address", "birth_year", "position", "workplace")
    changed = [f for f in fields if getattr(party, f) != getattr(data, f)]
    for f in changed:
        setattr(party, f, getattr(data, f))
    if "workplace" in changed:
        party.organization = party.unit_hint = _organization_unit(party.workplace, actor)
    if code != party.code:
        _set_code(actor, party, code, CodeSource.TYPED)
        changed.append("code")
    elif not party.code and changed:
        found = match_code(actor, party)
        if found:
            _set_code(actor, party, found, CodeSource.AUTO)
            changed.append("code")
    if changed:
        party.save()
    return bool(changed)


# ---- what the pipeline tells --------------------------------------------------------------------------


def _document_text(document: Document) -> str:
    from sohoa.digitization.secrecy import document_page_texts

    return "\n".join(document_page_texts(document.pk))


def file_done(file: PetitionFile, document: Document) -> None:
    """A file's intake produced `document`: link it; for the letter, pre-fill the petition from its text.
    Safe to run again (a file already linked is left alone)."""
    with transaction.atomic():
        locked = PetitionFile.objects.select_for_update().get(pk=file.pk)
        if locked.document_id is not None:
            return
        locked.document = document
        locked.save(update_fields=["document"])
        audit.record(
            "petition_file_done",
            obj=locked.petition,
            details={"file": locked.pk, "intake": locked.intake_id, "document": document.pk},
        )
        if locked.role == PetitionFile.Role.LETTER:
            prefill_from_text(petition=locked.petition, text=_document_text(document))


def prefill_from_text(*, petition: Petition, text: str) -> list[str]:
    """Fill the petition's empty fields (and its parties, when it has none of that role) from the
    letter's text. Returns the names of what was filled; writes a PREFILLED event when anything was."""
    actor = petition.created_by
    proposal = prefill.parse(text, today=petition.received_on)
    petition = Petition.objects.select_for_update(of=("self",)).get(pk=petition.pk)
    sealed = petition.confidentiality > 0
    if sealed:
        # The letter's words stay sealed with its pages (decision 0025): only the kind and the date are
        # taken, like the metadata a clerk registers; text, summary and names are for the clerk to type.
        text = ""
        proposal = prefill.Proposal(kind=proposal.kind, letter_date=proposal.letter_date)
    filled: list[str] = []
    if not petition.kind and proposal.kind:
        petition.kind = proposal.kind
        filled.append("kind")
    if petition.letter_date is None and proposal.letter_date and proposal.letter_date <= petition.received_on:
        petition.letter_date = proposal.letter_date
        filled.append("letter_date")
    if not petition.summary and proposal.summary:
        petition.summary = proposal.summary
        filled.append("summary")
    if not petition.content and text.strip():
        petition.content = text.strip()[:MAX_CONTENT]
        filled.append("content")
    roles = set(petition.parties.values_list("role", flat=True))
    added: list[str] = []
    if PetitionParty.Role.SENDER not in roles:
        for person in proposal.senders:
            added.append(_add_proposed(actor, petition, person, PetitionParty.Role.SENDER).name)
        if proposal.anonymous and not sealed and not petition.anonymous and petition.state == State.RECEIVED:
            petition.anonymous = True
            filled.append("anonymous")
        elif proposal.senders:
            filled.append("senders")
    if PetitionParty.Role.CONCERNED not in roles and proposal.concerned:
        for person in proposal.concerned:
            added.append(_add_proposed(actor, petition, person, PetitionParty.Role.CONCERNED).name)
        filled.append("concerned")
    if not filled:
        return []
    if petition.state == State.RECEIVED:
        petition.deadline = deadlines.compute(petition)
    petition.save()
    labels = [_field_label(name) for name in filled]
    PetitionEvent.objects.create(
        petition=petition,
        action=PetitionEvent.Action.PREFILLED,
        state=petition.state,
        deadline=petition.deadline,
        note=", ".join(labels),
    )
    audit.record("petition_prefill", obj=petition, details={"filled": filled, "parties": added})
    return filled


def _field_label(name: str) -> str:
    if name == "senders":
        return str(PetitionParty.Role.SENDER.label)
    if name == "concerned":
        return str(PetitionParty.Role.CONCERNED.label)
    return str(getattr(Petition._meta.get_field(name), "verbose_name", name))


def _add_proposed(actor: Any, petition: Petition, person: prefill.Person, role: str) -> PetitionParty:
    data = PartyInput(
        role=role,
        name=person.name[:255],
        kind=MentionKind.ORGANIZATION if person.organization else MentionKind.PERSON,
        address=person.address,
        birth_year=person.birth_year,
        birth_date=person.birth_date,
        position=person.position,
        workplace=person.workplace,
    )
    return _add_party(actor, petition, data, code="", source=CodeSource.AUTO)


def on_intake_finished(sender: Any, *, intake: Intake, document: Document, **kwargs: Any) -> None:
    """The pipeline's `intake_finished`: link the petition files of this intake, and of intakes that were
    stopped as duplicates of it while it ran (they now point at the same document)."""
    files = PetitionFile.objects.filter(
        Q(intake=intake) | Q(intake__sha256=intake.sha256, intake__status=Intake.Status.DUPLICATE),
        document__isnull=True,
    )
    for file in files.select_related("petition"):
        file_done(file, document)


def on_intake_failed(sender: Any, *, intake: Intake, **kwargs: Any) -> None:
    """The pipeline's `intake_failed`: a file already in the archive (a duplicate) is linked like a done
    one; any other failure leaves the file attached, shown as failed, the petition registered as it is."""
    files = list(PetitionFile.objects.filter(intake=intake, document__isnull=True).select_related("petition"))
    if intake.status == Intake.Status.DUPLICATE and intake.document_id:
        for file in files:
            file_done(file, intake.document)  # type: ignore[arg-type]
        return
    for file in files:
        audit.record(
            "petition_file_failed",
            obj=file.petition,
            details={"file": file.pk, "intake": intake.pk, "status": intake.status, "error": intake.error},
        )


def connect() -> None:
    from sohoa.digitization.signals import intake_failed, intake_finished

    intake_finished.connect(on_intake_finished, dispatch_uid="petitions_intake_finished")
    intake_failed.connect(on_intake_failed, dispatch_uid="petitions_intake_failed")
