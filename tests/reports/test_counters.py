"""The maintained progress counters equal the live count after every kind of write, and can be rebuilt."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoa.archive import services as archive_services
from sohoa.archive.models import RegisterEntry
from sohoa.digitization.models import DigitalCopy
from sohoa.reports import counters, selectors
from sohoa.reports.models import ProgressCounter
from tests.factories import DocumentFactory, RegisterEntryFactory
from tests.reports.conftest import add_copy

pytestmark = pytest.mark.django_db


def cell(unit, series: str, year: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    row = ProgressCounter.objects.filter(unit=unit, series=series, year=year).first()
    return (row.total, row.digitized) if row else (0, 0)


def test_counters_follow_imports_forms_links_copies_and_deletions(province, digitized):
    ubkt, ubnd = province["ubkt"], province["ubnd"]
    header = ["số đến", "ngày đến", "số, ký hiệu", "ngày tháng văn bản", "trích yếu"]
    rows = [
        (n + 2, {"số đến": str(n + 1), "ngày đến": f"0{n % 9 + 1}/03/2024", "số, ký hiệu": f"{n + 1}-CV/TU",
                 "ngày tháng văn bản": "01/03/2024", "trích yếu": f"Văn bản {n}"})
        for n in range(30)
    ]  # fmt: skip
    report = archive_services.register_import(
        actor=None, unit=ubkt, direction="incoming", header=header, rows=rows, chunk_size=7
    )
    assert report.created == 30 and cell(ubkt, "incoming", 2024) == (30, 0)
    entries = list(RegisterEntry.objects.filter(unit=ubkt).order_by("entry_number"))
    for entry in entries[:10]:
        digitized(entry)  # document + copy, then link (an UPDATE of document_id)
    assert cell(ubkt, "incoming", 2024) == (30, 10)

    # A link made before the copy exists counts once the copy arrives (the pipeline's last step).
    paper = DocumentFactory(unit=ubkt)
    archive_services.register_link(actor=None, entry=entries[10], document=paper)
    assert cell(ubkt, "incoming", 2024) == (30, 10)
    copy = add_copy(paper)
    assert cell(ubkt, "incoming", 2024) == (30, 11)

    # A row moved to another year through the form service moves its counts.
    moved = entries[0]
    moved.year = 2023
    archive_services.register_entry_save(actor=None, entry=moved)
    assert cell(ubkt, "incoming", 2024) == (29, 10) and cell(ubkt, "incoming", 2023) == (1, 1)

    # Unlinking, deleting a copy, deleting a document (cascade + SET NULL), deleting a row.
    archive_services.register_unlink(actor=None, entry=entries[1])
    copy.delete()
    entries[2].document.delete()  # type: ignore[union-attr]
    entries[3].delete()
    assert cell(ubkt, "incoming", 2024) == (28, 6)

    RegisterEntryFactory(unit=ubnd, year=2024, direction="outgoing")
    RegisterEntry.objects.filter(pk=entries[4].pk).update(unit=ubnd)  # a bulk update, no save()
    assert cell(ubnd, "outgoing", 2024) == (1, 0) and cell(ubnd, "incoming", 2024) == (1, 1)
    assert counters.differences() == []


def test_rebuild_repairs_counters_and_check_reports_differences(province, digitized):
    for n in range(5):
        entry = RegisterEntryFactory(unit=province["ubkt"], year=2022, entry_number=n + 1)
        if n < 2:
            digitized(entry)
    ProgressCounter.objects.filter(unit=province["ubkt"]).update(total=99)  # damage
    assert counters.differences()[0]["live"] == (5, 2)
    with pytest.raises(CommandError):
        call_command("progress-rebuild", "--check", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("progress-rebuild", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["groups"] == 1
    assert counters.differences() == []
    out = io.StringIO()
    call_command("progress-rebuild", "--check", "--json", stdout=out)
    assert json.loads(out.getvalue())["differences"] == 0
    assert selectors.progress(None, unit=province["root"], year_from=2022, year_to=2022).totals.digitized == 2


def test_an_emptied_group_gives_way_to_the_inventory_count(province):
    from sohoa.reports.models import InventoryCount

    ubkt = province["ubkt"]
    entry = RegisterEntryFactory(unit=ubkt, year=2021)
    InventoryCount.objects.create(unit=ubkt, series="incoming", year=2021, documents=40, digitized=4)
    assert selectors.progress(None, unit=ubkt, year_from=2021, year_to=2021).totals.total == 1
    entry.delete()
    assert cell(ubkt, "incoming", 2021) == (0, 0)
    assert selectors.progress(None, unit=ubkt, year_from=2021, year_to=2021).totals.total == 40
    assert not DigitalCopy.objects.exists()


def test_migrate_puts_back_triggers_a_table_rebuild_dropped_and_recounts(province):
    from django.db import connection

    from sohoa.reports.apps import _keep_counter_triggers

    ubkt = province["ubkt"]
    RegisterEntryFactory(unit=ubkt, year=2022)
    # What Django's SQLite table rebuild (AlterField on a counted table) does to the triggers:
    with connection.cursor() as cursor:
        for sql in counters._statements(connection.vendor, install=False):
            cursor.execute(sql)
    assert not counters.triggers_present()
    RegisterEntryFactory(unit=ubkt, year=2022)  # not counted: no trigger
    assert cell(ubkt, "incoming", 2022) == (1, 0)
    _keep_counter_triggers(sender=None, using="default")  # what every `sohoa migrate` runs at the end
    assert counters.triggers_present() and cell(ubkt, "incoming", 2022) == (2, 0)
    RegisterEntryFactory(unit=ubkt, year=2022)
    assert cell(ubkt, "incoming", 2022) == (3, 0) and counters.differences() == []
    assert counters.ensure_triggers() is False  # nothing to repair
