"""A register file imported from the browser: queued, run by the worker, progress and report on a page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sohoa.archive.models import RegisterEntry, RegisterImport
from sohoa.core.models import Role

from .test_register_import import VI_HEADER, vi_row

pytestmark = pytest.mark.django_db(transaction=True)  # the import runs on commit (Huey immediate)


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "files"}},
    }


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VI_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_a_clerk_imports_a_register_and_sees_the_report_by_row(client, province, make_user):  # type: ignore[no-untyped-def]
    clerk = make_user(province["ubkt"], role=Role.CLERK)
    client.force_login(clerk)
    data = _csv([vi_row(1), vi_row(2, **{"Ngày đến": "31/02/2021"}), vi_row(3)])
    response = client.post(
        reverse("register_import_new"),
        {"unit": province["ubkt"].pk, "direction": "incoming", "file": SimpleUploadedFile("so-den.csv", data)},
    )
    job = RegisterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("register_import_detail", args=[job.pk])
    assert job.status == "done" and job.rows_total == job.rows_done == 3 and job.percent == 100
    assert job.report["created"] == 2 and [r["row"] for r in job.report["rejected"]] == [3]
    assert RegisterEntry.objects.filter(unit=province["ubkt"], direction="incoming").count() == 2
    page = client.get(reverse("register_import_detail", args=[job.pk])).content.decode()
    assert 'data-status="done"' in page and "31/02/2021" in page and 'id="import-rejected"' in page
    assert "hx-trigger" not in page, "a finished import stops polling"


def test_a_running_import_is_polled_and_shows_its_progress(client, province, make_user):  # type: ignore[no-untyped-def]
    clerk = make_user(province["ubkt"], role=Role.CLERK)
    job = RegisterImport.objects.create(
        unit=province["ubkt"],
        direction="incoming",
        file_name="x.xlsx",
        stored_path="imports/x.xlsx",
        status="running",
        rows_total=200,
        rows_done=50,
    )
    client.force_login(clerk)
    html = client.get(reverse("register_import_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<section id="import-status"') and 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html and "50" in html and "200" in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("so-den.pdf", b"%PDF-1.4", "Không hỗ trợ loại tệp “.pdf”"),  # in the user's language (vi)
        ("so-den.xlsx", b"not a workbook", None),  # accepted for upload, fails in the worker with a message
    ],
)
def test_a_bad_file_gets_a_clear_message_and_imports_nothing(client, province, make_user, name, content, message):  # type: ignore[no-untyped-def]
    client.force_login(make_user(province["ubkt"], role=Role.CLERK))
    response = client.post(
        reverse("register_import_new"),
        {"unit": province["ubkt"].pk, "direction": "incoming", "file": SimpleUploadedFile(name, content)},
    )
    if message:
        assert response.status_code == 200 and message in str(response.context["form"].errors)
        assert not RegisterImport.objects.exists()
    else:
        job = RegisterImport.objects.get()
        assert job.status == "failed" and job.error
    assert not RegisterEntry.objects.exists()


def test_units_outside_the_scope_are_refused_and_their_imports_do_not_exist(client, province, make_user):  # type: ignore[no-untyped-def]
    clerk = make_user(province["ubkt"], role=Role.CLERK)
    client.force_login(clerk)
    response = client.post(
        reverse("register_import_new"),
        {"unit": province["ubnd"].pk, "direction": "incoming", "file": SimpleUploadedFile("a.csv", _csv([vi_row(1)]))},
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    other = RegisterImport.objects.create(
        unit=province["ubnd"], direction="incoming", file_name="b.csv", stored_path="imports/b.csv"
    )
    assert client.get(reverse("register_import_detail", args=[other.pk])).status_code == 404
    reader = make_user(province["ubkt"], role=Role.STANDING_COMMITTEE)
    client.force_login(reader)
    assert client.get(reverse("register_import_new")).status_code == 403
