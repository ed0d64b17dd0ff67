"""`sohoa registry-sync`: party organizations and members kept in step with the central database's exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from sohoa.core.models import AuditEvent, Role
from sohoa.registry.models import (
    MemberStatus,
    PartyMember,
    RegistryChange,
    RegistrySync,
    SyncSource,
    Unit,
    UnitKind,
)
from sohoa.registry.sync import read_sync_file, registry_sync
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ORG_HEADERS = ("Mã tổ chức đảng", "Tên tổ chức đảng", "Loại", "Mã cấp trên", "Ngày thành lập")
MEMBER_HEADERS = ("Mã đảng viên", "Họ và tên", "Ngày sinh", "Mã tổ chức đảng", "Chức vụ", "Trạng thái")

ORGS_1 = [
    ("H12.TU", "Đảng bộ tỉnh Cà Mau", "Đảng bộ", "H12", "01/01/1990"),
    ("H12.TU.CB01", "Chi bộ Văn phòng", "Chi bộ", "H12.TU", ""),
    ("H12.TU.CB02", "Chi bộ Ban Tổ chức", "Chi bộ", "H12.TU", ""),
    ("H12.TU.DB01", "Đảng bộ Khối cơ quan", "Đảng bộ", "H12.TU", ""),
    ("H12.TU.CB04", "Chi bộ Ban Tuyên giáo", "Chi bộ", "H12.TU", ""),
]
ORGS_2 = [
    ("H12.TU", "Đảng bộ tỉnh Cà Mau", "Đảng bộ", "H12", "01/01/1990"),
    ("H12.TU.CB01", "Chi bộ Văn phòng Tỉnh ủy", "Chi bộ", "H12.TU", ""),  # renamed
    ("H12.TU.CB02", "Chi bộ Ban Tổ chức", "Chi bộ", "H12.TU.DB01", ""),  # moved
    ("H12.TU.DB01", "Đảng bộ Khối cơ quan", "Đảng bộ", "H12.TU", ""),
    ("H12.TU.CB03", "Chi bộ Sở Nội vụ", "Chi bộ", "H12.TU.DB01", "01/07/2025"),  # new
    # H12.TU.CB04 removed
]
MEMBERS_1 = [
    ("79000001", "Nguyễn Văn An", "01/02/1970", "H12.TU.CB01", "Bí thư chi bộ", "Đang sinh hoạt"),
    ("79000002", "Trần Thị Bình", "15/08/1982", "H12.TU.CB02", "", "Đang sinh hoạt"),
    ("79000003", "Lê Văn Cường", "03/03/1955", "H12.TU.CB01", "", "Đang sinh hoạt"),
]
MEMBERS_2 = [
    ("79000001", "Nguyễn Văn An", "01/02/1970", "H12.TU.CB03", "Bí thư chi bộ", "Đang sinh hoạt"),  # moved
    ("79000002", "Trần Thị Bình", "15/08/1982", "H12.TU.CB02", "Phó bí thư", "Đang sinh hoạt"),  # position
    ("79000004", "Phạm Thị Dung", "20/10/1990", "H12.TU.CB03", "", "Đang sinh hoạt"),  # new
    # 79000003 removed
]


def write_csv(path, header, rows):  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path, *args: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    call_command("registry-sync", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(path, *args: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    out, _err = run(path, "--json", *args)
    lines = [json.loads(line) for line in out.strip().splitlines()]  # every stdout line is one JSON object
    assert lines and lines[-1]["type"] == "summary"
    return lines


def by_type(lines, kind):  # type: ignore[no-untyped-def]
    return {line["code"]: line for line in lines if line.get("type") == kind}


@pytest.fixture
def root(db):  # type: ignore[no-untyped-def]
    return UnitFactory(code="H12", name="Tỉnh Cà Mau", kind=UnitKind.OTHER)


@pytest.fixture
def synced(root, tmp_path):  # type: ignore[no-untyped-def]
    """The first exports, applied."""
    run_json(write_csv(tmp_path / "orgs1.csv", ORG_HEADERS, ORGS_1), "--kind", "organizations")
    run_json(write_csv(tmp_path / "members1.csv", MEMBER_HEADERS, MEMBERS_1), "--kind", "members")
    return root


def test_first_sync_creates_organizations_and_members(synced):
    cb01 = Unit.objects.get(code="H12.TU.CB01")
    assert (cb01.kind, cb01.parent.code) == (UnitKind.PARTY_CELL, "H12.TU")
    assert Unit.objects.get(code="H12.TU").valid_from == dt.date(1990, 1, 1)
    member = PartyMember.objects.get(code="79000001")
    assert (member.full_name, member.birth_date, member.organization, member.position, member.status) == (
        "Nguyễn Văn An",
        dt.date(1970, 2, 1),
        cb01,
        "Bí thư chi bộ",
        MemberStatus.ACTIVE,
    )
    assert RegistryChange.objects.filter(action="create").count() == 5 + 3


def test_resync_shows_the_diff_applies_it_and_keeps_the_history(synced, tmp_path):
    path = write_csv(tmp_path / "orgs2.csv", ORG_HEADERS, ORGS_2)
    lines = run_json(path, "--kind", "organizations")
    changed, new, missing = by_type(lines, "changed"), by_type(lines, "new"), by_type(lines, "missing")
    assert changed["H12.TU.CB01"]["changes"] == {"name": ["Chi bộ Văn phòng", "Chi bộ Văn phòng Tỉnh ủy"]}
    assert changed["H12.TU.CB02"]["changes"] == {"parent": ["H12.TU", "H12.TU.DB01"]}
    assert set(changed) == {"H12.TU.CB01", "H12.TU.CB02"}
    assert new["H12.TU.CB03"]["changes"]["parent"] == [None, "H12.TU.DB01"]
    assert set(missing) == {"H12.TU.CB04"}  # reported only: no --end-missing
    summary = lines[-1]
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["ended"]) == (1, 2, 2, 0)

    cb02 = Unit.objects.get(code="H12.TU.CB02")
    assert cb02.parent.code == "H12.TU.DB01" and cb02.path.startswith(Unit.objects.get(code="H12.TU.DB01").path)
    assert Unit.objects.get(code="H12.TU.CB01").name == "Chi bộ Văn phòng Tỉnh ủy"
    assert Unit.objects.get(code="H12.TU.CB04").valid_to is None

    members = run_json(write_csv(tmp_path / "m2.csv", MEMBER_HEADERS, MEMBERS_2), "--kind", "members", "--end-missing")
    assert by_type(members, "changed")["79000001"]["changes"] == {"organization": ["H12.TU.CB01", "H12.TU.CB03"]}
    assert by_type(members, "changed")["79000002"]["changes"] == {"position": [None, "Phó bí thư"]}
    assert set(by_type(members, "new")) == {"79000004"}
    assert set(by_type(members, "missing")) == {"79000003"}
    assert members[-1]["ended"] == 1
    assert PartyMember.objects.get(code="79000001").organization.code == "H12.TU.CB03"
    assert PartyMember.objects.get(code="79000003").valid_to == timezone.localdate()

    # The history: who, when, which file (and its SHA-256), old → new per field.
    history = list(RegistryChange.objects.filter(kind="members", code="79000001").select_related("sync"))
    assert [c.action for c in history] == ["update", "create"]
    latest = history[0]
    assert latest.changes == {"organization": ["H12.TU.CB01", "H12.TU.CB03"]}
    assert latest.sync.file_name == "m2.csv"
    assert latest.sync.sha256 == read_sync_file(tmp_path / "m2.csv").sha256
    assert latest.sync.applied_at is not None and latest.row == 2
    ended = RegistryChange.objects.get(code="79000003", action="end")
    assert ended.changes == {"valid_to": [None, timezone.localdate().isoformat()]}
    assert AuditEvent.objects.filter(action="registry_sync", object_id=str(latest.sync_id)).exists()

    again = run_json(path, "--kind", "organizations")  # the same file again: nothing left to do
    assert (again[-1]["new"], again[-1]["changed"], again[-1]["unchanged"]) == (0, 0, 5)


def test_malformed_rows_are_reported_by_row_number_and_the_rest_is_applied(root, tmp_path, english):
    rows = [
        ("H12.TU", "Đảng bộ tỉnh", "Đảng bộ", "H12", ""),  # 2 good
        ("H12 TU!", "Mã sai", "Chi bộ", "H12.TU", ""),  # 3 bad code
        ("H12.TU.CB09", "Chi bộ mồ côi", "Chi bộ", "H12.XYZ", ""),  # 4 unknown parent
        ("H12.TU.CB05", "Chi bộ A", "Chi bộ", "H12.TU", ""),  # 5 duplicate …
        ("H12.TU.CB05", "Chi bộ B", "Chi bộ", "H12.TU", ""),  # 6 … of row 5
        ("H12.TU.CB06", "Chi bộ ngày sai", "Chi bộ", "H12.TU", "31/02/2020"),  # 7 bad date
        ("H12.TU.CB07", "", "Chi bộ", "H12.TU", ""),  # 8 no name
        ("H12.TU.CB08", "Chi bộ tốt", "Chi bộ", "H12.TU", "2020-05-01"),  # 9 good
    ]
    out, err = run(write_csv(tmp_path / "bad.csv", ORG_HEADERS, rows), "--kind", "organizations")
    assert "created: 2, updated: 0, unchanged: 0, rejected: 6" in out
    assert "The valid rows were applied" in out
    for number, words in {
        3: "not a valid code",
        4: "unknown unit “H12.XYZ”",
        5: "several rows (5, 6)",
        6: "several rows (5, 6)",
        7: "“31/02/2020” is not a date",
        8: "is empty",
    }.items():
        assert f"row {number} rejected:" in err and words in err.split(f"row {number} rejected:")[1].splitlines()[0]
    assert set(Unit.objects.filter(kind__in=["party_cell", "party_committee"]).values_list("code", flat=True)) == {
        "H12.TU",
        "H12.TU.CB08",
    }


def test_conflicts_are_reported_and_left_out(synced, tmp_path, english):
    UnitFactory(code="H12.UBND", name="Ủy ban nhân dân tỉnh", kind=UnitKind.PEOPLES_COMMITTEE, parent=synced)
    rows = [
        ("H12.TU", "Đảng bộ tỉnh Cà Mau", "Đảng bộ", "H12.TU.CB01", ""),  # under its own child: a cycle
        ("H12.UBND", "Đảng ủy UBND", "Đảng bộ", "H12", ""),  # the code is a State body here
        ("H12.TU.CB02", "Chi bộ Ban Tổ chức (mới)", "Chi bộ", "H12.TU", ""),
    ]
    lines = run_json(write_csv(tmp_path / "c.csv", ORG_HEADERS, rows), "--kind", "organizations")
    conflicts = by_type(lines, "conflict")
    assert "cycle" in conflicts["H12.TU"]["reason"] and conflicts["H12.TU"]["row"] == 2
    assert "not a party organization" in conflicts["H12.UBND"]["reason"]
    assert {r["row"] for r in lines[-1]["rejected"]} == {2, 3}
    assert Unit.objects.get(code="H12.TU").parent.code == "H12"
    assert Unit.objects.get(code="H12.UBND").kind == UnitKind.PEOPLES_COMMITTEE
    assert Unit.objects.get(code="H12.TU.CB02").name == "Chi bộ Ban Tổ chức (mới)"


def test_member_rows_with_unknown_organization_or_bad_date_are_rejected(synced, tmp_path, english):
    rows = [
        ("79000010", "Võ Văn Em", "1990-13-01", "H12.TU.CB01", "", ""),
        ("79000011", "Đỗ Thị Gấm", "", "H12.TU.NOPE", "", ""),
        ("79000012", "Hồ Văn Hải", "", "H12.TU.CB01", "", "từ trần"),
    ]
    lines = run_json(write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows), "--kind", "members")
    reasons = {r["row"]: r["reason"] for r in lines[-1]["rejected"]}
    assert "is not a date" in reasons[2] and "unknown party organization" in reasons[3]
    assert PartyMember.objects.get(code="79000012").status == MemberStatus.DECEASED


def test_dry_run_changes_nothing(synced, tmp_path, english):
    before = (
        list(Unit.objects.values_list("code", "name", "parent_id", "valid_to")),
        list(PartyMember.objects.values_list("code", "organization_id", "position", "valid_to")),
        RegistrySync.objects.count(),
        RegistryChange.objects.count(),
    )
    orgs = run_json(write_csv(tmp_path / "o.csv", ORG_HEADERS, ORGS_2), "--kind", "organizations", "--dry-run")
    assert orgs[-1]["dry_run"] and orgs[-1]["changed"] == 2 and orgs[-1]["created"] == 0
    members = write_csv(tmp_path / "m.csv", MEMBER_HEADERS, MEMBERS_2)
    out, _err = run(members, "--kind", "members", "--dry-run", "--end-missing")
    assert "Dry run: nothing was applied." in out and "missing from the export: 79000003" in out
    after = (
        list(Unit.objects.values_list("code", "name", "parent_id", "valid_to")),
        list(PartyMember.objects.values_list("code", "organization_id", "position", "valid_to")),
        RegistrySync.objects.count(),
        RegistryChange.objects.count(),
    )
    assert after == before


def test_saved_source_maps_odd_headers_and_date_format(synced, tmp_path):
    out = io.StringIO()
    call_command(
        "registry-sync-source",
        "Bạc Liêu",
        "--kind",
        "members",
        "--map",
        "code=MaDV",
        "--map",
        "full_name=Ho va ten dang vien",
        "--map",
        "birth_date=NgSinh",
        "--map",
        "organization=MaChiBo",
        "--date-format",
        "%Y%m%d",
        "--json",
        stdout=out,
    )
    saved = json.loads(out.getvalue())
    assert saved["mapping"]["code"] == "MaDV" and SyncSource.objects.get(name="Bạc Liêu").date_format == "%Y%m%d"
    path = write_csv(
        tmp_path / "bl.csv",
        ("MaDV", "Ho va ten dang vien", "NgSinh", "MaChiBo", "Ghi chu"),
        [("94000001", "Ngô Thị Hoa", "19851224", "H12.TU.CB02", "x")],
    )
    lines = run_json(path, "--kind", "members", "--source", "Bạc Liêu")
    assert lines[-1]["created"] == 1 and lines[-1]["unknown_columns"] == ["ghi chu"]
    member = PartyMember.objects.get(code="94000001")
    assert (member.full_name, member.birth_date) == ("Ngô Thị Hoa", dt.date(1985, 12, 24))
    assert RegistrySync.objects.latest("pk").source_name == "Bạc Liêu"

    with pytest.raises(CommandError):  # without the mapping the headers mean nothing
        run(path, "--kind", "members")
    with pytest.raises(CommandError):
        call_command("registry-sync-source", "X", "--kind", "members", "--map", "nonsense=Y", stdout=io.StringIO())


def test_xlsx_exports_with_real_date_cells(root, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent_code", "valid_from"])
    sheet.append(["H12.TU", "Đảng bộ tỉnh", "party_committee", "H12", dt.datetime(2020, 1, 2)])
    sheet.append(["H12.TU.CB01", "Chi bộ 1", "party_cell", "H12.TU", None])
    book.save(tmp_path / "orgs.xlsx")
    lines = run_json(tmp_path / "orgs.xlsx", "--kind", "organizations")
    assert lines[-1]["created"] == 2
    assert Unit.objects.get(code="H12.TU").valid_from == dt.date(2020, 1, 2)


def test_service_dry_run_returns_the_diff_without_a_run(synced, tmp_path):
    file = read_sync_file(write_csv(tmp_path / "o.csv", ORG_HEADERS, ORGS_2))
    result = registry_sync(actor=None, kind="organizations", file=file, dry_run=True)
    assert result.run is None and [i["code"] for i in result.diff["new"]] == ["H12.TU.CB03"]


# ---- web -----------------------------------------------------------------------------------------


def test_office_uploads_reviews_and_confirms_an_export(client, synced, tmp_path, english):
    office = UserFactory(units=[synced], role=Role.PROVINCIAL_OFFICE)
    client.force_login(office)
    path = write_csv(tmp_path / "orgs2.csv", ORG_HEADERS, ORGS_2)
    with path.open("rb") as fh:
        response = client.post(reverse("registry_sync_new"), {"file": fh, "kind": "organizations"})
    assert response.status_code == 302
    run = RegistrySync.objects.latest("pk")
    assert run.status == RegistrySync.Status.PREVIEW and run.actor == office
    page = client.get(reverse("registry_sync_detail", args=[run.pk])).content.decode()
    assert "Chi bộ Văn phòng Tỉnh ủy" in page and "H12.TU.CB04" in page  # changed and missing
    assert Unit.objects.get(code="H12.TU.CB01").name == "Chi bộ Văn phòng"  # not applied yet

    stale = client.post(reverse("registry_sync_apply", args=[run.pk]), {"digest": "0" * 64}, follow=True)
    assert "changed since this preview" in stale.content.decode()
    assert Unit.objects.get(code="H12.TU.CB01").name == "Chi bộ Văn phòng"

    run.refresh_from_db()
    client.post(reverse("registry_sync_apply", args=[run.pk]), {"digest": run.diff_digest})
    run.refresh_from_db()
    assert run.status == RegistrySync.Status.APPLIED and run.rows is None
    cb01 = Unit.objects.get(code="H12.TU.CB01")
    assert cb01.name == "Chi bộ Văn phòng Tỉnh ủy"
    history = client.get(reverse("unit_history", args=[cb01.pk])).content.decode()
    assert "orgs2.csv" in history and office.username in history and "Chi bộ Văn phòng Tỉnh ủy" in history
    assert "orgs2.csv" in client.get(reverse("registry_sync_list")).content.decode()
    member = PartyMember.objects.get(code="79000001")
    assert "Nguyễn Văn An" in client.get(reverse("member_history", args=[member.pk])).content.decode()


def test_office_saves_a_column_mapping_on_its_page(client, synced):
    client.force_login(UserFactory(units=[synced], role=Role.PROVINCIAL_OFFICE))
    response = client.post(
        reverse("registry_sync_sources"),
        {"name": "Cà Mau", "kind": "members", "mapping": "code = MaDV\nfull_name = Họ tên", "date_format": ""},
    )
    assert response.status_code == 302
    assert SyncSource.objects.get(name="Cà Mau").mapping == {"code": "MaDV", "full_name": "Họ tên"}


def test_clerks_may_not_sync_or_see_syncs(client, synced, tmp_path):
    registry_sync(
        actor=None,
        kind="organizations",
        file=read_sync_file(write_csv(tmp_path / "BIMAT.csv", ORG_HEADERS, ORGS_2)),
    )
    clerk = UserFactory(units=[synced], role=Role.CLERK)
    client.force_login(clerk)
    run = RegistrySync.objects.latest("pk")
    assert client.get(reverse("registry_sync_new")).status_code == 403
    assert client.get(reverse("registry_sync_detail", args=[run.pk])).status_code == 404
    assert "BIMAT" not in client.get(reverse("registry_sync_list")).content.decode()
    cb01 = Unit.objects.get(code="H12.TU.CB01")
    assert "BIMAT" not in client.get(reverse("unit_history", args=[cb01.pk])).content.decode()
