"""Secure transfer packages: documents with their files and audit excerpt, encrypted for one recipient
instance and signed by this one (decision 0023).

File layout (all integers big-endian)::

    "SOHOAPKG" (8) | version (1 byte) | header length H (4) | header (H bytes, UTF-8 JSON)
    | ciphertext length C (8) | ciphertext (C bytes) | Ed25519 signature (64)

The header (clear) names the sender's and recipient's public keys, an ephemeral X25519 key and a salt.
The payload key is HKDF-SHA256(X25519(ephemeral, recipient box key), salt, info = domain + SHA-256 of
the header); the ciphertext is `envelope.encrypt_stream` under it (1 MiB AES-GCM chunks, last chunk
marked). The plaintext is: manifest length (8) | manifest (JSON) | every part in manifest order. The
signature covers DOMAIN + SHA-256(everything before the ciphertext) + SHA-256(ciphertext); as it is the
last 64 bytes and the lengths are fixed by the signed part, any cut or appended byte is detected.

Import verifies magic, version, size, trusted signer, signature, recipient, decryption and every part's
SHA-256 before it writes anything; then it decrypts again while writing, inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import secrets
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoa.archive.models import Document, Fonds, Record
from sohoa.core import audit, policy
from sohoa.core.models import AuditEvent, Level
from sohoa.digitization import storage
from sohoa.digitization.models import DigitalCopy
from sohoa.registry.models import Unit

from . import envelope, identity, trust

MAGIC = b"SOHOAPKG"
VERSION = 1
FORMAT = "sohoa-package"
DOMAIN = b"sohoa-package-v1"
PREFIX = struct.Struct(">8sBI")  # magic, version, header length
LENGTH = struct.Struct(">Q")
SIG_BYTES = 64
MAX_HEADER = 64 * 1024
MAX_MANIFEST = 256 * 1024 * 1024
READ = 1 << 20

#: Document fields carried as they are (foreign keys travel as codes; location and creator stay local).
DOCUMENT_FIELDS = (
    "identifier",
    "order_in_record",
    "number",
    "symbol",
    "notation",
    "doc_type",
    "type_name",
    "issued_date",
    "issuer",
    "subject",
    "language",
    "page_count",
    "confidentiality",
    "urgency",
    "keywords",
    "information_sign",
    "access_regime",
    "confidence",
    "handwriting",
    "physical_condition",
    "notes",
)
RECORD_FIELDS = (
    "code",
    "number",
    "catalogue",
    "title",
    "year",
    "start_date",
    "end_date",
    "retention",
    "access_regime",
    "confidentiality",
    "notes",
)
FONDS_FIELDS = ("code", "name", "start_year", "end_year", "description")
DATE_FIELDS = {"issued_date", "start_date", "end_date"}
FILE_KINDS = ("original", "archival")


class PackageError(Exception):
    """A package that is refused, or cannot be made; the message is for the user, in their language."""


# --- small helpers ------------------------------------------------------------------------------------


def _public_hex(key: X25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _payload_key(shared: bytes, salt: bytes, header: bytes) -> bytes:
    info = DOMAIN + b"/payload/" + hashlib.sha256(header).digest()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(shared)


def _signed_message(before_ciphertext_digest: bytes, ciphertext_digest: bytes) -> bytes:
    return DOMAIN + b"/signature/" + before_ciphertext_digest + ciphertext_digest


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _parse_value(name: str, value: Any) -> Any:
    if name in DATE_FIELDS and value:
        return dt.date.fromisoformat(value)
    return value


class _Chain(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (for encrypt_stream)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buf) < size:
            try:
                self._buf += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out


class _Slice:
    """At most `length` bytes of a file from its current position."""

    def __init__(self, fh: BinaryIO, length: int) -> None:
        self._fh, self._left = fh, length

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            size = self._left
        data = self._fh.read(size)
        self._left -= len(data)
        return data


def _read_exact(stream: Any, size: int) -> bytes:
    out = b""
    while len(out) < size:
        data = stream.read(size - len(out))
        if not data:
            break
        out += data
    return out


# --- choosing what to export --------------------------------------------------------------------------


def select_documents(
    *, ids: list[int] | None = None, record_code: str = "", query: str = "", user: Any = None
) -> list[Document]:
    """The documents named on the command line; with a user, only what that user may see counts."""
    qs = Document.objects.select_related("record__fonds", "unit", "creator_unit", "issuer_unit")
    if user is not None:
        qs = policy.restrict(user, qs)
    if ids:
        found = {d.pk: d for d in qs.filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:  # hidden and missing read the same: existence must not leak
            raise PackageError(_("Documents not found: %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)})
        return [found[i] for i in dict.fromkeys(ids)]
    if record_code:
        record = Record.objects.filter(code=record_code).first()
        if record is None or (user is not None and not policy.can_see(user, record)):
            raise PackageError(_("Record not found: %(code)s.") % {"code": record_code})
        docs = list(qs.filter(record=record).order_by("order_in_record", "pk"))
        if not docs:
            raise PackageError(_("Record %(code)s has no documents to send.") % {"code": record_code})
        return docs
    if query:
        if user is None:
            raise PackageError(_("--query needs --as USERNAME: the search runs as that user."))
        from sohoa.search import selectors

        hit_ids: list[int] = []
        page_no = 1
        while len(hit_ids) < 1000:
            page = selectors.search(user, query, page=page_no, per_page=100, facets=False)
            hit_ids += [h.document_id for h in page.hits]
            if page_no >= page.pages or not page.hits:
                break
            page_no += 1
        found = {d.pk: d for d in qs.filter(pk__in=hit_ids)}
        docs = [found[i] for i in dict.fromkeys(hit_ids) if i in found]
        if not docs:
            raise PackageError(_("The search found no documents to send."))
        return docs
    raise PackageError(_("Say what to send: --documents, --record or --query."))


def check_allowed(documents: list[Document], user: Any) -> None:
    """Classified documents leave only in the name of a user cleared for them (policy.can_see)."""
    refused = [
        d.pk for d in documents if d.confidentiality > Level.NONE and (user is None or not policy.can_see(user, d))
    ]
    if refused:
        raise PackageError(
            _(
                "Classified documents %(ids)s can only be sent in the name of a user cleared for them: "
                "add --as USERNAME."
            )
            % {"ids": ", ".join(str(i) for i in refused)}
        )


# --- export -------------------------------------------------------------------------------------------


@dataclass
class _Part:
    id: str
    rel: str
    owner: str
    size: int = 0
    sha256: str = ""

    def chunks(self) -> Iterator[bytes]:
        """The plaintext of the stored file, decrypted on the fly when it is encrypted at rest."""
        full = storage.path(self.rel)
        with open(full, "rb") as fh:
            if fh.read(len(envelope.MAGIC)) == envelope.MAGIC:
                key = envelope.data_key(self.owner)
                if key is None:
                    raise PackageError(_("The data key of %(owner)s is missing.") % {"owner": self.owner})
                fh.seek(0)
                yield from envelope.decrypt_stream(key, fh)
                return
            fh.seek(0)
            while chunk := fh.read(READ):
                yield chunk


@dataclass
class ExportResult:
    path: Path
    documents: list[int]
    files: int
    size: int
    sha256: str
    recipient: str
    recipient_fingerprint: str


def _audit_excerpt(document: Document) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(object_type="archive.document", object_id=str(document.pk)).order_by("seq")
    return [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor_username,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "object_repr": e.object_repr,
            "ip": e.ip,
            "details": e.details,
            "hash": e.hash,
        }
        for e in events
    ]


def _unit_code(unit: Unit | None) -> str | None:
    return unit.code if unit is not None else None


def build_manifest(
    documents: list[Document], *, sender: trust.PublicId, recipient: trust.PublicId, actor: Any
) -> tuple[dict[str, Any], list[_Part]]:
    """The manifest (without part checksums yet) and the parts to send, in order."""
    parts: list[_Part] = []
    fonds: dict[str, dict[str, Any]] = {}
    records: dict[str, dict[str, Any]] = {}
    docs = []
    copies = {c.document_id: c for c in DigitalCopy.objects.filter(document__in=documents)}
    for doc in documents:
        record = doc.record
        if record is not None and record.code not in records:
            if record.fonds is not None and record.fonds.code not in fonds:
                f = record.fonds
                fonds[f.code] = {
                    **{name: getattr(f, name) for name in FONDS_FIELDS},
                    "creator_unit": f.creator_unit.code,
                    "unit": f.unit.code,
                }
            records[record.code] = {
                **{name: _json_value(getattr(record, name)) for name in RECORD_FIELDS},
                "fonds": record.fonds.code if record.fonds is not None else None,
                "creator_unit": record.creator_unit.code,
                "unit": record.unit.code,
            }
        entry: dict[str, Any] = {
            "source_id": doc.pk,
            "fields": {name: _json_value(getattr(doc, name)) for name in DOCUMENT_FIELDS},
            "record": record.code if record is not None else None,
            "creator_unit": doc.creator_unit.code,
            "unit": doc.unit.code,
            "issuer_unit": _unit_code(doc.issuer_unit),
            "audit": _audit_excerpt(doc),
            "copy": None,
        }
        copy = copies.get(doc.pk)
        if copy is not None:
            owner = envelope.owner_label("document", doc.pk)
            files = {}
            for kind in FILE_KINDS:
                part = _Part(id=f"{doc.pk}.{kind}", rel=getattr(copy, f"{kind}_path"), owner=owner)
                parts.append(part)
                files[kind] = part.id
            entry["copy"] = {
                "original_name": copy.original_name,
                "original_mime": copy.original_mime,
                "page_count": copy.page_count,
                "low_dpi": copy.low_dpi,
                "files": files,
            }
        docs.append(entry)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "sender": str(sender),
        "sender_fingerprint": sender.fingerprint,
        "recipient": str(recipient),
        "recipient_fingerprint": recipient.fingerprint,
        "created_at": timezone.now().isoformat(),
        "created_by": actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        "fonds": list(fonds.values()),
        "records": list(records.values()),
        "documents": docs,
        "parts": [],
    }
    return manifest, parts


def _checksum_parts(parts: list[_Part], progress: Callable[[str], None] | None) -> None:
    copies = {
        (c.original_path, c.original_sha256)
        for c in DigitalCopy.objects.filter(original_path__in=[p.rel for p in parts])
    } | {
        (c.archival_path, c.archival_sha256)
        for c in DigitalCopy.objects.filter(archival_path__in=[p.rel for p in parts])
    }
    recorded = dict(copies)
    for part in parts:
        if progress:
            progress(part.id)
        try:
            if not storage.path(part.rel).is_file():
                raise FileNotFoundError(part.rel)
            digest, size = hashlib.sha256(), 0
            for chunk in part.chunks():
                digest.update(chunk)
                size += len(chunk)
        except FileNotFoundError:
            raise PackageError(_("A stored file is missing: %(path)s.") % {"path": part.rel}) from None
        except envelope.Tampered:
            raise PackageError(_("A stored file does not decrypt (damaged): %(path)s.") % {"path": part.rel}) from None
        part.sha256, part.size = digest.hexdigest(), size
        expected = recorded.get(part.rel)
        if expected and not envelope.is_encrypted_file(storage.path(part.rel)) and expected != part.sha256:
            raise PackageError(
                _("A stored file no longer matches its checksum (run `sohoa fixity-check`): %(path)s.")
                % {"path": part.rel}
            )


def _plaintext(manifest_bytes: bytes, parts: list[_Part]) -> Iterator[bytes]:
    yield LENGTH.pack(len(manifest_bytes))
    yield manifest_bytes
    for part in parts:
        digest, size = hashlib.sha256(), 0
        for chunk in part.chunks():
            digest.update(chunk)
            size += len(chunk)
            yield chunk
        if digest.hexdigest() != part.sha256 or size != part.size:
            raise PackageError(_("A stored file changed while the package was written: %(path)s.") % {"path": part.rel})


class _HashingWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.fh.write(data)


def export_package(
    *,
    actor: Any,
    documents: list[Document],
    recipient: str,
    out: Path,
    progress: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write one package file for `recipient` (a trusted name or public id); audited per document."""
    check_allowed(documents, actor)
    try:
        to, to_name = trust.resolve_recipient(recipient)
    except ValidationError as exc:
        raise PackageError(" ".join(exc.messages)) from None
    sender = trust.own_public_id()
    if to.sign == sender.sign:
        raise PackageError(_("The recipient is this instance itself."))
    manifest, parts = build_manifest(documents, sender=sender, recipient=to, actor=actor)
    _checksum_parts(parts, progress)
    manifest["parts"] = [{"id": p.id, "size": p.size, "sha256": p.sha256} for p in parts]
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()

    ephemeral = X25519PrivateKey.generate()
    salt = secrets.token_bytes(32)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "sender": str(sender),
        "recipient": str(to),
        "ephemeral": _public_hex(ephemeral),
        "salt": salt.hex(),
        "cipher": "X25519+HKDF-SHA256+AES-256-GCM",
        "chunk": envelope.CHUNK,
        "created_at": manifest["created_at"],
    }
    header_bytes = json.dumps(header, sort_keys=True).encode()
    key = _payload_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(to.box))), salt, header_bytes)
    del ephemeral  # forward secrecy for the sender: the ephemeral private key is never stored

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.part-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as fh:
            prefix = PREFIX.pack(MAGIC, VERSION, len(header_bytes)) + header_bytes
            fh.write(prefix + LENGTH.pack(0))
            writer = _HashingWriter(fh)
            envelope.encrypt_stream(key, _Chain(_plaintext(manifest_bytes, parts)), writer)  # type: ignore[arg-type]
            ct_len = LENGTH.pack(writer.size)
            fh.seek(len(prefix))
            fh.write(ct_len)
            fh.seek(0, os.SEEK_END)
            before = hashlib.sha256(prefix + ct_len).digest()
            fh.write(identity.sign(_signed_message(before, writer.digest.digest())))
            fh.flush()
            os.fsync(fh.fileno())
        package_sha = storage.sha256_file(tmp)
        size = tmp.stat().st_size
        with transaction.atomic():
            for doc in documents:
                audit.record(
                    "package_export",
                    actor=actor,
                    obj=doc,
                    details={
                        "recipient": to_name,
                        "recipient_fingerprint": to.fingerprint,
                        "package_sha256": package_sha,
                        "file": out.name,
                        "confidentiality": doc.confidentiality,
                    },
                )
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportResult(
        path=out,
        documents=[d.pk for d in documents],
        files=len(parts),
        size=size,
        sha256=package_sha,
        recipient=to_name,
        recipient_fingerprint=to.fingerprint,
    )


