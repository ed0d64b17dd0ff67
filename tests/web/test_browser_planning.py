"""A real Chromium walks the planning flow: plan → candidates with reasons → approval by a leader → a batch
through every state → the progress report shows the numbers."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone, translation

from sohoa.core.models import Level, Role
from sohoa.planning import scoring
from sohoa.planning.models import Team, TeamMember
from sohoa.usage.models import UseEvent, UseKind
from tests.factories import RegisterEntryFactory, UserFactory
from tests.planning.factories import digitize
from tests.web.test_browser import CHROMIUM, page  # noqa: F401  (the shared Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed (make setup installs it)"),
]


def _login(page, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


@pytest.mark.django_db(transaction=True)
def test_from_plan_to_progress_report(live_server, page, province, password):  # noqa: F811
    ubkt = province["ubkt"]
    UserFactory(username="hoa", units=[province["root"]], role=Role.ARCHIVIST, clearance=Level.MAT)
    UserFactory(username="binh", units=[province["root"]], role=Role.UNIT_LEADER, clearance=Level.MAT)
    operator = UserFactory(username="lan", units=[ubkt], role=Role.OPERATOR, first_name="Lan")
    team = Team.objects.create(name="Tổ số hóa UBKT", unit=ubkt)
    TeamMember.objects.create(team=team, user=operator, role="operator")
    entries = [RegisterEntryFactory(unit=ubkt, year=2023, entry_number=n) for n in range(1, 9)]
    for entry in entries[:3]:
        digitize(entry)
    for _i in range(3):  # the paper of entry 8 was asked for three times
        UseEvent.objects.create(kind=UseKind.REQUEST, at=timezone.now(), unit=ubkt, register_entry=entries[7])
    base = live_server.url

    # An archivist drafts the plan.
    _login(page, base, "hoa", password)
    page.click("header a[href='/plans/']")  # the menu entry
    page.wait_for_url(base + "/plans/")
    page.goto(base + "/plans/new/")
    page.fill("input[name=name]", "Số hóa văn bản đến 2023 của UBKT")
    page.select_option("select[name=unit]", label=str(ubkt))
    page.fill("input[name=year_from]", "2023")
    page.fill("input[name=year_to]", "2023")
    page.check("input[name=series][value=incoming]")
    page.fill("input[name=deadline]", (dt.date.today() + dt.timedelta(days=90)).isoformat())
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**/plans/*/")
    plan_url = page.url

    # Candidates are selected; the most requested paper comes first with its reason in words.
    page.click("#materialize")
    page.wait_for_selector("#candidates tbody tr[id^=c]")
    assert page.locator("#candidates tbody tr[id^=c]").count() == 8
    with translation.override("vi"):
        reason = scoring.describe({"factor": "demand", "params": {"count": 3, "months": 12}})
    first = page.locator("#candidates tbody tr").first
    assert reason in first.inner_text()
    assert entries[7].notation in first.inner_text()
    page.click("#submit-plan")
    page.wait_for_selector("#approve-plan", state="detached")

    # The leader approves it; the page says who approved.
    _login(page, base, "binh", password)
    page.goto(plan_url)
    page.click("#approve-plan")
    page.wait_for_selector("#plan-approval")
    assert "binh" in page.locator("#plan-approval").inner_text()

    # A batch of the three highest-priority papers goes to Lan and through every state.
    page.click("#new-batch")
    page.select_option("select[name=team]", label="Tổ số hóa UBKT")
    page.select_option("select[name=assignee]", label="lan")
    page.fill("input[name=due_date]", (dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.fill("input[name=size]", "3")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**/batches/*/")
    assert page.locator("#batch-candidates tbody tr").count() == 3
    states = []
    for _step in range(5):
        page.click("#advance")
        page.wait_for_load_state()
        states.append(page.locator("#batch-state").inner_text())
    assert len(set(states)) == 5
    assert page.locator("#advance").count() == 0  # returned to storage: nothing further

    # The progress report counts the same paper: 3 of 8 digitized.
    page.goto(base + f"/reports/progress/?unit={ubkt.pk}&from=2023&to=2023")
    assert page.locator("#progress-totals").inner_text().startswith("3 / 8")
