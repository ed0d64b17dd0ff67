"""Append to and verify the hash-chained audit log.

Every row's hash is SHA-256 over the previous row's hash and the row's own canonical content, so an
edit or deletion anywhere breaks the chain from that row on. `AuditHead` holds the last link; appends
lock it, which serializes writers on PostgreSQL (SQLite serializes write transactions anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .middleware import current_ip
from .models import AuditEvent, AuditHead

if TYPE_CHECKING:
    from django.http import HttpRequest

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    content = [
        event.seq,
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_username,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.ip,
        event.details,
    ]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _without_nul(obj: dict[str, Any]) -> dict[str, Any]:
    """NUL written out as "\\x00": PostgreSQL's jsonb cannot hold it, and a hostile file name must
    still be recorded as it came."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\x00", "\\x00")
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return {clean(k): clean(v) for k, v in obj.items()}


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event; call inside the caller's transaction so the row commits with the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    ip = ip if ip is not None else current_ip()
    if ip:
        # Hash the address as the database will store it (IPv6 is normalized: 2001:DB8::1 → 2001:db8::1).
        ip = AuditEvent._meta.get_field("ip").get_prep_value(ip)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if authenticated else None,
            actor_username=actor.get_username() if authenticated else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:300],
            ip=ip,
            details=json.loads(json.dumps(details or {}, default=str), object_hook=_without_nul),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(head.hash, event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def _checked_checkpoints() -> tuple[dict[int, Checkpoint], Checkpoint | None, VerifyResult | None]:
    """{seq: checkpoint} of a checkpoint file whose every line is signed by this instance, the one with
    the highest seq, or the failure that stops verification."""
    from sohoa.security import identity

    try:
        found = read_checkpoints()
    except CheckpointError as exc:
        return {}, None, VerifyResult(False, 0, None, str(exc))
    marks: dict[int, Checkpoint] = {}
    signer = _instance_signer() if found else None
    for cp in found:
        try:
            signature = bytes.fromhex(cp.signature)
        except ValueError:
            signature = b""
        if cp.signer != signer or not identity.verify(cp.signer, signature, cp.payload()):
            reason = _(
                "the checkpoint on line %(line)d (row #%(seq)d, %(at)s) is not signed by this instance's key"
            ) % {"line": cp.line, "seq": cp.seq, "at": cp.at}
            return {}, None, VerifyResult(False, 0, cp.seq, reason)
        if cp.seq in marks and marks[cp.seq].hash != cp.hash:
            reason = _("two checkpoints disagree about row #%(seq)d") % {"seq": cp.seq}
            return {}, None, VerifyResult(False, 0, cp.seq, reason)
        marks[cp.seq] = cp
    last = max(found, key=lambda cp: cp.seq) if found else None
    return marks, last, None


def verify(*, checkpoints: bool = True) -> VerifyResult:
    """Walk the chain from the start; report the first row whose link or content does not hold, then
    check it against the signed checkpoints: every checkpointed row still there with its hash, and the
    chain at least as long as the last checkpoint (a truncated table fails here)."""
    marks: dict[int, Checkpoint] = {}
    last: Checkpoint | None = None
    if checkpoints:
        marks, last, failure = _checked_checkpoints()
        if failure is not None:
            return failure
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for event in _events():
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, _("row #%(seq)d is missing") % {"seq": expected_seq})
        if event.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, event.seq, _("row #%(seq)d does not link to the row before it") % {"seq": event.seq}
            )
        if compute_hash(prev_hash, event) != event.hash:
            return VerifyResult(
                False, checked, event.seq, _("row #%(seq)d was changed after it was written") % {"seq": event.seq}
            )
        mark = marks.get(event.seq)
        if mark is not None and mark.hash != event.hash:
            reason = _("row #%(seq)d is not the row the checkpoint of %(at)s saw: the log was rewritten") % {
                "seq": event.seq,
                "at": mark.at,
            }
            return VerifyResult(False, checked, event.seq, reason)
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            _("rows after #%(seq)d are missing (the last written was #%(head)d)") % {"seq": checked, "head": head.seq},
        )
    if last is not None and checked < last.seq:
        reason = _("the log ends at row #%(seq)d but the checkpoint of %(at)s saw row #%(last)d: rows were deleted") % {
            "seq": checked,
            "at": last.at,
            "last": last.seq,
        }
        return VerifyResult(False, checked, checked + 1, reason, len(marks))
    return VerifyResult(True, checked, checkpoints=len(marks))