# --- verification -------------------------------------------------------------------------------------


@dataclass
class Verified:
    """A package whose signer, signature, recipient and every checksum were checked."""

    path: Path
    header: dict[str, Any]
    manifest: dict[str, Any]
    sender: trust.PublicId
    sender_name: str
    key: bytes
    ciphertext_offset: int
    ciphertext_length: int
    manifest_length: int
    sha256: str


def _damaged(reason: str) -> PackageError:
    return PackageError(_("The package is damaged and was not imported: %(reason)s") % {"reason": reason})


def _read_layout(fh: BinaryIO, size: int) -> tuple[bytes, dict[str, Any], int, int]:
    """(header bytes, header, ciphertext offset, ciphertext length) after the size and syntax checks."""
    head = _read_exact(fh, PREFIX.size)
    if len(head) < len(MAGIC) or head[: len(MAGIC)] != MAGIC:
        raise PackageError(_("This file is not a sohoa transfer package."))
    if len(head) < PREFIX.size:
        raise PackageError(_("The package is truncated (cut off at the end) and was not imported."))
    _magic, version, header_len = PREFIX.unpack(head)
    if version != VERSION:
        raise PackageError(
            _("This package has format version %(version)d, which this version of sohoa cannot read.")
            % {"version": version}
        )
    if header_len > MAX_HEADER:
        raise _damaged(_("its header length is wrong."))
    header_bytes = _read_exact(fh, header_len)
    length = _read_exact(fh, LENGTH.size)
    if len(header_bytes) < header_len or len(length) < LENGTH.size:
        raise PackageError(_("The package is truncated (cut off at the end) and was not imported."))
    (ct_len,) = LENGTH.unpack(length)
    offset = PREFIX.size + header_len + LENGTH.size
    expected = offset + ct_len + SIG_BYTES
    if expected != size:
        if size < expected:
            raise PackageError(
                _(
                    "The package is truncated or damaged (it should be %(expected)d bytes long but is "
                    "%(actual)d) and was not imported."
                )
                % {"expected": expected, "actual": size}
            )
        raise _damaged(_("it has %(extra)d bytes after its signature.") % {"extra": size - expected})
    try:
        header = json.loads(header_bytes.decode())
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ValueError
        for name in ("sender", "recipient", "ephemeral", "salt"):
            if not isinstance(header.get(name), str):
                raise ValueError
    except (UnicodeDecodeError, ValueError):
        raise _damaged(_("its header cannot be read.")) from None
    return header_bytes, header, offset, ct_len


