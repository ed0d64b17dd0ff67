"""Progress benchmark (issue 4, "Performance"): the province dashboard and the province progress report in
JSON over 1,000,000 register rows across 500 units must answer in ≤ 300 ms p95 on 2 cores.

Run from the repository root (SQLite in a temporary data dir; nothing of yours is touched):

    .venv/bin/python benchmarks/progress_bench.py                      # 1,000,000 rows, 500 units
    .venv/bin/python benchmarks/progress_bench.py --rows 100000 --units 100 --repeat 20

What it does: `migrate`; 500 units in a three-level tree under one province (through the registry
service, so paths are right); then the rows by plain multi-row INSERTs with the counter triggers
dropped (a generator, not the import path: `register_import.py` measures that), a share of them linked
to documents that have a digital copy; triggers re-installed and `progress-rebuild` timed. Then, as a
provincial-office user through Django's test client (URL routing, session, middleware, policy, template,
audit row for the download): GET /reports/dashboard/ and GET /reports/progress.json for the province,
`--repeat` times each after one warm-up, and once the old live GROUP BY over the rows for comparison.
Prints one JSON object per measurement on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEARS = range(2020, 2026)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup_django(data_dir: str) -> None:
    os.environ["SOHOA_DATA_DIR"] = data_dir
    os.environ["SOHOA_KEY_FILE"] = str(Path(data_dir).parent / "bench.key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sohoa.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def make_units(n: int) -> list[int]:
    """A province, ~sqrt(n) departments/districts under it, the rest spread under those: ids of all."""
    from sohoa.registry.models import Unit, UnitKind
    from sohoa.registry.services import unit_save

    root = unit_save(actor=None, unit=Unit(code="H12", name="Tỉnh Cà Mau", kind=UnitKind.OFFICE))
    middle_count = max(1, int((n - 1) ** 0.5))
    middle = [
        unit_save(actor=None, unit=Unit(code=f"H12.{i:03d}", name=f"Cơ quan cấp tỉnh {i}", parent=root))
        for i in range(middle_count)
    ]
    ids = [root.pk] + [u.pk for u in middle]
    for i in range(n - 1 - middle_count):
        parent = middle[i % middle_count]
        ids.append(
            unit_save(actor=None, unit=Unit(code=f"{parent.code}.{i:04d}", name=f"Đơn vị {i}", parent=parent)).pk
        )
    return ids


def insert_rows(model, given: list[str], rows: list[tuple[object, ...]], cursor) -> None:  # type: ignore[no-untyped-def]
    """Multi-row INSERTs of 100 rows; columns not `given` get the model field's default, prepared once (so
    fields other helpers add to these tables later do not break the generator)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fields)
    columns = [model._meta.get_field(name).column for name in given] + [f.column for f in fields]
    step = 100
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        marks = ",".join(["(" + ",".join(["%s"] * len(columns)) + ")"] * len(chunk))
        flat = [v for row in chunk for v in (*row, *defaults)]
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({','.join(columns)}) VALUES {marks}", flat)


