"""Demo data: a province after the 2025 merger, users of every role, a few records and registers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from sohoa.archive.models import Direction, Document, Fonds, Record, RegisterEntry, StorageLocation
from sohoa.archive.notation import split as split_notation
from sohoa.core.models import Level, Role, User
from sohoa.core.services import user_create
from sohoa.registry.models import Unit, UnitKind
from sohoa.registry.services import succession_set, unit_save

DEMO_PASSWORD = "sohoa-demo-2025"

# code, name, short name, kind, parent, valid_from, valid_to
UNITS = [
    ("H12", "Tỉnh Cà Mau", "CM", UnitKind.OTHER, None, None, None),
    ("H12.TU", "Tỉnh ủy Cà Mau", "TU", UnitKind.PARTY_COMMITTEE, "H12", None, None),
    ("H12.VPTU", "Văn phòng Tỉnh ủy", "VPTU", UnitKind.OFFICE, "H12.TU", None, None),
    ("H12.UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", "UBKTTU", UnitKind.INSPECTION_COMMITTEE, "H12.TU", None, None),
    ("H12.BTCTU", "Ban Tổ chức Tỉnh ủy", "BTCTU", UnitKind.DEPARTMENT, "H12.TU", None, None),
    ("H12.UBND", "Ủy ban nhân dân tỉnh Cà Mau", "UBND", UnitKind.PEOPLES_COMMITTEE, "H12", None, None),
    ("H12.SNV", "Sở Nội vụ tỉnh Cà Mau", "SNV", UnitKind.DEPARTMENT, "H12.UBND", None, None),
    ("H12.HDND", "Hội đồng nhân dân tỉnh Cà Mau", "HĐND", UnitKind.PEOPLES_COUNCIL, "H12", None, None),
    ("H12.X.TANTHANH", "Xã Tân Thành", "TT", UnitKind.COMMUNE, "H12", dt.date(2025, 7, 1), None),
    ("BL", "Tỉnh Bạc Liêu (trước hợp nhất)", "BL", UnitKind.OTHER, None, None, dt.date(2025, 6, 30)),
    ("BL.TU", "Tỉnh ủy Bạc Liêu (trước hợp nhất)", "TU", UnitKind.PARTY_COMMITTEE, "BL", None, dt.date(2025, 6, 30)),
]

# username, full name, role, clearance, unit
USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, "tuyet_mat", "H12"),
    ("vanthu", "Nguyễn Thị Lan", Role.CLERK, "mat", "H12.UBKTTU"),
    ("luutru", "Trần Văn Minh", Role.ARCHIVIST, "toi_mat", "H12.VPTU"),
    ("sohoa", "Lê Hoàng Nam", Role.OPERATOR, "none", "H12.UBKTTU"),
    ("kiemtra", "Phạm Quốc Huy", Role.INSPECTOR, "mat", "H12.UBKTTU"),
    ("lanhdao", "Võ Thanh Tùng", Role.UNIT_LEADER, "toi_mat", "H12.UBKTTU"),
    ("vanphong", "Đặng Thu Hà", Role.PROVINCIAL_OFFICE, "mat", "H12.VPTU"),
    ("thuongvu", "Huỳnh Văn Bình", Role.STANDING_COMMITTEE, "tuyet_mat", "H12.TU"),
]


def is_loaded() -> bool:
    return Unit.objects.exists()


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Create the demo province; returns (username, role label, password) for the printout."""
    units: dict[str, Unit] = {}
    for code, name, short, kind, parent, since, until in UNITS:
        units[code] = unit_save(
            actor=None,
            unit=Unit(
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                parent=units.get(parent or ""),
                valid_from=since,
                valid_to=until,
            ),
        )
    succession_set(
        actor=None,
        predecessor=units["BL"],
        successors=[units["H12"]],
        effective_date=dt.date(2025, 7, 1),
        decision="Nghị quyết 202/2025/QH15",
    )
    succession_set(
        actor=None,
        predecessor=units["BL.TU"],
        successors=[units["H12.TU"]],
        effective_date=dt.date(2025, 7, 1),
        decision="Quyết định của Bộ Chính trị",
    )
    logins = []
    for username, full_name, role, clearance, unit in USERS:
        user_create(
            actor=None,
            username=username,
            units=[units[unit]],
            role=role,
            clearance=clearance,
            password=DEMO_PASSWORD,
            full_name=full_name,
            validate=False,
        )
        if role == Role.ADMIN:
            User.objects.filter(username=username).update(is_superuser=True, is_staff=True)
        logins.append((username, str(Role(role).label), clearance))
    _archive(units)
    return logins


