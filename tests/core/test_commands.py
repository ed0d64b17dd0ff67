"""`sohoa adduser` and `sohoa demo-load` (audit-verify is in test_audit.py, registry-import in registry/)."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoa.archive import notation
from sohoa.archive.models import Document, Record, RegisterEntry
from sohoa.core import audit, demo
from sohoa.core.models import AuditEvent, Level, Role, User
from sohoa.registry.models import Succession, Unit

STRONG = "Mat-khau-rat-dai-2025"


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def stdin(monkeypatch, text: str = "", *, tty: bool = False) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", TTY(text) if tty else io.StringIO(text))


def adduser(*args: str) -> str:
    out = io.StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


# ---- adduser ---------------------------------------------------------------------------------------


def test_adduser_with_password_on_stdin_sets_it(province, monkeypatch):
    stdin(monkeypatch, STRONG + "\n")
    out = adduser("lan", "--unit", "H12.UBKTTU", "--role", "clerk", "--clearance", "mat", "--name", "Nguyễn Thị Lan")
    user = User.objects.get(username="lan")
    assert user.check_password(STRONG)
    assert authenticate(request=None, username="lan", password=STRONG) == user
    assert STRONG not in out
    assert "lan" in out
    assert (user.role, user.clearance) == (Role.CLERK, Level.MAT)
    assert list(user.units.values_list("code", flat=True)) == ["H12.UBKTTU"]
    assert (user.first_name, user.last_name) == ("Nguyễn Thị", "Lan")


def test_adduser_strips_only_the_line_ending_from_the_piped_password(province, monkeypatch):
    stdin(monkeypatch, STRONG + "\r\n")
    adduser("lan", "--unit", "H12.UBKTTU", "--role", "clerk")
    assert User.objects.get(username="lan").check_password(STRONG)


def test_adduser_on_a_terminal_prints_a_generated_password_once(province, monkeypatch):
    stdin(monkeypatch, "ignored\n", tty=True)
    out = adduser("minh", "--unit", "H12.TU", "--role", "archivist", "--clearance", "toi_mat")
    password_lines = [line for line in out.splitlines() if ":" in line and line.split(":", 1)[1].strip()]
    assert len(password_lines) == 1
    generated = password_lines[0].split(":", 1)[1].strip()
    assert out.count(generated) == 1
    user = User.objects.get(username="minh")
    assert user.check_password(generated)
    assert not user.check_password("ignored")
    assert user.clearance == Level.TOI_MAT


def test_adduser_with_empty_stdin_generates_a_password(province, monkeypatch):
    stdin(monkeypatch, "")
    out = adduser("huy", "--unit", "H12.TU", "--role", "inspector")
    generated = out.strip().splitlines()[-1].split(":", 1)[1].strip()
    assert User.objects.get(username="huy").check_password(generated)


def test_adduser_in_several_units(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    adduser("ha", "--unit", "H12.TU", "--unit", "H12.UBND", "--role", "unit_leader")
    assert set(User.objects.get(username="ha").units.values_list("code", flat=True)) == {"H12.TU", "H12.UBND"}


def test_adduser_admin_role_may_use_django_admin(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    adduser("root", "--unit", "H12", "--role", "admin", "--clearance", "tuyet_mat")
    assert User.objects.get(username="root").is_staff


def test_adduser_writes_an_audit_row(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    adduser("lan", "--unit", "H12.UBKTTU", "--role", "clerk")
    event = AuditEvent.objects.filter(action="create", object_type="core.user").get()
    assert event.details["units"] == ["H12.UBKTTU"]
    assert audit.verify().ok


def test_adduser_unknown_unit_is_a_one_line_error_naming_the_code(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    with pytest.raises(CommandError) as exc:
        adduser("lan", "--unit", "NOPE.42", "--role", "clerk")
    message = str(exc.value)
    assert "NOPE.42" in message
    assert "\n" not in message
    assert not User.objects.filter(username="lan").exists()


def test_adduser_names_only_the_unknown_codes(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    with pytest.raises(CommandError) as exc:
        adduser("lan", "--unit", "H12.TU", "--unit", "X1", "--role", "clerk")
    assert "X1" in str(exc.value)
    assert "H12.TU" not in str(exc.value)


def test_adduser_unknown_role_is_refused(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    with pytest.raises(CommandError) as exc:
        adduser("lan", "--unit", "H12.TU", "--role", "king")
    assert "king" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not User.objects.filter(username="lan").exists()


def test_adduser_unknown_clearance_is_refused(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    with pytest.raises(CommandError) as exc:
        adduser("lan", "--unit", "H12.TU", "--role", "clerk", "--clearance", "cosmic")
    assert "cosmic" in str(exc.value)
    assert not User.objects.filter(username="lan").exists()


def test_adduser_duplicate_username_is_refused(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    adduser("lan", "--unit", "H12.TU", "--role", "clerk")
    stdin(monkeypatch, STRONG)
    with pytest.raises(CommandError) as exc:
        adduser("lan", "--unit", "H12.UBND", "--role", "archivist")
    assert "lan" in str(exc.value)
    assert User.objects.get(username="lan").role == Role.CLERK


def test_adduser_weak_piped_password_is_refused(province, monkeypatch):
    stdin(monkeypatch, "123\n")
    with pytest.raises(CommandError):
        adduser("lan", "--unit", "H12.TU", "--role", "clerk")
    assert not User.objects.filter(username="lan").exists()


def test_adduser_invalid_username_is_refused(province, monkeypatch):
    stdin(monkeypatch, STRONG)
    with pytest.raises(CommandError):
        adduser("bad name!", "--unit", "H12.TU", "--role", "clerk")


# ---- demo-load --------------------------------------------------------------------------------------


def demo_load(*args: str) -> str:
    out = io.StringIO()
    call_command("demo-load", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Unit.objects.count(),
        User.objects.count(),
        Record.objects.count(),
        Document.objects.count(),
        RegisterEntry.objects.count(),
        Succession.objects.count(),
    )


def test_demo_load_creates_the_province_users_and_records(db):
    demo_load()
    assert Unit.objects.filter(code="H12").exists()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Record.objects.exists() and Document.objects.exists() and RegisterEntry.objects.exists()
    assert Succession.objects.filter(predecessor__code="BL", successor__code="H12").exists()


def test_demo_users_can_log_in_with_the_demo_password(db):
    demo_load()
    for username, *_rest in demo.USERS:
        assert authenticate(request=None, username=username, password=demo.DEMO_PASSWORD) is not None


def test_demo_admin_is_a_superuser(db):
    demo_load()
    assert User.objects.get(username="admin").is_superuser


def test_demo_load_if_empty_is_idempotent(db):
    demo_load("--if-empty")
    before = _counts()
    out = demo_load("--if-empty")
    assert _counts() == before
    assert out.strip()


def test_demo_load_refuses_a_database_that_has_units(province):
    with pytest.raises(CommandError):
        demo_load()
    assert not User.objects.filter(username="admin").exists()


def test_demo_load_if_empty_leaves_existing_data_alone(province):
    before = _counts()
    demo_load("--if-empty")
    assert _counts() == before


def test_demo_documents_have_number_and_symbol_matching_their_notation(db):
    demo_load()
    for doc in Document.objects.all():
        assert (doc.number, doc.symbol) == notation.split(doc.notation), doc.notation


def test_demo_documents_in_records_have_identifiers(db):
    demo_load()
    for doc in Document.objects.exclude(record=None).select_related("record"):
        assert doc.identifier == f"{doc.record.code}.{doc.order_in_record}"


def test_audit_verify_passes_after_demo_load(db):
    demo_load()
    out = io.StringIO()
    call_command("audit-verify", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is True
    assert report["checked"] > 0