def verify_package(path: Path, progress: Callable[[str], None] | None = None) -> Verified:
    """Check everything that can be checked without writing; PackageError says what is wrong."""
    path = Path(path)
    try:
        size = path.stat().st_size
        fh = open(path, "rb")
    except OSError as exc:
        raise PackageError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}) from None
    with fh:
        header_bytes, header, offset, ct_len = _read_layout(fh, size)
        try:
            sender = trust.parse_public_id(header["sender"])
            recipient = trust.parse_public_id(header["recipient"])
            ephemeral = X25519PublicKey.from_public_bytes(bytes.fromhex(header["ephemeral"]))
            salt = bytes.fromhex(header["salt"])
        except (ValidationError, ValueError):
            raise _damaged(_("its header cannot be read.")) from None
        trusted = trust.by_sign_key(sender.sign)
        if trusted is None:
            raise PackageError(
                _(
                    "The package is signed by an instance this one does not trust (fingerprint %(fp)s). "
                    "If you expected it, check the fingerprint with the sending site and run "
                    "`sohoa keys trust`; nothing was imported."
                )
                % {"fp": sender.fingerprint}
            )
        if progress:
            progress(_("checking the signature"))
        file_digest = hashlib.sha256()
        fh.seek(0)
        before = fh.read(offset)
        file_digest.update(before)
        ct_digest = hashlib.sha256()
        left = ct_len
        while left:
            chunk = fh.read(min(READ, left))
            if not chunk:
                raise PackageError(_("The package is truncated (cut off at the end) and was not imported."))
            ct_digest.update(chunk)
            file_digest.update(chunk)
            left -= len(chunk)
        signature = fh.read(SIG_BYTES)
        file_digest.update(signature)
        message = _signed_message(hashlib.sha256(before).digest(), ct_digest.digest())
        if len(signature) != SIG_BYTES or not identity.verify(sender.sign, signature, message):
            raise PackageError(
                _(
                    "The package's signature does not match: it was changed or damaged after %(name)s "
                    "signed it. Nothing was imported."
                )
                % {"name": trusted.name}
            )
        own = trust.own_public_id()
        if recipient.box != own.box:
            raise PackageError(
                _(
                    "The package is addressed to another instance (fingerprint %(fp)s), not to this one "
                    "(%(own)s); it cannot be decrypted here."
                )
                % {"fp": recipient.fingerprint, "own": own.fingerprint}
            )
        shared = identity.box_key().exchange(ephemeral)
        key = _payload_key(shared, salt, header_bytes)
        if progress:
            progress(_("decrypting and checking every file"))
        fh.seek(offset)
        try:
            manifest, manifest_len = _check_payload(fh, ct_len, key, header)
        except envelope.Tampered:
            raise PackageError(
                _("The package cannot be decrypted with this instance's key; nothing was imported.")
            ) from None
    return Verified(
        path=path,
        header=header,
        manifest=manifest,
        sender=sender,
        sender_name=trusted.name,
        key=key,
        ciphertext_offset=offset,
        ciphertext_length=ct_len,
        manifest_length=manifest_len,
        sha256=file_digest.hexdigest(),
    )