def _archive(units: dict[str, Unit]) -> None:
    ubkt = units["H12.UBKTTU"]
    shelf = StorageLocation.objects.create(unit=ubkt, storage="Kho lưu trữ tầng 1", shelf="Giá 03", box="Hộp 12")
    fonds = Fonds.objects.create(
        code="P12", name="Phông Ủy ban Kiểm tra Tỉnh ủy Cà Mau", creator_unit=ubkt, unit=ubkt, start_year=2015
    )
    old_fonds = Fonds.objects.create(
        code="P-BL-TU",
        name="Phông Tỉnh ủy Bạc Liêu",
        creator_unit=units["BL.TU"],
        unit=units["H12.VPTU"],
        start_year=1997,
        end_year=2025,
    )
    r1 = Record.objects.create(
        code="H12.2024.01-KT",
        fonds=fonds,
        number="01-KT",
        title="Hồ sơ kiểm tra dấu hiệu vi phạm năm 2024",
        year=2024,
        creator_unit=ubkt,
        unit=ubkt,
        location=shelf,
    )
    r2 = Record.objects.create(
        code="H12.2023.05-GS",
        fonds=fonds,
        number="05-GS",
        title="Hồ sơ giám sát chuyên đề năm 2023",
        year=2023,
        creator_unit=ubkt,
        unit=ubkt,
        location=shelf,
        confidentiality=Level.MAT,
    )
    Record.objects.create(
        code="BL.2019.12-VP",
        fonds=old_fonds,
        number="12-VP",
        title="Hồ sơ nghị quyết Tỉnh ủy Bạc Liêu năm 2019",
        year=2019,
        creator_unit=units["BL.TU"],
        unit=units["H12.VPTU"],
    )
    docs = [
        (
            r1,
            1,
            "64-CV/UBKTTU",
            "CV",
            dt.date(2024, 3, 5),
            "Ủy ban Kiểm tra Tỉnh ủy Cà Mau",
            "V/v báo cáo tiến độ số hóa tài liệu lưu trữ",
            Level.NONE,
        ),
        (
            r1,
            2,
            "12-QĐ/UBKTTU",
            "QĐ",
            dt.date(2024, 4, 12),
            "Ủy ban Kiểm tra Tỉnh ủy Cà Mau",
            "Quyết định kiểm tra khi có dấu hiệu vi phạm",
            Level.NONE,
        ),
        (
            r1,
            3,
            "15-KL/UBKTTU",
            "KL",
            dt.date(2024, 6, 20),
            "Ủy ban Kiểm tra Tỉnh ủy Cà Mau",
            "Kết luận kiểm tra đối với tổ chức đảng cấp dưới",
            Level.MAT,
        ),
        (
            r2,
            1,
            "08-KH/UBKTTU",
            "KH",
            dt.date(2023, 2, 1),
            "Ủy ban Kiểm tra Tỉnh ủy Cà Mau",
            "Kế hoạch giám sát chuyên đề năm 2023",
            Level.MAT,
        ),
        (
            None,
            None,
            "15/QĐ-UBND",
            "QĐ",
            dt.date(2020, 1, 5),
            "Ủy ban nhân dân tỉnh Cà Mau",
            "Quyết định ban hành quy chế công tác văn thư, lưu trữ",
            Level.NONE,
        ),
    ]
    for record, order, notation, doc_type, date, issuer, subject, level in docs:
        number, symbol = split_notation(notation)
        Document.objects.create(
            record=record,
            order_in_record=order,
            identifier=f"{record.code}.{order}" if record else None,
            notation=notation,
            number=number,
            symbol=symbol,
            doc_type=doc_type,
            issued_date=date,
            issuer=issuer,
            subject=subject,
            confidentiality=level,
            creator_unit=ubkt,
            unit=ubkt,
            page_count=2,
        )
    for n, (notation, author, subject, day) in enumerate(
        [
            (
                "125/UBND-VP",
                "Ủy ban nhân dân tỉnh Cà Mau",
                "V/v triển khai số hóa tài liệu lưu trữ",
                dt.date(2025, 3, 3),
            ),
            ("45-CV/VPTU", "Văn phòng Tỉnh ủy", "V/v sắp xếp hồ sơ, tài liệu khi hợp nhất", dt.date(2025, 4, 10)),
            ("210-CV/BTCTU", "Ban Tổ chức Tỉnh ủy", "V/v rà soát mã tổ chức đảng, mã đảng viên", dt.date(2025, 5, 2)),
        ],
        start=1,
    ):
        RegisterEntry.objects.create(
            unit=ubkt,
            direction=Direction.INCOMING,
            year=2025,
            entry_number=n,
            arrival_date=day,
            author=author,
            notation=notation,
            doc_date=day,
            doc_type="CV",
            subject=subject,
            receiver="Văn thư UBKT",
        )
    RegisterEntry.objects.create(
        unit=ubkt,
        direction=Direction.OUTGOING,
        year=2025,
        entry_number=1,
        notation="70-BC/UBKTTU",
        doc_date=dt.date(2025, 4, 15),
        doc_type="BC",
        subject="Báo cáo tiến độ số hóa quý I/2025",
        signer="Võ Thanh Tùng",
        recipients="Văn phòng Tỉnh ủy",
        copy_keeper="Văn thư UBKT",
        copies=3,
    )
