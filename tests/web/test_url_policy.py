"""Every URL pattern of the project is classified here and proven to enforce the access policy.

A pattern that is added without being classified fails `test_every_url_pattern_is_classified`, so no
endpoint can be forgotten. For each pattern, with objects the user may not see (a tuyệt mật document in
the user's own unit, and fonds/records of another province):
- anonymous requests never get content (redirect to login, 401 or 403);
- object URLs answer 404 (not 403: existence must not leak) to a signed-in user without the right;
- list URLs never contain the hidden objects' marker text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sohoa.core.models import Level, Role
from sohoa.difficulties.models import Difficulty
from tests.factories import (
    DocumentFactory,
    FondsFactory,
    LocationFactory,
    RecordFactory,
    RegisterEntryFactory,
    UserFactory,
)

MARKER = "BIMATQUOCGIA"


@dataclass(frozen=True)
class Route:
    name: str  # namespaced name, e.g. admin:archive_document_change
    kwargs: tuple[str, ...]
    path: str


def _walk(patterns, prefix="", namespace="") -> list[Route]:  # type: ignore[no-untyped-def]
    routes: list[Route] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            routes += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            regex = p.pattern.regex
            names = tuple(sorted(regex.groupindex))
            routes.append(Route(f"{namespace}{p.name}" if p.name else "", names, prefix + str(p.pattern)))
    return routes


ROUTES = _walk(get_resolver().url_patterns)

# Pages anyone may open: they show nothing from the archive.
PUBLIC = {"login", "logout", "set_language", "api-schema", "api-docs", "api-token", "admin:login", "admin:logout"}
# The login's two-factor steps: they act only on the user whose password was just right (session marker).
PUBLIC |= {"login_code", "totp_enrol"}
# Object URLs: URL name → which hidden object their `pk`/`object_id` points at.
OBJECT_URLS = {
    "document_detail": "document",
    "document_edit": "document",
    "document_register_link": "document",
    "suggestion_detail": "document",
    "register_import_detail": "registerimport",
    "suggestion_dismiss": "document",
    "record_detail": "record",
    "record_edit": "record",
    "fonds_detail": "fonds",
    "fonds_edit": "fonds",
    "register_detail": "entry",
    "register_edit": "entry",
    "document-detail": "document",
    "record-detail": "record",
    "fonds-detail": "fonds",
    "reorg_detail": "reorganization",
    "reorg_propose": "reorganization",
    "reorg_execute": "reorganization",
    "reorg_minutes": "reorganization",
    "reorg_item_assign": "transferitem",
    # The reorganizations API: the hidden reorganization (another province) and its item.
    **dict.fromkeys(
        [
            "reorganization-detail",
            "reorganization-propose",
            "reorganization-execute",
            "reorganization-items",
            "reorganization-minutes-docx",
            "reorganization-minutes-pdf",
        ],
        "reorganization",
    ),
    "reorganization-assign": "transferitem",
    "registerentry-detail": "entry",
    "intake_detail": "intake",
    "intake-detail": "intake",
    "intake_retry": "intake",
    "intake_discard": "intake",
    "page_thumbnail": "page",
    "page_text": "page",
    "qc_review": "intake",
    "qc_accept": "intake",
    "page_reject": "page",
    "page_rescan": "page",
    "archival_download": "document",
    "original_download": "document",
    "document_copies": "document",
    "location-detail": "location",
    "plan_detail": "plan",
    "plan_edit": "plan",
    "plan_materialize": "plan",
    "plan_transition": "plan",
    "plan_exclude": "plan",
    "batch_create": "plan",
    "exclusion_remove": "exclusion",
    "candidate_edit": "candidate",
    "batch_detail": "batch",
    "batch_advance": "batch",
    "team_detail": "team",
    "member_remove": "member",
    "usage_share": "document",
    "usage_cite": "document",
    "usage_request": "entry",
    "difficulty_detail": "difficulty",
    "difficulty_status": "difficulty",
    "grant_approve": "grant",
    "grant_reject": "grant",
    "grant_revoke": "grant",
    # Persons and organizations named in a document (codes app): they follow their document.
    "document_mentions": "document",
    "document_mentions_accept": "document",
    "mention-detail": "mention",
    "mention-suggestions": "mention",
    "mention-code": "mention",
    # Registry syncs are the Office's (role-restricted); members are personal data of their organization.
    "registry_sync_detail": "registrysync",
    "registry_sync_apply": "registrysync",
    "member_history": "partymember",
    # Case files (cases app): a hidden case (tuyệt mật, the clerk's own unit) on every page and API action.
    **dict.fromkeys(
        [
            "case_detail",
            "case_edit",
            "case_subject_add",
            "case_subject_codes",
            "case_document_attach",
            "case_document_upload",
            "case_document_remove",
            "case_advance",
            "case_close",
            "case-detail",
            "case-subjects",
            "case-documents",
            "case-advance",
            "case-close",
        ],
        "case",
    ),
    # Petitions (petitions app): a hidden petition (tuyệt mật, the clerk's own unit).
    "petition_workflow": "petition",
    **dict.fromkeys(["petition_detail", "petition_edit", "petition_attach", "petition-detail"], "petition"),
    "petition_letter": "petition",  # the generated letters (DOCX) of one petition
}
# Object URLs of administrator-only resources: refused by role (403) whatever the id, so the answer
# does not depend on whether the object exists.
ADMIN_ONLY_OBJECT_URLS = {"auditevent-detail": "audit"}
# Units are not secret: every signed-in user may see the registry of bodies.
UNRESTRICTED_OBJECT_URLS = {"unit_detail", "unit_edit", "unit-detail"}
# A unit's sync history: the unit is public, its history rows are filtered by the policy (Office roles).
UNRESTRICTED_OBJECT_URLS |= {"unit_history"}
# The legal working-day calendar is public to signed-in users; only its writers (Office) change a day.
UNRESTRICTED_OBJECT_URLS |= {"holiday_edit", "holiday_delete"}
# Lists, dashboards and forms: signed-in users get them, filtered by the policy.
# Actions that only accept POST: checked with POST (a GET is refused the same for every id).
POST_ONLY = {"difficulty_status", "intake_retry", "intake_discard"}
POST_ONLY |= {"plan_materialize", "plan_transition", "plan_exclude", "exclusion_remove"}
POST_ONLY |= {"reorg_propose", "reorg_execute", "reorg_item_assign"}
POST_ONLY |= {"reorganization-propose", "reorganization-execute", "reorganization-assign"}
POST_ONLY |= {"batch_advance", "member_remove"}
POST_ONLY |= {"suggestion_dismiss"}
POST_ONLY |= {"qc_accept", "page_reject", "page_rescan"}
POST_ONLY |= {"grant_approve", "grant_reject", "grant_revoke"}
POST_ONLY |= {"document_mentions_accept", "mention-code"}
POST_ONLY |= {"registry_sync_apply"}
POST_ONLY |= {"case_subject_add", "case_subject_codes", "case_document_attach", "case_document_upload"}
POST_ONLY |= {"case_document_remove", "case_advance", "case_close"}
POST_ONLY |= {"case-subjects", "case-documents", "case-advance", "case-close"}
POST_ONLY |= {"holiday_delete"}
POST_ONLY |= {"petition_attach"}
LISTS = {
    "dashboard",
    "intake_list",
    "intake-list",
    "intake_upload",
    "rework_list",
    "throughput",
    "audit_list",
    "audit_export",
    "document_list",
    "document_create",
    "record_list",
    "record_create",
    "reorg_list",
    "reorg_create",
    "reorganization-list",
    "fonds_list",
    "fonds_create",
    "register_list",
    "register_create",
    "unit_list",
    "unit_create",
    "api-root",
    "api-me",
    "unit-list",
    "fonds-list",
    "record-list",
    "document-list",
    "registerentry-list",
    "location-list",
    "auditevent-list",
    "report_progress",
    "extraction_accuracy",
    "register_import_new",
    "report_progress_download",
    "report_dashboard",
    "plan_list",
    "plan_create",
    "team_list",
    "team_create",
    "usage_effectiveness",
    "usage_effectiveness_json",
    "difficulty_list",
    "difficulty_create",
    "difficulty_summary",
    "difficulty_summary_xlsx",
    "search",
    "api-search",
    "reauth",
    "grant_list",
    "grant_request",
    "grant_review",
    "copy_register",
    "code_check",
    "missing_codes",
    "missing_codes_xlsx",
    "mention-list",
    "mention-accept",
    "mention-auto-apply",
    "registry_sync_list",
    "registry_sync_new",
    "registry_sync_sources",
    "case_list",
    "case_create",
    "case-list",
    "case-counts",
    "workday_calendar",
    # Form drafts (decision 0031): a user's own only (core.draft's rule), JSON 401 when signed out.
    "draft",
    "draft_discard",
    # Petition deadlines and the user's petition notices (filtered by the policy).
    "petition_overdue",
    "petition_notifications",
    # The petition register (list, registration form, API list).
    "petition_list",
    "petition_register",
    "petition-list",
    # Petition statistics and their exports (counts of visible petitions and case files only).
    "petition_stats",
    "petition_stats_download",
}
ADMIN_MODELS = {
    "archive_document": "document",
    "archive_record": "record",
    "archive_fonds": "fonds",
    "archive_registerentry": "entry",
    "archive_storagelocation": "location",
    "archive_grant": None,
    "planning_plan": "plan",
    "planning_exclusion": "exclusion",
    "planning_candidate": "candidate",
    "planning_team": "team",
    "planning_teammember": "member",
    "planning_batch": "batch",
    "core_user": None,
    "core_auditevent": "audit",
    "registry_unit": None,
    "registry_succession": None,
    "authtoken_tokenproxy": None,
    "auth_group": None,
}


def _admin_model(name: str) -> str | None:
    match = re.match(r"admin:(\w+?)_(changelist|add|history|delete|change)$", name)
    return match.group(1) if match else None


def _classify(route: Route) -> str:
    base = route.name.split(":")[-1] if not route.name.startswith("admin:") else route.name
    if route.name in PUBLIC or base in PUBLIC:
        return "public"
    if route.name.startswith("admin:"):
        model = _admin_model(route.name)
        if model is not None and model in ADMIN_MODELS:
            return "admin-object" if "object_id" in route.kwargs else "admin-list"
        if route.name in {
            "admin:index",
            "admin:app_list",
            "admin:password_change",
            "admin:password_change_done",
            "admin:view_on_site",
            "admin:jsi18n",
            "admin:autocomplete",
            "admin:auth_user_password_change",
            "admin:core_user_password_change",
        }:
            return "admin-other"
        return "unclassified"
    if base in OBJECT_URLS:
        return "object"
    if base in ADMIN_ONLY_OBJECT_URLS:
        return "admin-only-object"
    if base in UNRESTRICTED_OBJECT_URLS:
        return "unrestricted-object"
    if base in LISTS:
        return "list"
    if route.name == "" and route.path.startswith("admin/"):
        # Unnamed admin patterns only redirect: <model>/<id>/ to its named change page (checked
        # above) and the catch-all to the admin login or a 404.
        return "admin-redirect"
    return "unclassified"


def test_every_url_pattern_is_classified():
    unclassified = [(r.name, r.path) for r in ROUTES if _classify(r) == "unclassified"]
    assert not unclassified, f"classify these URL patterns in {__file__}: {unclassified}"


@pytest.fixture
def hidden(province, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Objects that `user` (clerk of UBKT, clearance none) must not see, each carrying MARKER."""
    ubkt, other = province["ubkt"], province["other"]
    from sohoa.core import audit

    objects = {
        "document": DocumentFactory(unit=ubkt, confidentiality=Level.TUYET_MAT, subject=f"{MARKER} văn bản"),
        "record": RecordFactory(unit=ubkt, confidentiality=Level.TOI_MAT, title=f"{MARKER} hồ sơ"),
        "fonds": FondsFactory(unit=other, name=f"{MARKER} phông"),
        "entry": RegisterEntryFactory(unit=ubkt, confidentiality=Level.MAT, subject=f"{MARKER} đến"),
        "location": LocationFactory(unit=other, storage=f"{MARKER} kho"),
        "difficulty": Difficulty.objects.create(unit=other, category="equipment", title=f"{MARKER} máy quét"),
        "audit": audit.record("view", object_repr=f"{MARKER} audit"),
    }
    import uuid

    from sohoa.digitization.models import DigitalCopy, Intake, Page

    intake = Intake.objects.create(
        batch=uuid.uuid4(),
        source="web",
        original_name=f"{MARKER}.pdf",
        unit=ubkt,
        confidentiality=Level.TUYET_MAT,
        status=Intake.Status.FAILED,
        sha256="0" * 64,
        original_path="originals/00/none",
    )
    objects["intake"] = intake
    objects["page"] = Page.objects.create(intake=intake, number=1, text=MARKER, thumb_path="thumbs/none.jpg", done=True)
    from sohoa.archive.models import RegisterImport
    from sohoa.extraction.models import Suggestion

    objects["registerimport"] = RegisterImport.objects.create(
        unit=other, direction="incoming", file_name=f"{MARKER}.xlsx", stored_path="imports/none.xlsx"
    )

    Suggestion.objects.create(document=objects["document"], values={"subject": MARKER})  # its reading: hidden too
    from sohoa.codes.models import DocumentMention

    objects["mention"] = DocumentMention.objects.create(document=objects["document"], name=f"{MARKER} người")
    # Someone else's request for the hidden document: neither listed nor decidable by `user`.
    from tests.factories import GrantFactory

    objects["grant"] = GrantFactory(
        user=UserFactory(units=[other]), unit=ubkt, document=objects["document"], reason=MARKER, status="requested"
    )
    DigitalCopy.objects.create(
        document=objects["document"],
        original_name=f"{MARKER}.pdf",
        original_path="originals/00/none",
        original_sha256="0" * 64,
        original_size=1,
        original_mime="application/pdf",
        archival_path="archival/none.pdf",
        archival_sha256="0" * 64,
        archival_size=1,
        page_count=1,
    )
    from sohoa.copies.models import SecretCopy

    SecretCopy.objects.create(  # the register of copies must not show it either
        document=objects["document"],
        number=1,
        user=UserFactory(units=[ubkt], clearance=Level.TUYET_MAT),
        user_name=f"{MARKER} người sao",
        unit=ubkt,
        unit_name=ubkt.name,
        purpose="download",
        level=Level.TUYET_MAT,
        sha256="0" * 64,
        mark="0" * 64,
    )
    from sohoa.registry.models import PartyMember, RegistryChange, RegistrySync

    objects["registrysync"] = RegistrySync.objects.create(
        kind="members", file_name=f"{MARKER}.csv", sha256="0" * 64, diff={"new": [], "changed": []}
    )
    objects["partymember"] = PartyMember.objects.create(
        code="99000001", full_name=f"{MARKER} Đảng viên", organization=other
    )
    RegistryChange.objects.create(  # the history of a unit the clerk may see: Office-only all the same
        sync=objects["registrysync"],
        kind="organizations",
        code=ubkt.code,
        object_id=ubkt.pk,
        action="update",
        changes={"name": [MARKER, ubkt.name]},
    )
    from tests.cases.factories import hidden_case

    objects.update(hidden_case(province, MARKER, objects["document"]))
    import datetime as dt

    from sohoa.petitions.models import Petition

    # A tuyệt mật petition of the clerk's own unit and one of another province, both overdue.
    objects["petition"] = Petition.objects.create(
        unit=ubkt,
        received_on=dt.date(2026, 1, 5),
        deadline=dt.date(2026, 1, 14),
        confidentiality=Level.TUYET_MAT,
        summary=f"{MARKER} đơn tố cáo",
        number="1/2026",
    )
    Petition.objects.create(
        unit=other, received_on=dt.date(2026, 1, 5), deadline=dt.date(2026, 1, 14), summary=f"{MARKER} đơn tỉnh khác"
    )
    from tests.reorg.factories import hidden_reorganization

    objects.update(hidden_reorganization(province, MARKER))
    from tests.planning.factories import hidden_planning_objects

    objects.update(hidden_planning_objects(province, objects["entry"], MARKER))
    # The search index holds the hidden document too (a private index for this test).
    from sohoa.search import services as search_services

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    search_services.index_documents([objects["document"].pk])
    return objects


