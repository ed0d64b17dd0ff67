"""Envelope encryption: data keys wrapped by the master key, files and texts that authenticate."""

from __future__ import annotations

import io

import pytest
from django.core.checks import run_checks

from sohoa.security import envelope, identity, keys
from sohoa.security.models import DataKey

pytestmark = pytest.mark.django_db


def test_data_keys_are_stored_wrapped_and_come_back(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KEY_FILE = tmp_path / "keys" / "master.key"
    key = envelope.data_key("document:1", create=True)
    assert key is not None and len(key) == 32
    row = DataKey.objects.get(owner="document:1")
    assert key not in bytes(row.wrapped) and row.kid == keys.kid_of(settings.KEY_FILE.read_bytes())
    assert envelope.data_key("document:1") == key
    envelope.share_key("document:1", "intake:9")
    assert envelope.data_key("intake:9") == key


@pytest.mark.parametrize("size", [0, 5, envelope.CHUNK, envelope.CHUNK * 2 + 7])
def test_files_round_trip_and_any_change_is_detected(size):  # type: ignore[no-untyped-def]
    key = bytes(range(32))
    plain = bytes(i % 251 for i in range(size))
    out = io.BytesIO()
    envelope.encrypt_stream(key, io.BytesIO(plain), out)
    blob = out.getvalue()
    assert b"".join(envelope.decrypt_stream(key, io.BytesIO(blob))) == plain
    flipped = bytearray(blob)
    flipped[-1] ^= 1
    with pytest.raises(envelope.Tampered):
        b"".join(envelope.decrypt_stream(key, io.BytesIO(bytes(flipped))))
    if size > envelope.CHUNK:  # cut after a whole chunk: the "last" mark is missing
        cut = blob[: len(envelope.MAGIC) + 8 + envelope.CHUNK + 16]
        with pytest.raises(envelope.Tampered):
            b"".join(envelope.decrypt_stream(key, io.BytesIO(cut)))


def test_texts_are_sealed():  # type: ignore[no-untyped-def]
    key = bytes(32)
    sealed = envelope.seal_text(key, "Nội dung tuyệt mật")
    assert envelope.is_sealed_text(sealed) and "Nội" not in sealed
    assert envelope.open_text(key, sealed) == "Nội dung tuyệt mật"
    assert envelope.open_text(key, "plain") == "plain"


def test_key_file_inside_the_data_dir_is_refused(settings):  # type: ignore[no-untyped-def]
    settings.KEY_FILE = settings.DATA_DIR / "master.key"
    assert "sohoa.E001" in {e.id for e in run_checks()}


def test_a_missing_key_with_encrypted_data_is_refused(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KEY_FILE = tmp_path / "k" / "master.key"
    envelope.data_key("document:1", create=True)
    settings.KEY_FILE.unlink()
    assert "sohoa.E002" in {e.id for e in run_checks()}
    with pytest.raises(keys.KeyMissing):
        keys.master_key()  # never silently replaced by a new key


def test_instance_identity_signs(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KEY_FILE = tmp_path / "k" / "master.key"
    signature = identity.sign(b"data")
    sign_public = identity.public_id().split(":")[0]
    assert identity.verify(sign_public, signature, b"data")
    assert not identity.verify(sign_public, signature, b"date")
