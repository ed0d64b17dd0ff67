"""The hash-chained audit log: appends link rows, verify() and `sohoa audit-verify` find any tampering."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from sohoa.core import audit
from sohoa.core.middleware import RequestContextMiddleware, current_ip
from sohoa.core.models import AuditEvent, AuditHead


@pytest.fixture
def chain(db):  # type: ignore[no-untyped-def]
    """Five events in a row, seq 1..5."""
    return [
        audit.record("view", object_type="archive.document", object_id=str(i), details={"i": i}) for i in range(1, 6)
    ]


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def run_verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit-verify", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


# ---- appending ---------------------------------------------------------------------------------------


def test_record_links_each_row_to_the_hash_of_the_one_before(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == audit.GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in chain:
        assert event.hash == audit.compute_hash(event.prev_hash, event)
        assert len(event.hash) == 64


def test_record_moves_the_head_to_the_last_row(chain):
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, chain[-1].hash)


def test_record_describes_the_object_and_the_actor(province, make_user):
    user = make_user(province["ubkt"])
    event = audit.record("update", actor=user, obj=province["ubkt"], details={"changes": {"name": ["a", "b"]}})
    event.refresh_from_db()
    assert event.actor_id == user.pk
    assert event.actor_username == user.username
    assert event.object_type == "registry.unit"
    assert event.object_id == str(province["ubkt"].pk)
    assert event.object_repr == str(province["ubkt"])
    assert event.details == {"changes": {"name": ["a", "b"]}}


def test_record_without_signed_in_actor_leaves_actor_empty(db):
    from django.contrib.auth.models import AnonymousUser

    event = audit.record("login_failed", actor=AnonymousUser())
    assert event.actor_id is None
    assert event.actor_username == ""


def test_record_keeps_values_that_json_cannot_encode_as_text_and_chain_stays_valid(db):
    event = audit.record("export", details={"day": dt.date(2025, 7, 1), "n": 3})
    event.refresh_from_db()
    assert event.details == {"day": "2025-07-01", "n": 3}
    assert audit.verify().ok


def test_record_truncates_long_object_repr(db):
    event = audit.record("view", object_repr="x" * 1000)
    assert len(event.object_repr) == 300
    assert audit.verify().ok


def test_record_takes_the_ip_of_the_current_request(db):
    seen = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(audit.record("view"))
        return HttpResponse()

    RequestContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="10.1.2.3"))
    assert seen[0].ip == "10.1.2.3"
    assert current_ip() is None  # reset after the request


def test_record_does_not_trust_x_forwarded_for(db):
    seen = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(audit.record("view"))
        return HttpResponse()

    RequestContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6"))
    assert seen[0].ip == "10.0.0.1"


@pytest.mark.parametrize("ip", ["192.168.1.5", "::1", "2001:DB8::1", "0:0:0:0:0:0:0:1", "::ffff:10.0.0.1"])
def test_chain_stays_valid_for_any_way_of_writing_an_ip(db, ip):
    audit.record("login", ip=ip)
    audit.record("view", ip=ip)
    result = audit.verify()
    assert result.ok, result.reason


def test_saving_an_existing_event_again_is_refused(chain):
    event = AuditEvent.objects.get(seq=2)
    event.action = "nothing-happened"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(seq=2).action == "view"


def test_deleting_an_event_through_the_model_is_refused(chain):
    with pytest.raises(PermissionError):
        AuditEvent.objects.get(seq=2).delete()
    assert AuditEvent.objects.count() == 5


# ---- verify ------------------------------------------------------------------------------------------


def test_verify_is_ok_on_an_empty_log(db):
    result = audit.verify()
    assert result.ok
    assert result.checked == 0


def test_verify_is_ok_on_an_intact_chain(chain):
    result = audit.verify()
    assert result.ok
    assert result.checked == 5
    assert result.broken_seq is None


def test_verify_finds_a_row_edited_with_raw_sql(chain):
    _sql("UPDATE core_auditevent SET action='x' WHERE seq=2")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 2
    assert "#2" in result.reason
    assert result.checked == 1


def test_verify_finds_edited_details(chain):
    _sql("""UPDATE core_auditevent SET details='{"i": 99}' WHERE seq=4""")
    result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 4)


def test_verify_finds_a_row_whose_hash_was_rewritten_to_match_its_new_content(chain):
    """An attacker who recomputes the edited row's hash still breaks the next row's link."""
    _sql("UPDATE core_auditevent SET action='x' WHERE seq=2")
    forged = AuditEvent.objects.get(seq=2)
    _sql(f"UPDATE core_auditevent SET hash='{audit.compute_hash(forged.prev_hash, forged)}' WHERE seq=2")
    result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_verify_finds_a_deleted_middle_row(chain):
    _sql("DELETE FROM core_auditevent WHERE seq=3")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 3
    assert "#3" in result.reason


def test_verify_finds_a_deleted_first_row(chain):
    _sql("DELETE FROM core_auditevent WHERE seq=1")
    assert (audit.verify().ok, audit.verify().broken_seq) == (False, 1)


def test_verify_finds_a_deleted_last_row_through_the_head(chain):
    _sql("DELETE FROM core_auditevent WHERE seq=5")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 5
    assert "#4" in result.reason and "#5" in result.reason


def test_verify_finds_all_rows_deleted_through_the_head(chain):
    _sql("DELETE FROM core_auditevent")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 1


def test_verify_finds_renumbered_rows(chain):
    _sql("UPDATE core_auditevent SET seq=seq+10 WHERE seq>=4")
    result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 4)


def test_appending_after_verification_keeps_the_chain_intact(chain):
    assert audit.verify().ok
    audit.record("logout")
    assert audit.verify().checked == 6


# ---- sohoa audit-verify ---------------------------------------------------------------------------------


def test_audit_verify_exits_zero_on_an_intact_chain(chain):
    code, out, err = run_verify()
    assert code == 0
    assert "5" in out
    assert err == ""


def test_audit_verify_json_prints_one_object(chain):
    code, out, _err = run_verify("--json")
    assert code == 0
    assert json.loads(out) == {
        "ok": True,
        "checked": 5,
        "broken_seq": None,
        "reason": "",
        "checkpoints": 0,
        "checkpoint_written": 5,  # an intact chain ends with a checkpoint of its head (decision 0024)
    }


def test_audit_verify_exits_one_naming_the_edited_row(chain):
    _sql("UPDATE core_auditevent SET action='x' WHERE seq=2")
    code, out, err = run_verify()
    assert code == 1
    assert "#2" in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


def test_audit_verify_exits_one_naming_the_deleted_row(chain):
    _sql("DELETE FROM core_auditevent WHERE seq=3")
    code, _out, err = run_verify()
    assert code == 1
    assert "#3" in err


def test_audit_verify_json_names_the_broken_row(chain):
    _sql("DELETE FROM core_auditevent WHERE seq=5")
    code, out, _err = run_verify("--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["broken_seq"] == 5
