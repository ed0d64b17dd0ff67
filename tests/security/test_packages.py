"""Transfer packages: signed, encrypted for one instance, verified whole before anything is imported.

Two instances share the test database: each has its own identity row (the current one is chosen by
patching `identity.identity`) and its own storage directory; "instance B" starts without the exported
documents, which are deleted (with their files and data keys) after the export. Units exist on both
sides, as the registry of bodies is the same everywhere.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoa.archive.models import Document, Fonds, Record
from sohoa.core import audit
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.digitization import storage
from sohoa.digitization.models import DigitalCopy
from sohoa.security import envelope, identity, keys, packages, trust
from sohoa.security.models import DataKey, InstanceIdentity, TrustedInstance
from tests.factories import DocumentFactory, FondsFactory, RecordFactory

pytestmark = pytest.mark.django_db

MARKER = "BIMATQUOCGIA7731"
_RAW = serialization.Encoding.Raw


def _new_identity() -> InstanceIdentity:
    """Another instance's key pairs (what identity.identity() makes on a fresh instance)."""
    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    private = (serialization.PrivateFormat.Raw, serialization.NoEncryption())
    sign_wrapped, kid = keys.wrap(sign.private_bytes(_RAW, *private), "instance:sign")
    box_wrapped, _ = keys.wrap(box.private_bytes(_RAW, *private), "instance:box")
    return InstanceIdentity.objects.create(
        sign_private=sign_wrapped,
        box_private=box_wrapped,
        sign_public=sign.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw).hex(),
        box_public=box.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw).hex(),
        kid=kid,
    )


def _pid(row: InstanceIdentity) -> str:
    return f"{row.sign_public}:{row.box_public}"


class Sites:
    """Instances A (sender), B (recipient), C (a stranger) and switching between them."""

    def __init__(self, monkeypatch: Any, settings: Any, tmp_path: Path) -> None:
        self.monkeypatch, self.settings, self.tmp = monkeypatch, settings, tmp_path
        self.a = identity.identity()
        self.b, self.c = _new_identity(), _new_identity()

    def use(self, row: InstanceIdentity, files: str) -> None:
        self.monkeypatch.setattr(identity, "identity", lambda: row)
        location = self.tmp / files
        location.mkdir(exist_ok=True)
        self.settings.STORAGES = {
            **self.settings.STORAGES,
            "default": {**self.settings.STORAGES["default"], "OPTIONS": {"location": location}},
        }


