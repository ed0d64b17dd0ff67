"""Throughput: pages digitized per day per operator (and per team), by the day each page was processed."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from sohoa.core.models import Level, Role
from sohoa.digitization import selectors
from sohoa.digitization.models import Intake, Page, PageReplacement
from sohoa.digitization.services import intake_create

from .conftest import page_image, run_pipeline, save_image

DAY1, DAY2, DAY3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def at(day: dt.date, hour: int) -> dt.datetime:
    """A moment of a local (Asia/Ho_Chi_Minh) day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def pages_done(unit, operator, when: dt.datetime, count: int, *, status=Intake.Status.DONE, level=Level.NONE):  # type: ignore[no-untyped-def]
    """An intake of `operator` whose `count` pages were processed at `when`."""
    intake = Intake.objects.create(
        batch=uuid.uuid4(),
        source="web",
        original_name="x.pdf",
        unit=unit,
        status=status,
        created_by=operator,
        confidentiality=level,
        pages_total=count,
        pages_done=count,
    )
    Page.objects.bulk_create([Page(intake=intake, number=n, done=True, done_at=when) for n in range(1, count + 1)])
    return intake


@pytest.fixture
def ops(province, make_user):  # type: ignore[no-untyped-def]
    return {
        "lan": make_user(province["ubkt"], role=Role.OPERATOR, first_name="Lan", last_name="Nguyễn"),
        "minh": make_user(province["ubkt"], role=Role.OPERATOR, first_name="Minh", last_name="Trần"),
        "hoa": make_user(province["ubnd"], role=Role.OPERATOR, first_name="Hoa", last_name="Lê"),
    }


@pytest.fixture
def work(province, ops):  # type: ignore[no-untyped-def]
    ubkt, ubnd = province["ubkt"], province["ubnd"]
    pages_done(ubkt, ops["lan"], at(DAY1, 9), 10)
    pages_done(ubkt, ops["lan"], at(DAY1, 23), 5)  # 23:00 local is still DAY1 (16:00 UTC)
    pages_done(ubkt, ops["lan"], at(DAY3, 0), 7)  # 00:00 local DAY3 is DAY2 17:00 UTC: counts on DAY3
    pages_done(ubkt, ops["minh"], at(DAY2, 10), 4, level=Level.TUYET_MAT)  # counted: a number is not secret
    pages_done(ubkt, ops["minh"], at(DAY2, 11), 6, status=Intake.Status.FAILED)  # never became a copy
    pages_done(ubkt, ops["minh"], at(DAY1 - dt.timedelta(days=1), 10), 8)  # before the period
    pages_done(ubnd, ops["hoa"], at(DAY2, 9), 3)


@pytest.mark.django_db
def test_pages_per_day_per_operator_in_the_period(province, make_user, ops, work):
    chief = make_user(province["root"], role=Role.PROVINCIAL_OFFICE)
    data = selectors.throughput(chief, date_from=DAY1, date_to=DAY3)
    rows = {r.user_id: r for r in data.operators}
    assert rows[ops["lan"].pk].by_day == {DAY1: 15, DAY3: 7} and rows[ops["lan"].pk].pages == 22
    assert rows[ops["lan"].pk].per_day == 11.0  # two days worked
    assert rows[ops["minh"].pk].by_day == {DAY2: 4}
    assert rows[ops["hoa"].pk].by_day == {DAY2: 3}
    assert data.days == [DAY1, DAY2, DAY3] and data.by_day == {DAY1: 15, DAY2: 7, DAY3: 7}
    assert data.pages == 29 and data.per_day == round(29 / 3, 1)
    assert [r.name for r in data.operators] == ["Lan Nguyễn", "Minh Trần", "Hoa Lê"]  # most pages first


@pytest.mark.django_db
def test_counts_cover_only_the_units_in_the_viewers_scope(province, make_user, ops, work):
    ubkt_leader = make_user(province["ubkt"], role=Role.UNIT_LEADER)
    data = selectors.throughput(ubkt_leader, date_from=DAY1, date_to=DAY3)
    assert {r.user_id for r in data.operators} == {ops["lan"].pk, ops["minh"].pk} and data.pages == 26
    other = make_user(province["other"], role=Role.UNIT_LEADER)
    assert selectors.throughput(other, date_from=DAY1, date_to=DAY3).pages == 0


@pytest.mark.django_db
def test_a_list_of_operators_is_a_team_roll_up_in_one_call(province, make_user, ops, work):
    chief = make_user(province["root"], role=Role.ADMIN)
    data = selectors.throughput(chief, date_from=DAY1, date_to=DAY3, operators=[ops["minh"].pk, ops["hoa"].pk])
    assert data.pages == 7 and {r.user_id for r in data.operators} == {ops["minh"].pk, ops["hoa"].pk}