@pytest.fixture
def user(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.NONE)


def _kwargs(route: Route, obj_id: int | None) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in route.kwargs:
        if name in ("pk", "object_id", "id", "document_id", "item_id"):
            values[name] = obj_id if obj_id is not None else 1
        elif name == "direction":
            values[name] = "incoming"
        elif name == "kind":
            values[name] = "acknowledgement"
        elif name == "format":
            values[name] = "json"
        elif name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[name] = ContentType.objects.get(app_label="archive", model="document").pk
        elif name == "app_label":
            values[name] = "archive"
        else:
            pytest.fail(f"no test value for URL argument {name!r} of {route.name}")
    return values


def _target(route: Route, hidden: dict) -> object | None:  # type: ignore[type-arg]
    base = route.name.split(":")[-1] if not route.name.startswith("admin:") else route.name
    if base in OBJECT_URLS:
        return hidden[OBJECT_URLS[base]]
    if base in ADMIN_ONLY_OBJECT_URLS:
        return hidden[ADMIN_ONLY_OBJECT_URLS[base]]
    if route.name == "admin:view_on_site":
        return hidden["document"]
    model = _admin_model(route.name)
    if model and ADMIN_MODELS.get(model):
        return hidden[ADMIN_MODELS[model]]  # type: ignore[index]
    return None