# ---- classified access ------------------------------------------------------------------------------


def level_of(obj: Any) -> int:
    """The confidentiality level of a document, record, intake… (0 when the object has none)."""
    return int(getattr(obj, "confidentiality", 0) or 0)


def record_access(
    request: HttpRequest, obj: models.Model, what: str, *, always: bool = False, **details: Any
) -> AuditEvent | None:
    """One "view" row for reading `obj` through `what` (detail, search, api, extraction, intake, qc),
    stored as details["via"].

    Classified objects (level ≥ 1) are always logged, with their level (issue 7 §5); others only when
    `always` (the detail pages log every view, the other reading surfaces only classified ones)."""
    level = level_of(obj)
    if level < 1 and not always:
        return None
    extra: dict[str, Any] = {"via": what, **details}
    if level:
        extra["level"] = level
    return record("view", actor=request.user, obj=obj, details=extra)


# ---- checkpoints: the head, signed, outside the database ---------------------------------------------
# A truncation (newest rows deleted and AuditHead rewound, or the whole table emptied) leaves a chain that
# verifies by itself. The checkpoint file, written by the periodic task and by audit-verify, remembers
# heads the chain once had; each line is signed with the instance's Ed25519 key (decision 0024).

CHECKPOINT_CONTEXT = b"sohoa-audit-checkpoint/1\n"


@dataclass
class Checkpoint:
    seq: int
    hash: str
    at: str
    signer: str
    signature: str
    line: int

    def payload(self) -> bytes:
        return CHECKPOINT_CONTEXT + _checkpoint_body(self.seq, self.hash, self.at)