@pytest.mark.django_db
def test_rescans_are_counted_apart_for_the_operator_who_uploaded_them(province, make_user, ops, work):
    page = Page.objects.filter(intake__created_by=ops["lan"]).first()
    for n, day in ((1, DAY2), (2, DAY2), (3, DAY3 + dt.timedelta(days=5))):
        PageReplacement.objects.create(
            page=page,
            revision=n,
            status=PageReplacement.Status.DONE,
            original_name="r.png",
            original_path="originals/00/r",
            original_sha256="0" * 64,
            original_size=1,
            original_mime="image/png",
            created_by=ops["minh"],
            done_at=at(day, 10),
        )
    chief = make_user(province["root"], role=Role.ADMIN)
    data = selectors.throughput(chief, date_from=DAY1, date_to=DAY3)
    rows = {r.user_id: r for r in data.operators}
    assert rows[ops["minh"].pk].rescans == 2 and rows[ops["minh"].pk].pages == 4 and data.rescans == 2


@pytest.mark.django_db
def test_the_selector_runs_a_fixed_number_of_queries(province, make_user, ops, work):
    chief = make_user(province["root"], role=Role.ADMIN)
    selectors.throughput(chief, date_from=DAY1, date_to=DAY3)  # warm the scope cache
    with CaptureQueriesContext(connection) as ctx:
        selectors.throughput(chief, date_from=DAY1, date_to=DAY3)
    baseline = len(ctx)
    for _ in range(5):
        pages_done(province["ubkt"], make_user(province["ubkt"], role=Role.OPERATOR), at(DAY2, 8), 2)
    with CaptureQueriesContext(connection) as ctx:
        assert len(selectors.throughput(chief, date_from=DAY1, date_to=DAY3).operators) == 8
    assert len(ctx) == baseline <= 4


@pytest.mark.django_db
def test_the_pipeline_stamps_the_day_a_page_was_processed(tmp_path, unit, make_user, stub_ocr):
    operator = make_user(unit, role=Role.OPERATOR)
    source = save_image(tmp_path / "p.png", page_image(["Công văn số 1"]), "PNG")
    intake = intake_create(
        actor=operator, file=io.BytesIO(source.read_bytes()), name="p.png", unit=unit, source="web", enqueue=False
    )
    before = timezone.now()
    run_pipeline(intake)
    page = Page.objects.get(intake=intake)
    assert page.done_at is not None and before <= page.done_at <= timezone.now()
    today = timezone.localdate()
    data = selectors.throughput(operator, date_from=today, date_to=today)
    assert [(r.user_id, r.pages) for r in data.operators] == [(operator.pk, 1)]


@pytest.mark.django_db
def test_the_page_shows_the_table_and_an_svg_chart_without_scripts(client, province, make_user, ops, work):
    client.force_login(make_user(province["root"], role=Role.PROVINCIAL_OFFICE))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("throughput"), {"from": DAY1.isoformat(), "to": DAY3.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="big" id="total-pages">29</span>' in html
    assert "Lan Nguyễn" in html and "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert reverse("throughput") in client.get(reverse("intake_list")).content.decode()  # reachable from the menu


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_reversed_or_malformed_period_is_refused_with_a_message(client, province, make_user, lang):
    client.force_login(make_user(province["ubkt"], role=Role.OPERATOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("throughput"), {"from": DAY3.isoformat(), "to": DAY1.isoformat()})
    assert response.status_code == 400
    with override(lang):
        assert gettext("The first day must not be after the last.") in response.content.decode()
    assert client.get(reverse("throughput"), {"from": "hôm qua"}).status_code == 400
    assert client.get(reverse("throughput"), {"from": "2020-01-01", "to": "2026-01-01"}).status_code == 400


@pytest.mark.django_db
def test_team_roll_up_when_the_planning_app_has_teams(client, province, make_user, ops, work):
    try:
        team_model, member_model = apps.get_model("planning", "Team"), apps.get_model("planning", "TeamMember")
    except LookupError:
        pytest.skip("planning app not installed")
    team = team_model.objects.create(name="Tổ số hóa UBKT", unit=province["ubkt"])
    member_model.objects.create(team=team, user=ops["lan"])
    member_model.objects.create(team=team, user=ops["hoa"])  # a member from another unit still counts
    hidden = team_model.objects.create(name="Tổ tỉnh khác", unit=province["other"])
    chief = make_user(province["root"], role=Role.PROVINCIAL_OFFICE)
    data = selectors.team_throughput(chief, team_id=team.pk, date_from=DAY1, date_to=DAY3)
    assert data is not None and data.pages == 25
    assert selectors.team_throughput(chief, team_id=hidden.pk, date_from=DAY1, date_to=DAY3) is None
    rollup = selectors.team_rollup(chief, selectors.throughput(chief, date_from=DAY1, date_to=DAY3))
    assert [(r.team.pk, r.members, r.pages) for r in rollup] == [(team.pk, 2, 25)]

    client.force_login(chief)
    period = {"from": DAY1.isoformat(), "to": DAY3.isoformat()}
    page = client.get(reverse("throughput"), period).content.decode()
    assert "Tổ số hóa UBKT" in page and "Tổ tỉnh khác" not in page
    one = client.get(reverse("throughput"), {**period, "team": team.pk})
    assert one.status_code == 200 and '<span class="big" id="total-pages">25</span>' in one.content.decode()
    assert client.get(reverse("throughput"), {**period, "team": hidden.pk}).status_code == 404