def _url(route: Route, hidden: dict) -> str:  # type: ignore[type-arg]
    target = _target(route, hidden)
    return reverse(route.name, kwargs=_kwargs(route, getattr(target, "pk", None)))


CHECKED = [r for r in ROUTES if _classify(r) not in ("public", "unclassified", "admin-redirect")]


@pytest.mark.django_db
@pytest.mark.parametrize("route", CHECKED, ids=[f"{r.name}{list(r.kwargs)}" for r in CHECKED])
def test_anonymous_gets_no_content(client, hidden, route):  # type: ignore[no-untyped-def]
    response = client.get(_url(route, hidden))
    assert response.status_code in (302, 401, 403, 404), response.status_code
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert MARKER not in response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("route", CHECKED, ids=[f"{r.name}{list(r.kwargs)}" for r in CHECKED])
def test_signed_in_user_never_sees_hidden_objects(client, hidden, user, route):  # type: ignore[no-untyped-def]
    client.force_login(user)
    fetch = client.post if route.name in POST_ONLY else client.get
    response = fetch(_url(route, hidden))
    kind = _classify(route)
    if kind == "object":
        assert response.status_code == 404, f"{route.name} answered {response.status_code}, must be 404"
    if kind == "admin-only-object":
        missing = client.get(reverse(route.name, kwargs={**_kwargs(route, None), "pk": 987654}))
        assert response.status_code in (403, 404) and response.status_code == missing.status_code
    assert MARKER not in response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in CHECKED if r.name.startswith("admin:")],
    ids=[r.name for r in CHECKED if r.name.startswith("admin:")],
)
def test_admin_with_low_clearance_never_sees_hidden_objects(client, hidden, province, route):  # type: ignore[no-untyped-def]
    admin = UserFactory(units=[province["ubkt"]], role=Role.ADMIN, clearance=Level.NONE, is_staff=True)
    client.force_login(admin)
    response = client.get(_url(route, hidden), follow=True)
    target = _target(route, hidden)
    if target is not None and ADMIN_MODELS.get(_admin_model(route.name) or "") != "audit":
        assert MARKER not in response.content.decode(errors="replace")


