"""The Office's calendar page, its services and the `sohoa holidays` command."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from sohoa.core.models import AuditEvent, Role
from sohoa.workdays import calendar, services
from sohoa.workdays.models import Holiday
from tests.factories import UserFactory

D = dt.date
URL = reverse("workday_calendar")


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.PROVINCIAL_OFFICE)


@pytest.fixture
def clerk(db):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.CLERK)


def test_any_signed_in_user_reads_the_calendar_but_only_the_office_edits(client, clerk, english):  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    page = client.get(URL, {"year": 2026})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tết Nguyên đán (mùng 1)" in text and "Not configured yet" in text
    assert 'id="holiday-form"' not in text
    assert client.post(URL, {"date": "2026-09-03", "name": "x", "kind": "off"}).status_code == 403
    row = Holiday.objects.create(date=D(2026, 9, 3), name="Nghỉ thêm")
    assert client.get(reverse("holiday_edit", args=[row.pk])).status_code == 403
    assert client.post(reverse("holiday_delete", args=[row.pk])).status_code == 403
    assert Holiday.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.holiday_delete(actor=clerk, holiday=row)
    assert client.get(URL).status_code == 200  # this year, whatever it is


def test_the_first_day_added_copies_the_defaults_and_is_audited(client, office):  # type: ignore[no-untyped-def]
    client.force_login(office)
    response = client.post(URL + "?year=2026", {"date": "03/09/2026", "name": "Nghỉ thêm Quốc khánh", "kind": "off"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    defaults = calendar.default_days(2026)
    assert Holiday.objects.filter(date__year=2026).count() == len(defaults) + 1
    assert calendar.is_configured(2026)
    assert not calendar.is_working_day(D(2026, 2, 17)) and not calendar.is_working_day(D(2026, 9, 3))
    added = Holiday.objects.get(date=D(2026, 9, 3))
    assert added.created_by == office and added.updated_by == office
    assert list(
        AuditEvent.objects.filter(object_type="workdays.holiday").order_by("seq").values_list("action", flat=True)
    ) == [
        "holiday_seed",
        "holiday_create",
    ]
    page = client.get(URL, {"year": 2026}).content.decode()
    assert "Nghỉ thêm Quốc khánh" in page and reverse("holiday_edit", args=[added.pk]) in page


def test_a_day_entered_on_a_default_date_takes_its_place(office):  # type: ignore[no-untyped-def]
    services.holiday_create(actor=office, date=D(2026, 2, 16), name="Tết Bính Ngọ (29 tháng Chạp)")
    assert Holiday.objects.filter(date__year=2026).count() == len(calendar.default_days(2026))
    assert Holiday.objects.get(date=D(2026, 2, 16)).name == "Tết Bính Ngọ (29 tháng Chạp)"


def test_a_bad_date_is_refused_with_a_message_and_the_input_kept(client, office, english):  # type: ignore[no-untyped-def]
    client.force_login(office)
    response = client.post(URL, {"date": "2026-02-30", "name": "Ngày không có", "kind": "off", "note": "TB 12"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Enter a real date, e.g. 2026-02-16 or 16/02/2026." in text
    assert "Ngày không có" in text and "TB 12" in text  # nothing typed is lost
    assert not Holiday.objects.exists()
    response = client.post(URL, {"date": "", "name": "", "kind": "off"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_a_duplicate_date_is_refused_with_a_message(client, office, english):  # type: ignore[no-untyped-def]
    client.force_login(office)
    client.post(URL, {"date": "2026-09-03", "name": "Nghỉ thêm", "kind": "off"})
    before = Holiday.objects.count()
    response = client.post(URL, {"date": "2026-09-03", "name": "Lần nữa", "kind": "off"})
    assert response.status_code == 400
    assert "is already in the calendar (Nghỉ thêm): change that day instead." in response.content.decode()
    assert Holiday.objects.count() == before
    assert "Lần nữa" in response.content.decode()


def test_a_make_up_working_day_must_be_a_weekend(client, office, english):  # type: ignore[no-untyped-def]
    client.force_login(office)
    response = client.post(URL, {"date": "2026-03-04", "name": "Làm bù", "kind": "work"})
    assert response.status_code == 400
    assert "A make-up working day must fall on a Saturday or Sunday" in response.content.decode()
    assert "Wednesday" in response.content.decode()
    assert not Holiday.objects.exists()  # the refused day did not copy the defaults either


def test_the_office_changes_and_deletes_a_day(client, office, english):  # type: ignore[no-untyped-def]
    client.force_login(office)
    services.holiday_create(actor=office, date=D(2026, 1, 2), name="Nghỉ thêm")
    row = Holiday.objects.get(date=D(2026, 9, 1))
    edit = reverse("holiday_edit", args=[row.pk])
    assert client.get(edit).status_code == 200
    taken = client.post(edit, {"date": "2026-09-02", "name": "Quốc khánh", "kind": "off"})
    assert taken.status_code == 400 and "is already in the calendar" in taken.content.decode()
    moved = client.post(edit, {"date": "2026-09-03", "name": row.name, "kind": "off", "note": row.note})
    assert moved.status_code == 302
    assert calendar.is_working_day(D(2026, 9, 1)) and not calendar.is_working_day(D(2026, 9, 3))
    event = AuditEvent.objects.filter(action="holiday_update").get()
    assert event.details["changes"] == {"date": ["2026-09-01", "2026-09-03"]}
    assert client.post(reverse("holiday_delete", args=[row.pk])).status_code == 302
    assert calendar.is_working_day(D(2026, 9, 3))
    assert AuditEvent.objects.filter(action="holiday_delete", object_id=str(row.pk)).exists()
    assert client.get(reverse("holiday_edit", args=[987654])).status_code == 404


def test_deleting_the_last_row_of_a_year_returns_it_to_the_defaults(office):  # type: ignore[no-untyped-def]
    row = Holiday.objects.create(date=D(2026, 9, 3), name="Nghỉ thêm")
    services.holiday_delete(actor=office, holiday=row)
    assert not calendar.is_configured(2026) and not calendar.is_working_day(D(2026, 2, 17))


def test_service_refuses_bad_values(office):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.holiday_create(actor=office, date=D(2026, 3, 7), name="  ")
    with pytest.raises(ValidationError):
        services.holiday_create(actor=office, date=D(1700, 3, 7), name="Xa xưa")
    with pytest.raises(ValidationError):
        services.holiday_create(actor=office, date=D(2026, 3, 7), name="x", kind="maybe")


def test_a_bad_year_shows_this_year_with_a_message(client, clerk, english):  # type: ignore[no-untyped-def]
    client.force_login(clerk)
    for value in ("abc", "1700", "99999"):
        response = client.get(URL, {"year": value})
        assert response.status_code == 400
        assert f"“{value}” is not a year between" in response.content.decode()


@pytest.mark.django_db
def test_command_prints_the_effective_days():
    out = io.StringIO()
    call_command("holidays", "2026", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["date"] for r in rows][:3] == ["2026-01-01", "2026-02-16", "2026-02-17"]
    assert rows[2] == {
        "date": "2026-02-17",
        "weekday": 2,
        "kind": "off",
        "name": "Tết Nguyên đán (mùng 1)",
        "source": "default",
        "note": "",
        "lunar": {"year": 2026, "month": 1, "day": 1, "leap": False},
    }
    Holiday.objects.create(date=D(2027, 1, 9), name="Làm bù", kind="work", note="CV 1/2027")
    out = io.StringIO()
    call_command("holidays", "2027", "--json", stdout=out)
    assert [json.loads(line)["source"] for line in out.getvalue().splitlines()] == ["configured"]
    text = io.StringIO()
    call_command("holidays", "2026", stdout=text)
    assert "2026-02-17" in text.getvalue() and "Tết Nguyên đán (mùng 1)" in text.getvalue()
    with pytest.raises(CommandError):
        call_command("holidays", "1700", stdout=io.StringIO())