@pytest.fixture
def sites(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KEY_FILE = tmp_path / "keys" / "master.key"
    s = Sites(monkeypatch, settings, tmp_path)
    s.use(s.b, "b")
    trust.trust(actor=None, public_id=_pid(s.a), name="A")
    s.use(s.a, "a")
    trust.trust(actor=None, public_id=_pid(s.b), name="B")
    return s


@pytest.fixture
def exported(sites, province, make_user, tmp_path):  # type: ignore[no-untyped-def]
    """A record with a public and a classified document (files encrypted at rest), sent from A to B."""
    archivist = make_user(province["tu"], role=Role.ARCHIVIST, clearance=Level.TOI_MAT)
    fonds = FondsFactory(code="P12TU", unit=province["tu"])
    record = RecordFactory(code="H12.2024.07", fonds=fonds, unit=province["tu"])
    public = DocumentFactory(
        record=record, order_in_record=1, unit=province["tu"], issuer_unit=province["ubnd"], keywords="đất đai"
    )
    secret = DocumentFactory(
        record=record,
        order_in_record=2,
        unit=province["tu"],
        identifier="H12.TU.2024.0002",
        confidentiality=Level.MAT,
        subject="Kế hoạch bảo vệ bí mật",
    )
    files = {}
    for doc in (public, secret):
        original = f"%PDF-1.7 original of {doc.pk} {MARKER} ".encode() * 50
        archival = bytes(range(256)) * 4100 + MARKER.encode()  # > 1 MiB: more than one chunk
        key = None
        if doc.confidentiality:
            key = envelope.data_key(envelope.owner_label("document", doc.pk), create=True)
        rel, sha, size = storage.store_original(io.BytesIO(original), key=key)
        arch_rel = f"archival/{doc.unit.code}/2024/{doc.pk}.pdf"
        if key is None:
            storage.put_bytes(arch_rel, archival)
            arch_sha = storage.sha256_file(storage.path(arch_rel))
        else:
            arch_sha = storage.put_sealed(arch_rel, io.BytesIO(archival), key)
        DigitalCopy.objects.create(
            document=doc,
            original_name="scan.pdf",
            original_path=rel,
            original_sha256=sha,
            original_size=size,
            original_mime="application/pdf",
            archival_path=arch_rel,
            archival_sha256=arch_sha,
            archival_size=storage.path(arch_rel).stat().st_size,
            page_count=3,
        )
        audit.record("create", actor=archivist, obj=doc, details={"note": "registered"})
        files[doc.pk] = {"original": original, "archival": archival}
    metadata = {d.pk: _metadata(d) for d in (public, secret)}
    package = tmp_path / "out" / "goi.sohoa"
    out = io.StringIO()
    call_command(
        "package-export",
        "--documents",
        f"{public.pk},{secret.pk}",
        "--as",
        archivist.username,
        "--to",
        "B",
        "-o",
        str(package),
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["documents"] == [public.pk, secret.pk] and summary["files"] == 4
    assert AuditEvent.objects.filter(action="package_export").count() == 2

    # Instance B: the same registry of units, none of these documents, its own files and keys.
    ids = [public.pk, secret.pk]
    DigitalCopy.objects.filter(document_id__in=ids).delete()
    Document.objects.filter(pk__in=ids).delete()
    Record.objects.filter(pk=record.pk).delete()
    Fonds.objects.filter(pk=fonds.pk).delete()
    DataKey.objects.filter(owner__in=[f"document:{i}" for i in ids]).delete()
    sites.use(sites.b, "b")
    return {"package": package, "files": files, "metadata": metadata, "ids": ids, "user": archivist}


def _metadata(doc: Document) -> dict[str, Any]:
    return {
        "notation": doc.notation,
        "subject": doc.subject,
        "issued_date": doc.issued_date,
        "confidentiality": doc.confidentiality,
        "keywords": doc.keywords,
        "order_in_record": doc.order_in_record,
        "unit": doc.unit.code,
        "creator_unit": doc.creator_unit.code,
        "issuer_unit": doc.issuer_unit.code if doc.issuer_unit else None,
        "record": doc.record.code if doc.record else None,
        "fonds": doc.record.fonds.code if doc.record and doc.record.fonds else None,
    }


def _state() -> dict[str, Any]:
    root = storage.root()
    return {
        "documents": Document.objects.count(),
        "copies": DigitalCopy.objects.count(),
        "records": Record.objects.count(),
        "fonds": Fonds.objects.count(),
        "keys": DataKey.objects.count(),
        "audit": AuditEvent.objects.count(),
        "files": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else [],
    }


def _import(package: Path, *extra: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("package-import", str(package), "--json", *extra, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def _rejected(package: Path) -> str:
    before = _state()
    with pytest.raises(CommandError) as exc:
        call_command("package-import", str(package), stdout=io.StringIO(), stderr=io.StringIO())
    assert _state() == before
    return str(exc.value)


def test_round_trip_recreates_documents_files_and_audit(exported):  # type: ignore[no-untyped-def]
    result = _import(exported["package"])
    assert result["ok"] and result["changed"] and result["sender"] == "A"
    assert len(result["created"]) == 2 and result["records_created"] == ["H12.2024.07"]
    assert result["fonds_created"] == ["P12TU"]
    by_source = {row["source_id"]: row for row in result["created"]}
    for source_id in exported["ids"]:
        doc = Document.objects.get(pk=by_source[source_id]["document_id"])
        assert _metadata(doc) == exported["metadata"][source_id]
        copy = doc.digital_copy
        owner = envelope.owner_label("document", doc.pk)
        for kind in ("original", "archival"):
            rel = getattr(copy, f"{kind}_path")
            assert storage.read_plain(rel, owner) == exported["files"][source_id][kind]
            raw = storage.path(rel).read_bytes()
            assert getattr(copy, f"{kind}_sha256") == storage.sha256_file(storage.path(rel))
            if doc.confidentiality:  # classified: encrypted at rest again, under a new data key
                assert envelope.is_encrypted_file(storage.path(rel)) and MARKER.encode() not in raw
            else:
                assert raw == exported["files"][source_id][kind]
        event = AuditEvent.objects.get(action="package_import", object_id=str(doc.pk))
        assert event.details["sender"] == "A"
        assert [e["action"] for e in event.details["source_audit"]] == ["create"]  # as of the export
    assert Document.objects.get(identifier="H12.TU.2024.0002").confidentiality == Level.MAT
    assert audit.verify().ok


def test_a_second_import_changes_nothing(exported):  # type: ignore[no-untyped-def]
    _import(exported["package"])
    before = _state()
    again = _import(exported["package"])
    assert again["ok"] and not again["changed"] and not again["created"] and len(again["skipped"]) == 2
    assert _state() == before


def test_dry_run_verifies_and_writes_nothing(exported):  # type: ignore[no-untyped-def]
    before = _state()
    result = _import(exported["package"], "--dry-run")
    assert result["dry_run"] and len(result["created"]) == 2
    assert _state() == before


@pytest.mark.parametrize("where", ["header", "middle", "signature"])
def test_one_flipped_byte_rejects_the_whole_package(exported, where):  # type: ignore[no-untyped-def]
    data = bytearray(exported["package"].read_bytes())
    position = {"header": 40, "middle": len(data) // 2, "signature": len(data) - 10}[where]
    data[position] ^= 0x01
    exported["package"].write_bytes(bytes(data))
    message = _rejected(exported["package"])
    if where != "header":  # a header byte may also spoil the header's syntax or name another signer
        assert "signature does not match" in message


@pytest.mark.parametrize("cut", [1, 64, 100_000])
def test_a_truncated_package_is_rejected(exported, cut):  # type: ignore[no-untyped-def]
    data = exported["package"].read_bytes()
    exported["package"].write_bytes(data[:-cut])
    assert "truncated" in _rejected(exported["package"])


def test_a_package_from_an_untrusted_signer_is_rejected(exported, sites):  # type: ignore[no-untyped-def]
    TrustedInstance.objects.filter(name="A").delete()
    message = _rejected(exported["package"])
    assert "does not trust" in message and trust.fingerprint(sites.a.sign_public, sites.a.box_public) in message


def test_a_package_signed_by_another_key_is_rejected(exported, sites):  # type: ignore[no-untyped-def]
    """A stranger's signature over a package that claims to come from A."""
    data = exported["package"].read_bytes()
    sites.use(sites.c, "c")
    forged = data[:-64] + identity.sign(b"anything")
    sites.use(sites.b, "b")
    exported["package"].write_bytes(forged)
    assert "signature does not match" in _rejected(exported["package"])


def test_a_package_for_another_instance_is_rejected(exported, sites, tmp_path):  # type: ignore[no-untyped-def]
    """A sends to C; B (who trusts A) cannot decrypt it."""
    sites.use(sites.a, "a")
    doc = DocumentFactory(unit=exported["user"].units.first())
    other = tmp_path / "for-c.sohoa"
    call_command(
        "package-export", "--documents", str(doc.pk), "--to", _pid(sites.c), "-o", str(other), stdout=io.StringIO()
    )
    doc.delete()
    sites.use(sites.b, "b")
    assert "addressed to another instance" in _rejected(other)


def test_classified_documents_need_a_cleared_user(sites, province, tmp_path):  # type: ignore[no-untyped-def]
    secret = DocumentFactory(unit=province["tu"], confidentiality=Level.MAT)
    with pytest.raises(CommandError, match="--as USERNAME"):
        call_command(
            "package-export",
            "--documents",
            str(secret.pk),
            "--to",
            "B",
            "-o",
            str(tmp_path / "x"),
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "x").exists()
    assert not AuditEvent.objects.filter(action="package_export").exists()


def test_unknown_units_are_listed_and_nothing_imported(exported, province):  # type: ignore[no-untyped-def]
    province["tu"].code = "H12.TU-OLD"
    province["tu"].save()
    message = _rejected(exported["package"])
    assert "H12.TU" in message and "--unit-map" in message
    result = _import(exported["package"], "--unit-map", "H12.TU=H12.TU-OLD")
    assert len(result["created"]) == 2


def test_not_a_package(sites, tmp_path):  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"PK\x03\x04 not ours")
    assert "not a sohoa transfer package" in _rejected(junk)


def test_keys_commands_print_json_and_are_audited(sites):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("keys", "show", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["public_id"] == _pid(sites.a) and len(shown["fingerprint"]) == 24
    out = io.StringIO()
    call_command("keys", "trust", _pid(sites.c), "--name", "C", "--json", stdout=out)
    assert json.loads(out.getvalue())["fingerprint"] == trust.fingerprint(sites.c.sign_public, sites.c.box_public)
    out = io.StringIO()
    call_command("keys", "list", "--json", stdout=out)
    assert [json.loads(line)["name"] for line in out.getvalue().splitlines()] == [
        "A",
        "B",
        "C",
    ]  # one table for both simulated sites
    with pytest.raises(CommandError, match="already trusted"):
        call_command("keys", "trust", _pid(sites.c), "--name", "C2", stdout=io.StringIO())
    with pytest.raises(CommandError, match="own key"):
        call_command("keys", "trust", _pid(sites.a), "--name", "self", stdout=io.StringIO())
    call_command("keys", "untrust", "C", stdout=io.StringIO())
    assert not TrustedInstance.objects.filter(name="C").exists()
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions.count("instance_trust") == 3 and actions.count("instance_untrust") == 1


def test_package_layout_starts_with_magic_and_ends_with_signature(exported, sites):  # type: ignore[no-untyped-def]
    data = exported["package"].read_bytes()
    magic, version, header_len = packages.PREFIX.unpack(data[: packages.PREFIX.size])
    assert magic == b"SOHOAPKG" and version == 1
    header = json.loads(data[packages.PREFIX.size : packages.PREFIX.size + header_len])
    assert header["sender"] == _pid(sites.a) and header["recipient"] == _pid(sites.b)
    assert MARKER.encode() not in data and b"H12.2024.07" not in data  # contents and metadata are encrypted


def test_query_sends_what_the_user_finds(sites, province, make_user, settings, tmp_path):  # type: ignore[no-untyped-def]
    from sohoa.search import services as search_services

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    clerk = make_user(province["tu"])
    mine = DocumentFactory(unit=province["tu"], subject="Quy hoạch vùng XYZQUY")
    DocumentFactory(unit=province["other"], subject="Quy hoạch vùng XYZQUY khác")  # outside the clerk's scope
    search_services.index_documents(list(Document.objects.values_list("pk", flat=True)))
    out = io.StringIO()
    package = tmp_path / "q.sohoa"
    call_command(
        "package-export", "--query", "XYZQUY", "--as", clerk.username, "--to", "B", "-o", str(package), "--json",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert json.loads(out.getvalue())["documents"] == [mine.pk]
    with pytest.raises(CommandError, match="--as"):
        call_command("package-export", "--query", "XYZQUY", "--to", "B", "-o", str(package), stdout=io.StringIO())