@pytest.mark.django_db
def test_hidden_objects_are_visible_to_those_allowed(client, hidden, province):
    """The other side: the policy is not simply closed. A province-wide reader with full clearance sees them."""
    reader = UserFactory(units=[province["root"]], role=Role.STANDING_COMMITTEE, clearance=Level.TUYET_MAT)
    client.force_login(reader)
    assert client.get(reverse("document_detail", args=[hidden["document"].pk])).status_code == 200
    assert client.get(reverse("record_detail", args=[hidden["record"].pk])).status_code == 200
    assert MARKER in client.get(reverse("document_list")).content.decode()
    assert MARKER in client.get(reverse("search"), {"q": MARKER.lower()}).content.decode()
    assert client.get(reverse("api-search"), {"q": MARKER.lower()}).json()["total"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["search", "api-search"])
def test_search_never_finds_hidden_objects(client, hidden, user, name):  # type: ignore[no-untyped-def]
    """Searching for the marker itself (lower case: the page echoes the query) finds and counts nothing."""
    client.force_login(user)
    for params in ({"q": MARKER.lower()}, {"q": "văn bản"}, {"q": ""}, {"level": "3"}):
        response = client.get(reverse(name), params, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert MARKER not in response.content.decode()
        if name == "api-search":
            assert response.json()["total"] == 0 and not response.json()["facets"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["report_progress", "report_progress_download"])
def test_reports_on_units_outside_the_scope_answer_404(client, province, user, name):  # type: ignore[no-untyped-def]
    """A report on another province, or on a unit above the user's own, does not exist for them."""
    RegisterEntryFactory(unit=province["ubnd"], subject="ngoài phạm vi")
    client.force_login(user)
    kwargs = {"format": "json"} if name == "report_progress_download" else {}
    for unit in (province["other"], province["root"], province["ubnd"]):
        response = client.get(reverse(name, kwargs=kwargs), {"unit": unit.pk, "from": 2020, "to": 2025})
        assert response.status_code == 404, (unit.code, response.status_code)
    own = client.get(reverse("report_progress_download", kwargs={"format": "json"}), {"from": 2020, "to": 2025})
    assert own.status_code == 200 and own.json()["unit"] == "H12.UBKTTU"
    assert own.json()["totals"]["total"] == 0  # the UBND entry is not counted for a UBKT clerk