def _checkpoint_body(seq: int, hash_: str, at: str) -> bytes:
    return json.dumps({"at": at, "hash": hash_, "seq": seq}, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


class CheckpointError(ValueError):
    pass


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; CheckpointError names a line that is not one."""
    path = path or checkpoint_file()
    if not path.exists():
        return []
    found = []
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
            found.append(
                Checkpoint(
                    int(row["seq"]), str(row["hash"]), str(row["at"]), str(row["signer"]), str(row["sig"]), number
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(
                _("line %(line)d of the checkpoint file %(path)s is not a checkpoint") % {"line": number, "path": path}
            ) from exc
    return found


def write_checkpoint(*, force: bool = False) -> Checkpoint | None:
    """Append the chain's head, signed, to the checkpoint file; nothing when the head has not moved since
    the last checkpoint (or the chain is empty) unless `force`."""
    from sohoa.security import identity

    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    path = checkpoint_file()
    existing = read_checkpoints(path)
    if existing and not force and (existing[-1].seq, existing[-1].hash) == (head.seq, head.hash):
        return None
    at = timezone.now().astimezone(UTC).isoformat(timespec="seconds")
    body = _checkpoint_body(head.seq, head.hash, at)
    signer = identity.identity().sign_public
    signature = identity.sign(CHECKPOINT_CONTEXT + body).hex()
    line = json.dumps({"seq": head.seq, "hash": head.hash, "at": at, "signer": signer, "sig": signature})
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: each line lands at the end even with two writers; the file is never rewritten.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())
    return Checkpoint(head.seq, head.hash, at, signer, signature, len(existing) + 1)


def _instance_signer() -> str | None:
    from sohoa.security.models import InstanceIdentity

    row = InstanceIdentity.objects.order_by("pk").first()
    return row.sign_public if row is not None else None


# ---- signed export of a period -----------------------------------------------------------------------
# One JSON object per line: a header, every event of the period (with its chain links, so a recipient can
# recompute each row's hash), and last a signature line: Ed25519 over every byte before it, made with the
# instance's key and naming the instance's public id (decision 0024).

EXPORT_FORMAT = "sohoa-audit-export/1"
EXPORT_CONTEXT = b"sohoa-audit-export/1\n"


def _event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "ip": event.ip,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode() + b"\n"


def export_events(start: dt.date, end: dt.date) -> QuerySet[AuditEvent]:
    """The events of the days start..end (inclusive, in the instance's time zone), oldest first."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return AuditEvent.objects.filter(at__gte=since, at__lt=until).order_by("seq")


def export_period(start: dt.date, end: dt.date, out: BinaryIO) -> int:
    """Write the period's signed log to `out`, streaming; returns the number of events written.

    The signature covers the SHA-256 of every byte before the signature line (Ed25519 over a digest, so
    a year of events never has to sit in memory)."""
    from sohoa.security import identity

    signer = identity.public_id()
    digest = hashlib.sha256()

    def put(data: bytes) -> None:
        digest.update(data)
        out.write(data)

    put(
        _line(
            {
                "format": EXPORT_FORMAT,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "exported_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
                "instance": signer,
            }
        )
    )
    count = 0
    for event in export_events(start, end).iterator(chunk_size=2000):
        put(_line(_event_row(event)))
        count += 1
    sha = digest.hexdigest()
    signature = identity.sign(EXPORT_CONTEXT + sha.encode())
    out.write(
        _line({"signature": signature.hex(), "signer": signer, "algorithm": "Ed25519", "sha256": sha, "events": count})
    )
    return count


@dataclass
class ExportCheck:
    ok: bool
    reason: str = ""
    events: int = 0
    signer: str = ""
    start: str = ""
    end: str = ""


def _row_hash(row: dict[str, Any]) -> str:
    event = AuditEvent(
        seq=row["seq"],
        at=dt.datetime.fromisoformat(row["at"]),
        actor_id=row["actor_id"],
        actor_username=row["actor_username"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        object_repr=row["object_repr"],
        ip=row["ip"],
        details=row["details"],
    )
    return compute_hash(row["prev_hash"], event)


def verify_export(data: bytes, *, signer: str | None = None) -> ExportCheck:
    """Check a signed export: the signature over everything before its last line, the signer (when the
    recipient names the one it expects), each row's hash and the links between consecutive rows."""
    from sohoa.security import identity

    if not data.endswith(b"\n"):
        return ExportCheck(False, _("the file does not end with a signature line (cut short?)"))
    content, _sep, last = data[:-1].rpartition(b"\n")
    content += b"\n"
    try:
        trailer = json.loads(last)
        sign_public = str(trailer["signer"]).split(":")[0]
        signature = bytes.fromhex(trailer["signature"])
        lines = [json.loads(raw) for raw in content.splitlines()]
        header, rows = lines[0], lines[1:]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return ExportCheck(False, _("this is not a sohoa audit export"))
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        return ExportCheck(False, _("this is not a sohoa audit export"))
    found = ExportCheck(False, "", len(rows), str(trailer["signer"]), str(header["from"]), str(header["to"]))
    sha = hashlib.sha256(content).hexdigest()
    if trailer.get("sha256") != sha or not identity.verify(sign_public, signature, EXPORT_CONTEXT + sha.encode()):
        found.reason = _("the signature does not match the content: the file was changed")
        return found
    if signer is not None and signer.split(":")[0] != sign_public:
        found.reason = _("the file is signed by another instance (%(signer)s)") % {"signer": trailer["signer"]}
        return found
    if header.get("instance") != trailer["signer"] or trailer.get("events") != len(rows):
        found.reason = _("the header or the event count does not match the signature line")
        return found
    previous: dict[str, Any] | None = None
    for row in rows:
        try:
            intact = _row_hash(row) == row["hash"]
        except (ValueError, KeyError, TypeError):
            intact = False
        if not intact:
            found.reason = _("row #%(seq)s does not match its hash") % {"seq": row.get("seq")}
            return found
        if previous is not None and row["seq"] == previous["seq"] + 1 and row["prev_hash"] != previous["hash"]:
            found.reason = _("row #%(seq)s does not link to the row before it") % {"seq": row["seq"]}
            return found
        previous = row
    found.ok = True
    return found