def _open_payload(fh: BinaryIO, ct_len: int, key: bytes) -> _Chain:
    return _Chain(envelope.decrypt_stream(key, _Slice(fh, ct_len)))  # type: ignore[arg-type]


def _read_manifest(payload: _Chain, header: dict[str, Any]) -> tuple[dict[str, Any], int]:
    raw_len = _read_exact(payload, LENGTH.size)
    if len(raw_len) < LENGTH.size:
        raise _damaged(_("its contents are incomplete."))
    (manifest_len,) = LENGTH.unpack(raw_len)
    if manifest_len > MAX_MANIFEST:
        raise _damaged(_("its list of contents is too large."))
    raw = _read_exact(payload, manifest_len)
    try:
        manifest = json.loads(raw.decode())
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError
        if manifest.get("sender") != header["sender"] or manifest.get("recipient") != header["recipient"]:
            raise ValueError
        if not isinstance(manifest.get("parts"), list) or not isinstance(manifest.get("documents"), list):
            raise ValueError
    except (UnicodeDecodeError, ValueError):
        raise _damaged(_("its list of contents cannot be read.")) from None
    return manifest, manifest_len


def _part_chunks(payload: _Chain, size: int) -> Iterator[bytes]:
    left = size
    while left:
        chunk = payload.read(min(READ, left))
        if not chunk:
            raise _damaged(_("its contents are incomplete."))
        left -= len(chunk)
        yield chunk


