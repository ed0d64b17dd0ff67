"""Issue 7 §5: every reading of a classified document is an audit row; signed checkpoints outside the
database make a truncated table fail `audit-verify`; a period's log exports as a signed file."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sohoa.core import audit
from sohoa.core.models import AuditEvent, AuditHead, Level, Role
from sohoa.extraction.header import extract
from sohoa.extraction.layout import from_text
from sohoa.extraction.selectors import unit_matcher
from sohoa.extraction.services import suggestion_store
from tests.extraction.test_header_text import PARTY_CV
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # reads the messages


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


TABLE = AuditEvent._meta.db_table
HEAD = AuditHead._meta.db_table


def run(command: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def chain(db):  # type: ignore[no-untyped-def]
    """Six events, then a checkpoint of the head (#6), as the periodic task would write it."""
    events = [audit.record("view", object_type="archive.document", object_id=str(i)) for i in range(1, 7)]
    assert audit.write_checkpoint() is not None
    return events


# ---- classified access ------------------------------------------------------------------------------


@pytest.fixture
def cleared(client, province, make_user):  # type: ignore[no-untyped-def]
    user = make_user(province["ubkt"], role=Role.CLERK, clearance=Level.TUYET_MAT, username="mat_reader")
    client.force_login(user)
    return client


def _views() -> list[dict[str, object]]:
    return list(AuditEvent.objects.filter(action="view").order_by("seq").values_list("details", flat=True))


def test_opening_a_classified_document_records_its_level(cleared, province):
    document = DocumentFactory(unit=province["ubkt"], confidentiality=Level.MAT)
    assert cleared.get(reverse("document_detail", args=[document.pk])).status_code == 200
    assert cleared.get(reverse("document_detail", args=[document.pk]), {"from": "search"}).status_code == 200
    assert _views() == [{"via": "detail", "level": 1}, {"via": "search", "level": 1}]


def test_the_api_detail_of_a_classified_document_is_recorded(cleared, province):
    document = DocumentFactory(unit=province["ubkt"], confidentiality=Level.TOI_MAT)
    assert cleared.get(f"/api/documents/{document.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="view")
    assert (event.object_type, event.object_id, event.details) == (
        "archive.document",
        str(document.pk),
        {"via": "api", "level": 2},
    )


@pytest.mark.parametrize(("level", "logged"), [(Level.NONE, False), (Level.MAT, True)])
def test_the_extraction_page_is_recorded_for_classified_documents_only(cleared, province, level, logged):
    document = DocumentFactory(unit=province["ubkt"], confidentiality=level, subject="scan", notation="")
    suggestion_store(document=document, extraction=extract(from_text(PARTY_CV), match_unit=unit_matcher()))
    assert cleared.get(reverse("suggestion_detail", args=[document.pk])).status_code == 200
    assert _views() == ([{"via": "extraction", "level": 1}] if logged else [])


def test_the_search_list_itself_is_not_an_access(cleared, province):
    DocumentFactory(unit=province["ubkt"], confidentiality=Level.MAT, subject="Kế hoạch mật")
    cleared.get(reverse("search"), {"q": "kế hoạch"})
    assert _views() == []


# ---- checkpoints ------------------------------------------------------------------------------------


def test_an_untouched_chain_passes_and_reaches_its_checkpoint(chain):
    code, out, err = run("audit-verify", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["ok"] and result["checked"] == 6 and result["checkpoints"] == 1
    assert result["checkpoint_written"] is None  # the head has not moved since


def test_audit_verify_ends_with_a_signed_checkpoint_of_a_moved_head(chain):
    audit.record("login")
    code, out, _err = run("audit-verify", "--json")
    assert code == 0 and json.loads(out)["checkpoint_written"] == 7
    marks = audit.read_checkpoints()
    assert [m.seq for m in marks] == [6, 7]
    assert marks[-1].hash == AuditHead.objects.get(pk=1).hash


def test_a_checkpoint_is_written_only_when_the_head_moved(chain):
    assert audit.write_checkpoint() is None
    audit.record("login")
    assert audit.write_checkpoint() is not None
    assert len(audit.read_checkpoints()) == 2


def test_a_tampered_row_fails(chain):
    _sql(f"UPDATE {TABLE} SET object_id = 'x' WHERE seq = 3")
    code, _out, err = run("audit-verify")
    assert code == 1 and "#3" in err


def test_a_deleted_middle_row_fails(chain):
    _sql(f"DELETE FROM {TABLE} WHERE seq = 4")
    code, _out, err = run("audit-verify")
    assert code == 1 and "#4" in err


def test_a_truncated_tail_with_a_rewound_head_fails(chain):
    """The newest rows deleted and AuditHead set back to the new last row: the chain alone looks fine."""
    _sql(f"DELETE FROM {TABLE} WHERE seq > 4")
    _sql(f"UPDATE {HEAD} SET seq = 4, hash = %s WHERE id = 1", [chain[3].hash])
    assert audit.verify(checkpoints=False).ok  # what the checkpoints are for
    code, out, _err = run("audit-verify", "--json")
    result = json.loads(out)
    assert code == 1 and not result["ok"] and result["broken_seq"] == 5
    assert "#6" in result["reason"]
    assert len(audit.read_checkpoints()) == 1  # a broken chain is never checkpointed


def test_a_truncated_tail_then_new_rows_fails(chain):
    """Rows deleted, head rewound, then new events appended: row #6 exists again but is another row."""
    _sql(f"DELETE FROM {TABLE} WHERE seq > 4")
    _sql(f"UPDATE {HEAD} SET seq = 4, hash = %s WHERE id = 1", [chain[3].hash])
    audit.record("view", object_type="archive.document", object_id="new-5")
    audit.record("view", object_type="archive.document", object_id="new-6")
    result = audit.verify()
    assert not result.ok and result.broken_seq == 6


def test_an_emptied_table_and_head_fail(chain):
    _sql(f"DELETE FROM {TABLE}")
    _sql(f"DELETE FROM {HEAD}")
    code, _out, err = run("audit-verify")
    assert code == 1
    assert "#0" in err and "#6" in err


def test_a_forged_checkpoint_line_fails(chain):
    path = audit.checkpoint_file()
    line = json.loads(path.read_text().splitlines()[0])
    line["seq"] = 3
    path.write_text(json.dumps(line) + "\n")
    result = audit.verify()
    assert not result.ok and "signed" in result.reason


def test_a_garbled_checkpoint_file_fails(chain):
    audit.checkpoint_file().write_text("not json\n")
    assert not audit.verify().ok


def test_the_checkpoint_file_is_outside_the_database_and_append_only(chain, settings):
    path = audit.checkpoint_file()
    first = path.read_bytes()
    audit.record("login")
    audit.write_checkpoint()
    assert path.read_bytes().startswith(first)


def test_the_periodic_task_writes_a_checkpoint(chain):
    from sohoa.core.tasks import audit_checkpoint

    audit.record("login")
    audit_checkpoint.call_local()
    assert audit.read_checkpoints()[-1].seq == 7


# ---- signed export ----------------------------------------------------------------------------------


def _export(start: dt.date, end: dt.date) -> bytes:
    buffer = io.BytesIO()
    audit.export_period(start, end, buffer)
    return buffer.getvalue()


def test_an_export_holds_the_period_and_verifies(chain):
    today = timezone.localdate()
    data = _export(today, today)
    lines = [json.loads(line) for line in data.splitlines()]
    assert lines[0]["format"] == audit.EXPORT_FORMAT
    assert [row["seq"] for row in lines[1:-1]] == [1, 2, 3, 4, 5, 6]
    assert lines[-1]["algorithm"] == "Ed25519" and lines[-1]["events"] == 6
    check = audit.verify_export(data)
    assert check.ok, check.reason
    assert check.events == 6


def test_an_export_of_another_period_is_empty_but_signed(chain):
    data = _export(dt.date(2001, 1, 1), dt.date(2001, 12, 31))
    assert len(data.splitlines()) == 2
    assert audit.verify_export(data).ok


@pytest.mark.parametrize("offset", [0, 40, 200, -30])
def test_one_changed_byte_fails_verification(chain, offset):
    data = bytearray(_export(timezone.localdate(), timezone.localdate()))
    position = offset if offset >= 0 else len(data) + offset
    data[position] = data[position] ^ 0x01
    assert not audit.verify_export(bytes(data)).ok


def test_a_cut_export_or_a_removed_row_fails(chain):
    data = _export(timezone.localdate(), timezone.localdate())
    assert not audit.verify_export(data[:-10]).ok
    lines = data.splitlines(keepends=True)
    assert not audit.verify_export(b"".join(lines[:2] + lines[3:])).ok


def test_an_export_signed_by_another_instance_is_refused_when_a_signer_is_named(chain):
    data = _export(timezone.localdate(), timezone.localdate())
    assert not audit.verify_export(data, signer="ab" * 32).ok


def test_the_export_command_writes_and_verifies_a_file(chain, tmp_path):
    path = tmp_path / "audit.jsonl"
    today = timezone.localdate().isoformat()
    code, out, err = run("audit-export", "--from", today, "--to", today, "-o", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["events"] == 6
    code, out, _err = run("audit-export", "--verify", str(path), "--json")
    assert code == 0 and json.loads(out)["ok"]
    path.write_bytes(path.read_bytes().replace(b'"seq":2', b'"seq":9'))
    code, out, _err = run("audit-export", "--verify", str(path))
    assert code == 1


@pytest.fixture
def as_admin(client, province, make_user):  # type: ignore[no-untyped-def]
    client.force_login(make_user(province["root"], role=Role.ADMIN, username="quantri"))
    return client


def test_an_admin_downloads_a_signed_export(as_admin, chain):
    today = timezone.localdate().isoformat()
    response = as_admin.get(reverse("audit_export"), {"start": today, "end": today})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert audit.verify_export(response.content).ok
    assert AuditEvent.objects.filter(action="audit_export").count() == 1


def test_the_export_needs_a_valid_period(as_admin, chain):
    response = as_admin.get(reverse("audit_export"), {"start": "2026-02-01", "end": "2026-01-01"})
    assert response.status_code == 400


def test_a_clerk_cannot_export(client, province, make_user, chain):
    client.force_login(make_user(province["ubkt"], role=Role.CLERK))
    today = timezone.localdate().isoformat()
    assert client.get(reverse("audit_export"), {"start": today, "end": today}).status_code == 403
