"""`sohoa inventory-import`: counts for units that keep no register in Excel, upserted."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoa.reports.models import InventoryCount

pytestmark = pytest.mark.django_db


def run(path) -> dict:  # type: ignore[no-untyped-def,type-arg]
    out = io.StringIO()
    call_command("inventory-import", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_counts_are_upserted_and_bad_rows_reported(tmp_path, province):
    path = tmp_path / "kiem-ke.csv"
    path.write_text(
        "unit_code,series,year,documents,pages,ghi chu\n"
        "H12.UBKTTU,inspection_files,2021,120,3400,\n"
        "H12.UBKTTU,petitions,2021,80,,\n"
        "H12.NOPE,petitions,2021,5,,\n"
        "H12.UBND,letters,2021,5,,\n"
        "H12.UBND,case_files,20x1,5,,\n"
        "H12.UBND,case_files,2021,-3,,\n"
        "H12.UBKTTU,petitions,2021,81,,\n",
        encoding="utf-8",
    )
    result = run(path)
    assert (result["created"], result["updated"], result["unchanged"]) == (2, 0, 0)
    assert [r["row"] for r in result["rejected"]] == [4, 5, 6, 7, 8]
    assert result["unknown_columns"] == ["ghi chu"]
    count = InventoryCount.objects.get(unit=province["ubkt"], series="inspection_files", year=2021)
    assert (count.documents, count.pages, count.digitized) == (120, 3400, 0)
    again = run(path)
    assert (again["created"], again["unchanged"]) == (0, 2)
    path.write_text("unit_code,series,year,documents,pages,digitized\nH12.UBKTTU,petitions,2021,90,200,30\n")
    assert run(path)["updated"] == 1
    count = InventoryCount.objects.get(unit=province["ubkt"], series="petitions", year=2021)
    assert (count.documents, count.pages, count.digitized) == (90, 200, 30)


def test_missing_columns_and_more_digitized_than_documents_are_refused(tmp_path, province):
    path = tmp_path / "bad.csv"
    path.write_text("unit_code,series,documents\nH12,other,3\n")
    with pytest.raises(CommandError, match="year"):
        run(path)
    path.write_text("unit_code,series,year,documents,digitized\nH12,other,2022,3,4\n")
    assert run(path)["rejected"][0]["row"] == 2