def _check_payload(fh: BinaryIO, ct_len: int, key: bytes, header: dict[str, Any]) -> tuple[dict[str, Any], int]:
    payload = _open_payload(fh, ct_len, key)
    manifest, manifest_len = _read_manifest(payload, header)
    for part in manifest["parts"]:
        digest = hashlib.sha256()
        for chunk in _part_chunks(payload, int(part["size"])):
            digest.update(chunk)
        if digest.hexdigest() != part["sha256"]:
            raise _damaged(_("the checksum of %(part)s does not match.") % {"part": part["id"]})
    if payload.read(1):
        raise _damaged(_("it holds more data than its list of contents."))
    return manifest, manifest_len


# --- import -------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    sender: str
    sender_fingerprint: str
    created: list[dict[str, Any]] = field(default_factory=list)  # {"identity", "document_id", "source_id"}
    skipped: list[dict[str, Any]] = field(default_factory=list)  # already here
    records_created: list[str] = field(default_factory=list)
    fonds_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.records_created or self.fonds_created)


def document_identity(entry: dict[str, Any], sender: trust.PublicId) -> str:
    """How a sent document is recognised on a later import: its archival identifier when it has one,
    otherwise "pkg:<sender fingerprint>:<id at the sender>" (kept as the imported document's identifier)."""
    ident = (entry.get("fields") or {}).get("identifier")
    if ident:
        return str(ident)
    return f"pkg:{sender.fingerprint}:{entry['source_id']}"


