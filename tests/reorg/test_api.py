"""Issue 8 §4 through the REST API: a merger recorded, proposed, adjusted, executed and its minutes fetched
by a script; who may do it; and what a script is told when its input is wrong."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from sohoa.archive.models import Document, Record
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.registry.models import UnitKind
from sohoa.reorg.models import Reorganization, TransferItem
from tests.factories import DocumentFactory, UnitFactory, UserFactory

from .factories import EFFECTIVE, office, province_with_paper

URL = "/api/reorganizations/"
#: Loose documents added to one province so that the items run over more than one page (PAGE_SIZE 50).
EXTRA_DOCUMENTS = 40


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def merger(db):  # type: ignore[no-untyped-def]
    cm = province_with_paper("CM", "Tỉnh ủy Cà Mau", records=2, docs_per_record=3, entries=1)
    bl = province_with_paper("BL", "Tỉnh ủy Bạc Liêu", records=1, docs_per_record=2, entries=1)
    DocumentFactory.create_batch(EXTRA_DOCUMENTS, unit=cm["root"])
    successor = UnitFactory(code="CMN", name="Tỉnh ủy Cà Mau (mới)", kind=UnitKind.PARTY_COMMITTEE)
    users = {
        "office": office(successor, cm["root"], bl["root"]),
        "mapped": UserFactory(units=[cm["root"]], role=Role.CLERK),
        "clerk": UserFactory(units=[successor], role=Role.CLERK, clearance=Level.TUYET_MAT),
        "reader": UserFactory(units=[successor], role=Role.STANDING_COMMITTEE, clearance=Level.TUYET_MAT),
    }
    return {"cm": cm, "bl": bl, "successor": successor, "users": users}


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "merge",
        "dissolved": ["CM", "BL"],
        "successors": ["CMN"],
        "effective_date": EFFECTIVE.isoformat(),
        "decision_number": "1234-QĐ/TW",
        "decision_date": "2025-06-12",
        "decision_issuer": "Ban Chấp hành Trung ương",
    }
    body.update(overrides)
    return body


def _all_items(api: APIClient, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while url:
        page = api.get(url).json()
        found += page["results"]
        url = page["next"]
    return found


def _errors(response: Any) -> str:
    return str(response.json())


def test_a_merger_runs_through_the_api_only(api, merger, english):  # type: ignore[no-untyped-def]
    cm, bl, successor, users = merger["cm"], merger["bl"], merger["successor"], merger["users"]
    moving_docs = set(Document.objects.filter(unit__in=[cm["root"], bl["root"]]).values_list("pk", flat=True))
    creators = dict(Document.objects.values_list("pk", "creator_unit_id"))
    api.force_authenticate(users["office"])

    # Record it.
    response = api.post(URL, _body(note="Nghị quyết 60"), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["kind"] == "merge" and created["status"] == "draft"
    assert created["dissolved"] == ["CM", "BL"] and created["successors"] == ["CMN"]
    assert created["effective_date"] == "2025-07-01" and created["decision_number"] == "1234-QĐ/TW"
    assert created["decision"] == "1234-QĐ/TW ngày 12/06/2025 của Ban Chấp hành Trung ương"
    assert created["counts"] == {} and created["minutes"] is None and created["created_by"] == users["office"].username
    detail = f"{URL}{created['id']}/"

    # Executing before proposing is refused with the service's message.
    early = api.post(f"{detail}execute/")
    assert early.status_code == 400 and "Propose the transfer before executing it." in _errors(early)

    # Propose: every object of the dissolved units is listed, counted per kind.
    proposed = api.post(f"{detail}propose/")
    assert proposed.status_code == 200, proposed.content
    counts = proposed.json()["counts"]
    assert proposed.json()["status"] == "proposed"
    assert counts["document"] == len(moving_docs) and counts["fonds"] == 2 and counts["plan"] == 2
    assert counts["record"] == Record.objects.filter(unit__in=[cm["root"], bl["root"]]).count()
    listed = api.get(URL).json()
    assert listed["count"] == 1 and listed["results"][0]["counts"] == counts

    # The items, a page at a time, and filtered.
    first = api.get(f"{detail}items/").json()
    assert first["count"] == sum(counts.values()) > 50 and len(first["results"]) == 50 and first["next"]
    items = _all_items(api, f"{detail}items/")
    assert len(items) == first["count"] and len({i["id"] for i in items}) == len(items)
    assert {i["object_id"] for i in items if i["kind"] == "document"} == moving_docs
    users_to_nobody = api.get(f"{detail}items/", {"kind": "user", "unassigned": "true"}).json()["results"]
    assert users_to_nobody and all(i["to_unit"] is None and i["optional_target"] for i in users_to_nobody)
    assert all(i["to_unit"] == "CMN" for i in items if i["kind"] != "user")

    # The Office's adjustment: a clerk of a dissolved unit keeps access in the successor.
    mapped = next(i for i in users_to_nobody if i["object_id"] == users["mapped"].pk)
    assign = f"{URL}items/{mapped['id']}/assign/"
    response = api.post(assign, {"to_unit": "CMN"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 1 and response.json()["item"]["to_unit"] == "CMN"
    assert TransferItem.objects.get(pk=mapped["id"]).to_unit_id == successor.pk

    # Execute: one audited step; everything moved, provenance intact, the minutes linked.
    response = api.post(f"{detail}execute/")
    assert response.status_code == 200, response.content
    executed = response.json()
    assert executed["status"] == "executed" and executed["executed_by"] == users["office"].username
    assert set(Document.objects.filter(pk__in=moving_docs).values_list("unit_id", flat=True)) == {successor.pk}
    assert dict(Document.objects.values_list("pk", "creator_unit_id")) == creators
    assert list(users["mapped"].units.all()) == [successor]
    assert AuditEvent.objects.filter(action="reorg_execute", object_id=str(created["id"])).count() == 1
    reorganization = Reorganization.objects.get()
    minutes = executed["minutes"]
    assert minutes["pdf"]["sha256"] == reorganization.minutes_pdf_sha256
    assert minutes["docx"]["sha256"] == reorganization.minutes_docx_sha256
    assert minutes["docx"]["page_url"].endswith(reverse("reorg_minutes", args=[reorganization.pk, "docx"]))

    # The minutes through the API: the stored files, whose checksums the detail gave.
    docx = api.get(
        minutes["docx"]["url"], HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(docx.streaming_content)
    assert content[:2] == b"PK" and hashlib.sha256(content).hexdigest() == minutes["docx"]["sha256"]
    pdf = api.get(minutes["pdf"]["url"])
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == minutes["pdf"]["sha256"]
    exports = AuditEvent.objects.filter(action="export", object_type="reorg.reorganization")
    assert sorted(e.details["format"] for e in exports) == ["docx", "pdf"]

    # Once is enough: executing again, proposing again or adjusting afterwards is a 400 that says why.
    again = api.post(f"{detail}execute/")
    assert again.status_code == 400 and "cannot be changed or executed again" in _errors(again)
    assert api.post(f"{detail}propose/").status_code == 400
    assert api.post(assign, {"to_unit": None}, format="json").status_code == 400
    assert AuditEvent.objects.filter(action="reorg_execute").count() == 1


def test_minutes_are_not_there_before_execution(api, merger, english):  # type: ignore[no-untyped-def]
    api.force_authenticate(merger["users"]["office"])
    pk = api.post(URL, _body(), format="json").json()["id"]
    response = api.get(f"{URL}{pk}/minutes/pdf/")
    assert response.status_code == 404 and "once the reorganization is executed" in _errors(response)


def test_clerks_and_readers_may_read_but_not_run_a_reorganization(api, merger, english):  # type: ignore[no-untyped-def]
    users = merger["users"]
    api.force_authenticate(users["office"])
    pk = api.post(URL, _body(), format="json").json()["id"]
    assert api.post(f"{URL}{pk}/propose/").status_code == 200
    item = TransferItem.objects.filter(reorganization_id=pk, kind="user").first()
    assert item is not None
    for role in ("clerk", "reader"):
        api.force_authenticate(users[role])
        assert api.get(f"{URL}{pk}/").status_code == 200  # the successor's people see it
        assert api.get(f"{URL}{pk}/items/").status_code == 200
        created = api.post(URL, _body(), format="json")
        assert created.status_code == 403 and "may not record or run reorganizations" in _errors(created)
        for step in ("propose", "execute"):
            assert api.post(f"{URL}{pk}/{step}/").status_code == 403, (role, step)
        assert api.post(f"{URL}items/{item.pk}/assign/", {"to_unit": "CMN"}, format="json").status_code == 403
    assert Reorganization.objects.count() == 1
    assert Reorganization.objects.get().status == Reorganization.Status.PROPOSED
    assert TransferItem.objects.get(pk=item.pk).to_unit_id is None
    api.force_authenticate(None)
    assert api.get(URL).status_code in (401, 403)
    assert api.post(f"{URL}{pk}/execute/").status_code in (401, 403)


def test_another_provinces_reorganization_does_not_exist_for_the_caller(api, merger):  # type: ignore[no-untyped-def]
    users = merger["users"]
    api.force_authenticate(users["office"])
    pk = api.post(URL, _body(), format="json").json()["id"]
    api.post(f"{URL}{pk}/propose/")
    item = TransferItem.objects.filter(reorganization_id=pk).first()
    assert item is not None
    far = UnitFactory(code="H77", name="Tỉnh xa")
    stranger = office(far)  # the Office of another province: a writer role, but not this scope
    api.force_authenticate(stranger)
    assert api.get(URL).json()["count"] == 0
    assert api.get(f"{URL}{pk}/").status_code == 404
    assert api.get(f"{URL}{pk}/items/").status_code == 404
    assert api.get(f"{URL}{pk}/minutes/docx/").status_code == 404
    for step in ("propose", "execute"):
        assert api.post(f"{URL}{pk}/{step}/").status_code == 404
    assert api.post(f"{URL}items/{item.pk}/assign/", {"to_unit": "CMN"}, format="json").status_code == 404
    # Nor may it record one over units outside its scope.
    response = api.post(URL, _body(dissolved=["CM"], successors=["H77"]), format="json")
    assert response.status_code == 400
    assert Reorganization.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"dissolved": ["CM", "NOPE"]}, "dissolved", "Unknown unit code: NOPE."),
        ({"successors": ["ZZZ"]}, "successors", "Unknown unit code: ZZZ."),
        ({"successors": ["CM"], "dissolved": ["CM", "BL"]}, "non_field_errors", "both dissolved and a successor"),
        ({"successors": ["CMN", "BL"], "dissolved": ["CM"]}, "non_field_errors", "exactly one successor"),
        ({"kind": "split", "successors": ["CMN"], "dissolved": ["CM"]}, "non_field_errors", "two or more successors"),
        ({"successors": ["CM.UBKT"], "dissolved": ["CM"]}, "non_field_errors", "lies under the dissolved unit"),
        ({"effective_date": "2025-13-01"}, "effective_date", "Date has wrong format"),
        ({"decision_date": "01/07/2025"}, "decision_date", "Date has wrong format"),
        ({"dissolved": []}, "dissolved", "at least 1"),
        ({"kind": "annex"}, "kind", "is not a valid choice"),
        ({"decision_number": ""}, "decision_number", "may not be blank"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(api, merger, english, overrides, field, message):  # type: ignore[no-untyped-def]
    api.force_authenticate(merger["users"]["office"])
    response = api.post(URL, _body(**overrides), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors and message in str(errors[field]), errors
    assert not Reorganization.objects.exists()


def test_bad_adjustments_and_filters_are_refused(api, merger, english):  # type: ignore[no-untyped-def]
    api.force_authenticate(merger["users"]["office"])
    pk = api.post(URL, _body(), format="json").json()["id"]
    api.post(f"{URL}{pk}/propose/")
    record = TransferItem.objects.filter(reorganization_id=pk, kind="record").first()
    assert record is not None
    assign = f"{URL}items/{record.pk}/assign/"
    for body, message in (
        ({"to_unit": "CM"}, "Only a successor of this reorganization can receive it."),
        ({"to_unit": "NOPE"}, "Unknown unit code: NOPE."),
        ({"to_unit": None}, "Choose the successor that receives it."),
        ({}, "This field is required."),
    ):
        response = api.post(assign, body, format="json")
        assert response.status_code == 400 and message in _errors(response), (body, response.content)
    assert TransferItem.objects.get(pk=record.pk).to_unit_id == merger["successor"].pk
    assert api.get(f"{URL}{pk}/items/", {"kind": "spaceship"}).status_code == 400
    assert api.get(URL, {"status": "finished"}).status_code == 400
    assert api.get(URL, {"status": "proposed"}).json()["count"] == 1
    assert api.get(URL, {"status": "executed", "kind": "merge"}).json()["count"] == 0


def _count_queries(request: Any) -> int:
    """Queries run by one API request (a wrapper: the request's start resets Django's query log)."""
    count = 0

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        response = request()
    assert response.status_code == 200, response.content
    return count


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(api, merger):  # type: ignore[no-untyped-def]
    users = merger["users"]
    pairs = [(UnitFactory(code=f"OLD{n}"), UnitFactory(code=f"NEW{n}")) for n in range(4)]
    for pair in pairs:
        users["office"].units.add(*pair)
    api.force_authenticate(users["office"])
    first = api.post(URL, _body(), format="json").json()["id"]
    api.post(f"{URL}{first}/propose/")
    one = _count_queries(lambda: api.get(URL))
    for n, (old, new) in enumerate(pairs):
        body = _body(dissolved=[old.code], successors=[new.code], decision_number=f"{n}-QĐ")
        assert api.post(URL, body, format="json").status_code == 201
    assert api.get(URL).json()["count"] == 5
    assert _count_queries(lambda: api.get(URL)) == one <= 6
