"""`sohoa key-rotate`: every data key re-wrapped with a new master key, resumable after an interruption."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from sohoa.security import envelope, identity, keys, rotation
from sohoa.security.models import DataKey, InstanceIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyed(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KEY_FILE = tmp_path / "keys" / "master.key"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return settings.KEY_FILE


def _texts(n: int) -> dict[str, str]:
    """n owners, each with a text sealed under its data key."""
    sealed = {}
    for i in range(n):
        owner = f"document:{i + 1}"
        sealed[owner] = envelope.seal_text(envelope.data_key(owner, create=True), f"văn bản mật số {i}")  # type: ignore[arg-type]
    return sealed


def test_an_interrupted_rotation_resumes_and_every_document_stays_readable(keyed, monkeypatch):  # type: ignore[no-untyped-def]
    sealed = _texts(7)
    signer = identity.public_id()  # the instance identity exists, wrapped by the old key
    old = keyed.read_bytes()
    calls = {"n": 0}
    real_wrap = keys.wrap

    def failing_wrap(secret, label, key=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a crash, after three rows
        return real_wrap(secret, label, key)

    monkeypatch.setattr(keys, "wrap", failing_wrap)
    with pytest.raises(KeyboardInterrupt):
        rotation.rotate(batch=1, reindex=lambda: 0)
    monkeypatch.setattr(keys, "wrap", real_wrap)

    nxt = keys.next_key_file()
    assert nxt.exists() and keyed.read_bytes() == old  # mid-rotation: both keys present
    new_kid = keys.kid_of(nxt.read_bytes())
    assert 0 < DataKey.objects.filter(kid=new_kid).count() < 7
    for owner, value in sealed.items():  # readable in the middle of the rotation too
        assert envelope.open_text(envelope.data_key(owner), value).startswith("văn bản mật")  # type: ignore[arg-type]

    out = io.StringIO()
    call_command("key-rotate", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["resumed"] is True and summary["kid"] == new_kid
    assert not nxt.exists() and keyed.read_bytes() != old
    assert set(DataKey.objects.values_list("kid", flat=True)) == {new_kid}
    assert set(InstanceIdentity.objects.values_list("kid", flat=True)) <= {new_kid}
    for owner, value in sealed.items():
        assert envelope.open_text(envelope.data_key(owner), value).startswith("văn bản mật")  # type: ignore[arg-type]
    assert identity.public_id() == signer and identity.signing_key()  # same key pair, unwraps with the new key


def test_a_second_rotation_starts_fresh_and_keeps_identities(keyed):  # type: ignore[no-untyped-def]
    _texts(2)
    before = identity.public_id()
    out = io.StringIO()
    call_command("key-rotate", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert first["resumed"] is False and first["data_keys"] == 2
    out = io.StringIO()
    call_command("key-rotate", "--json", stdout=out)
    second = json.loads(out.getvalue())
    assert second["kid"] != first["kid"] and second["data_keys"] == 2
    assert identity.public_id() == before
    identity.signing_key()  # still unwraps