@dataclass
class _Plan:
    units: dict[str, Unit]
    new_fonds: list[dict[str, Any]]
    new_records: list[dict[str, Any]]
    new_docs: list[dict[str, Any]]
    skipped: list[dict[str, Any]]


def _plan(verified: Verified, unit_map: dict[str, str]) -> _Plan:
    manifest = verified.manifest
    needed: set[str] = set()
    for item in [*manifest["fonds"], *manifest["records"], *manifest["documents"]]:
        needed.update(c for c in (item.get("creator_unit"), item.get("unit")) if c)
    optional = {d["issuer_unit"] for d in manifest["documents"] if d.get("issuer_unit")}
    codes = {code: unit_map.get(code, code) for code in needed | optional}
    found = {u.code: u for u in Unit.objects.filter(code__in=set(codes.values()))}
    missing = sorted(code for code in needed if codes[code] not in found)
    if missing:
        raise PackageError(
            _(
                "These units are not known here: %(codes)s. Add them to the registry, or map them to local "
                "units with --unit-map CODE=LOCAL_CODE. Nothing was imported."
            )
            % {"codes": ", ".join(missing)}
        )
    units = {code: found[local] for code, local in codes.items() if local in found}
    new_fonds = [f for f in manifest["fonds"] if not Fonds.objects.filter(code=f["code"]).exists()]
    new_records = [r for r in manifest["records"] if not Record.objects.filter(code=r["code"]).exists()]
    new_docs, skipped = [], []
    for entry in manifest["documents"]:
        ident = document_identity(entry, verified.sender)
        existing = Document.objects.filter(identifier=ident).first()
        if existing is not None:
            skipped.append({"identity": ident, "document_id": existing.pk, "source_id": entry["source_id"]})
            continue
        new_docs.append(entry)
    # Positions in records that already exist here must be free.
    for entry in new_docs:
        order = entry["fields"].get("order_in_record")
        code = entry.get("record")
        if code and order is not None and Document.objects.filter(record__code=code, order_in_record=order).exists():
            raise PackageError(
                _("Record %(code)s here already has a document at position %(order)d. Nothing was imported.")
                % {"code": code, "order": order}
            )
    return _Plan(units, new_fonds, new_records, new_docs, skipped)