def generate(rows: int, unit_ids: list[int], digitized_share: float, seed: int = 4) -> None:
    """Register rows (70 % incoming) spread over the units and 2020–2025; a share linked to digitized
    documents. Counter triggers are dropped meanwhile and the counters rebuilt after (timed)."""
    from django.db import connection, transaction

    from sohoa.archive.models import Document, RegisterEntry
    from sohoa.digitization.models import DigitalCopy
    from sohoa.reports import counters

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).isoformat()
    with connection.schema_editor() as editor:
        counters.drop_triggers(editor)
    next_number: dict[tuple[int, str, int], int] = {}
    doc_id = 0
    batch = 50_000
    started = time.monotonic()
    for start in range(0, rows, batch):
        documents, copies, entries = [], [], []
        for i in range(start, min(rows, start + batch)):
            unit = unit_ids[rng.randrange(len(unit_ids))]
            direction = "incoming" if rng.random() < 0.7 else "outgoing"
            year = YEARS[rng.randrange(len(YEARS))]
            key = (unit, direction, year)
            number = next_number[key] = next_number.get(key, 0) + 1
            notation = f"{number}-CV/TU"
            document = None
            if rng.random() < digitized_share:
                doc_id += 1
                document = doc_id
                documents.append((doc_id, notation, notation.lower(), f"Công văn {i}", unit, unit, now, now))
                copies.append((doc_id, f"scan{doc_id}.pdf", f"originals/{doc_id}", "0" * 64, 1, "application/pdf"))
            entries.append(
                (unit, direction, year, number, notation, notation.lower(), f"{year}-03-0{number % 9 + 1}",
                 f"Công văn về việc {i}", document, now)
            )  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            insert_rows(
                Document,
                ["id", "notation", "notation_key", "subject", "unit_id", "creator_unit_id", "created_at", "updated_at"]
                + ["doc_type", "confidence"],
                [d + ("CV", "digitized") for d in documents],
                cursor,
            )
            insert_rows(
                DigitalCopy,
                ["document_id", "original_name", "original_path", "original_sha256", "original_size", "original_mime"]
                + ["archival_path", "archival_sha256", "archival_size", "page_count", "created_at"],
                [c + (f"archival/{c[0]}.pdf", "0" * 64, 1, 1, now) for c in copies],
                cursor,
            )
            insert_rows(
                RegisterEntry,
                ["unit_id", "direction", "year", "entry_number", "notation", "notation_key", "doc_date", "subject"]
                + ["document_id", "created_at", "author", "doc_type"],
                [e + ("Tỉnh ủy", "CV") for e in entries],
                cursor,
            )
        done = min(rows, start + batch)
        log(f"rows {done:,}/{rows:,} ({done / (time.monotonic() - started):,.0f}/s)")
    with connection.schema_editor() as editor:
        counters.install_triggers(editor)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rebuild_started = time.monotonic()
    groups = counters.rebuild()
    emit({"measure": "progress-rebuild", "groups": groups, "seconds": round(time.monotonic() - rebuild_started, 2)})
    emit(
        {
            "measure": "generate",
            "rows": rows,
            "digitized_documents": doc_id,
            "seconds": round(time.monotonic() - started, 1),
        }
    )


def emit(result: dict[str, object]) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)


def timed(label: str, repeat: int, call) -> None:  # type: ignore[no-untyped-def]
    call()  # warm-up: imports, template compilation, page cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    emit(
        {
            "measure": label,
            "n": repeat,
            "median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
        }
    )


def live_group_by(root) -> int:  # type: ignore[no-untyped-def]
    """The query the report ran before the counters: GROUP BY over the rows of the province."""
    from django.db.models import Count, Q

    from sohoa.archive.models import RegisterEntry
    from sohoa.digitization.models import DigitalCopy
    from sohoa.registry.models import Unit

    units = Unit.objects.filter(path__startswith=root.path)
    groups = (
        RegisterEntry.objects.filter(unit__in=units.values("pk"), year__gte=2020, year__lte=2025)
        .values("unit_id", "direction", "year")
        .annotate(
            total=Count("id"),
            digitized=Count("id", filter=Q(document_id__in=DigitalCopy.objects.values("document_id"))),
        )
        .order_by()
    )
    return len(list(groups))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--digitized", type=float, default=0.6, help="share of rows with a digitized document")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        setup_django(str(Path(work) / "data"))
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from sohoa.core.models import Role, User
        from sohoa.registry.models import Unit

        emit({"measure": "machine", "cpus": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()]})
        call_command("migrate", verbosity=0)
        log("units…")
        unit_ids = make_units(args.units)
        generate(args.rows, unit_ids, args.digitized)
        root = Unit.objects.get(code="H12")
        office = User.objects.create_user("office", password="x", role=Role.PROVINCIAL_OFFICE)  # noqa: S106
        office.units.set([root])
        client = Client()
        client.force_login(office)
        query = {"unit": root.pk, "from": 2020, "to": 2025}

        def dashboard() -> None:
            response = client.get(reverse("report_dashboard"), query)
            assert response.status_code == 200, response.status_code

        def report_json() -> None:
            response = client.get(reverse("report_progress_download", args=["json"]), query)
            assert response.status_code == 200, response.status_code
            assert json.loads(response.content)["totals"]["total"] == args.rows

        log("measuring…")
        timed("dashboard page (province, HTML + 2 SVG charts)", args.repeat, dashboard)
        timed("progress report JSON download (province, audited)", args.repeat, report_json)
        timed(
            "old live GROUP BY over the rows (before counters)", max(3, args.repeat // 6), lambda: live_group_by(root)
        )


if __name__ == "__main__":
    main()