def _clean(obj: Any, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _damaged(
            _("a document's data is not valid here (%(errors)s).") % {"errors": "; ".join(exc.messages)}
        ) from None


class _Writer:
    """Files written during the import, removed again if the transaction does not commit."""

    def __init__(self) -> None:
        self.created: list[Path] = []

    def write(self, rel: str, source: _Chain) -> str:
        """Store a public file at `rel` (temporary name, fsync, rename); the sha256 of its bytes."""
        target = storage.path(rel)
        self.created.append(target)
        digest = hashlib.sha256()
        with storage.atomic_write(rel) as out:
            while chunk := source.read(READ):
                digest.update(chunk)
                out.write(chunk)
        return digest.hexdigest()

    def discard(self) -> None:
        for path in self.created:
            path.unlink(missing_ok=True)


def import_package(
    *,
    actor: Any,
    path: Path,
    unit_map: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Verify the whole package, then import what is not here yet in one transaction (idempotent)."""
    verified = verify_package(path, progress)
    try:
        plan = _plan(verified, unit_map or {})
    except (KeyError, TypeError, AttributeError):
        raise _damaged(_("its list of contents cannot be read.")) from None
    result = ImportResult(sender=verified.sender_name, sender_fingerprint=verified.sender.fingerprint, dry_run=dry_run)
    result.skipped = plan.skipped
    if dry_run or not plan.new_docs and not plan.new_fonds and not plan.new_records:
        result.records_created = [r["code"] for r in plan.new_records] if dry_run else []
        result.fonds_created = [f["code"] for f in plan.new_fonds] if dry_run else []
        result.created = (
            [
                {"identity": document_identity(e, verified.sender), "document_id": None, "source_id": e["source_id"]}
                for e in plan.new_docs
            ]
            if dry_run
            else []
        )
        return result
    writer = _Writer()
    try:
        with transaction.atomic():
            _apply(verified, plan, actor, writer, result, progress)
    except (KeyError, TypeError, AttributeError):
        writer.discard()
        raise _damaged(_("its list of contents cannot be read.")) from None
    except IntegrityError:
        writer.discard()
        raise PackageError(
            _("Another import of the same documents ran at the same time; run this import again.")
        ) from None
    except BaseException:
        writer.discard()
        raise
    return result


def _apply(
    verified: Verified,
    plan: _Plan,
    actor: Any,
    writer: _Writer,
    result: ImportResult,
    progress: Callable[[str], None] | None,
) -> None:
    units = plan.units
    fonds_by_code: dict[str, Fonds] = {}
    for data in plan.new_fonds:
        fonds = Fonds(
            **{name: data.get(name) or ("" if name in ("name", "description") else None) for name in FONDS_FIELDS},
            creator_unit=units[data["creator_unit"]],
            unit=units[data["unit"]],
        )
        _clean(fonds, ["creator_unit", "unit"])
        fonds.save()
        fonds_by_code[fonds.code] = fonds
        result.fonds_created.append(fonds.code)
    for data in plan.new_records:
        record = Record(
            **{name: _parse_value(name, data.get(name)) for name in RECORD_FIELDS},
            fonds=fonds_by_code.get(data["fonds"]) or Fonds.objects.filter(code=data["fonds"]).first()
            if data.get("fonds")
            else None,
            creator_unit=units[data["creator_unit"]],
            unit=units[data["unit"]],
        )
        _clean(record, ["fonds", "creator_unit", "unit", "location"])
        record.save()
        result.records_created.append(record.code)
    by_part: dict[str, tuple[Document, str]] = {}
    copies: dict[int, dict[str, Any]] = {}
    made: list[tuple[dict[str, Any], Document, str]] = []
    for entry in plan.new_docs:
        ident = document_identity(entry, verified.sender)
        fields = {
            name: _parse_value(name, entry["fields"].get(name)) for name in DOCUMENT_FIELDS if name in entry["fields"]
        }
        fields["identifier"] = ident
        doc = Document(
            **fields,
            record=Record.objects.filter(code=entry["record"]).first() if entry.get("record") else None,
            creator_unit=units[entry["creator_unit"]],
            unit=units[entry["unit"]],
            issuer_unit=units.get(entry.get("issuer_unit") or ""),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _clean(doc, ["record", "creator_unit", "unit", "issuer_unit", "location", "created_by"])
        doc.save()
        result.created.append({"identity": ident, "document_id": doc.pk, "source_id": entry["source_id"]})
        made.append((entry, doc, ident))
        if entry.get("copy"):
            copies[doc.pk] = {"entry": entry, "doc": doc, "stored": {}}
            for kind, part_id in entry["copy"]["files"].items():
                by_part[part_id] = (doc, kind)

    # Second decryption pass: stream every part into storage (classified ones encrypted again at once).
    with open(verified.path, "rb") as fh:
        fh.seek(verified.ciphertext_offset)
        payload = _open_payload(fh, verified.ciphertext_length, verified.key)
        _read_manifest(payload, verified.header)
        for part in verified.manifest["parts"]:
            chunks = _part_chunks(payload, int(part["size"]))
            target = by_part.get(part["id"])
            if target is None:  # a document already here: read past its file
                for _chunk in chunks:
                    pass
                continue
            doc, kind = target
            if progress:
                progress(part["id"])
            stored = _store_part(writer, doc, kind, chunks, part["sha256"])
            if stored["plain_sha256"] != part["sha256"]:
                raise _damaged(_("the checksum of %(part)s does not match.") % {"part": part["id"]})
            copies[doc.pk]["stored"][kind] = stored

    for info in copies.values():
        doc, entry, stored = info["doc"], info["entry"], info["stored"]
        meta = entry["copy"]
        if set(stored) != set(FILE_KINDS):
            raise _damaged(_("the files of document %(id)s are incomplete.") % {"id": entry["source_id"]})
        DigitalCopy.objects.create(
            document=doc,
            original_name=str(meta.get("original_name", ""))[:255],
            original_path=stored["original"]["rel"],
            original_sha256=stored["original"]["stored_sha256"],
            original_size=stored["original"]["plain_size"],
            original_mime=str(meta.get("original_mime", ""))[:64],
            archival_path=stored["archival"]["rel"],
            archival_sha256=stored["archival"]["stored_sha256"],
            archival_size=stored["archival"]["stored_size"],
            page_count=int(meta.get("page_count") or 0),
            low_dpi=bool(meta.get("low_dpi")),
        )
    for entry, doc, ident in made:
        stored = copies.get(doc.pk, {}).get("stored", {})
        audit.record(
            "package_import",
            actor=actor,
            obj=doc,
            details={
                "sender": verified.sender_name,
                "sender_fingerprint": verified.sender.fingerprint,
                "package_sha256": verified.sha256,
                "package_created_at": verified.manifest.get("created_at"),
                "source_id": entry["source_id"],
                "identity": ident,
                "files": {k: {"sha256": v["plain_sha256"], "size": v["plain_size"]} for k, v in stored.items()},
                "source_audit": entry.get("audit", []),
            },
        )


def _hashed(chunks: Iterable[bytes], sink: dict[str, Any]) -> _Chain:
    """A reader over `chunks` that leaves the plaintext's sha256 and size in `sink` once read."""
    digest, sink["size"] = hashlib.sha256(), 0

    def counted() -> Iterator[bytes]:
        for chunk in chunks:
            digest.update(chunk)
            sink["size"] += len(chunk)
            yield chunk
        sink["sha256"] = digest.hexdigest()

    return _Chain(counted())


def _store_part(writer: _Writer, doc: Document, kind: str, chunks: Iterable[bytes], expected: str) -> dict[str, Any]:
    """Store one file of an imported document as the pipeline stores it: a public original content-addressed,
    a classified one sealed under the document's new data key (never plaintext on disk); the archival copy
    under archival/<unit>/<year>/. Checksums recorded are of the bytes stored, as for the pipeline's files."""
    key = None
    if doc.confidentiality > Level.NONE:
        key = envelope.data_key(envelope.owner_label("document", doc.pk), create=True)
    plain: dict[str, Any] = {}
    reader = _hashed(chunks, plain)
    if kind == "original":
        expected_path = storage.path(storage.original_rel(expected))
        existed = key is None and expected_path.exists()
        rel, stored_sha, _size = storage.store_original(reader, key=key)  # type: ignore[arg-type]
        if not existed:
            writer.created.append(storage.path(rel))
    else:
        rel = f"archival/{doc.unit.code}/{timezone.now():%Y}/import-{doc.pk}-{secrets.token_hex(4)}.pdf"
        if key is not None:
            writer.created.append(storage.path(rel))
            stored_sha = storage.put_sealed(rel, reader, key)  # type: ignore[arg-type]
        else:
            stored_sha = writer.write(rel, reader)
    reader.read()  # drain (a no-op when the writer read it all)
    return {
        "rel": rel,
        "plain_sha256": plain.get("sha256", ""),
        "plain_size": plain["size"],
        "stored_sha256": stored_sha,
        "stored_size": storage.path(rel).stat().st_size,
    }
