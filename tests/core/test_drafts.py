"""Form drafts (issue 9, decision 0031): own drafts only, sealed at rest, deleted on submit, purged when old."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sohoa.core import drafts, policy, selectors, services
from sohoa.core.models import Draft, Level, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY = "document@/documents/new/"
VALUES = {"notation": ["77-CV/UBKTTU"], "subject": ["Bản nháp BIMATNHAP"], "confidentiality": ["0"]}


@pytest.fixture
def clerk(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.NONE, username="clerk")


@pytest.fixture
def other(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.TUYET_MAT, username="other")


@pytest.fixture
def admin(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["root"]], role=Role.ADMIN, clearance=Level.TUYET_MAT, is_staff=True)


def _document_data(unit, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "notation": "15/QĐ-UBND",
        "doc_type": "QĐ",
        "issued_date": "2024-05-02",
        "issuer": "Ủy ban nhân dân tỉnh Cà Mau",
        "subject": "Về việc phòng chống bão lũ năm 2024",
        "unit": unit.pk,
        "confidentiality": Level.NONE,
        "language": "vi",
        "access_regime": "open",
    }
    data.update(overrides)
    return data


def _widget(page: str) -> dict[str, str]:
    """The attributes of the draft widget a form page renders."""
    match = re.search(r'<div class="drafts"([^>]*)>', page)
    assert match, "no draft widget on the page"
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', match.group(1))}


def _cleared(page: str) -> list[str]:
    match = re.search(r'<meta name="sohoa-drafts"[^>]*data-cleared="([^"]*)"', page)
    return json.loads(html.unescape(match.group(1))) if match else []


# ---- services and selectors --------------------------------------------------------------------------


def test_a_saved_draft_is_read_back_by_its_owner_and_sealed_at_rest(clerk):
    draft = services.draft_save(actor=clerk, key=KEY, data=VALUES, level=0)

    found = selectors.draft_values(clerk, KEY)
    assert found is not None and found[1] == VALUES
    assert b"BIMATNHAP" not in bytes(Draft.objects.get(pk=draft.pk).sealed)


def test_saving_again_replaces_the_users_draft_of_the_form(clerk):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    services.draft_save(actor=clerk, key=KEY, data={"notation": ["78-CV"]}, level=2)

    draft = Draft.objects.get()
    assert draft.level == 2
    assert selectors.draft_values(clerk, KEY)[1] == {"notation": ["78-CV"]}  # type: ignore[index]


def test_a_user_never_reads_or_deletes_someone_elses_draft(clerk, other, admin):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)

    for stranger in (other, admin):  # not even an administrator with every clearance
        assert selectors.draft_get(stranger, KEY) is None
        assert not services.draft_discard(actor=stranger, key=KEY)
        assert not policy.restrict(stranger, Draft.objects.all()).exists()
    assert selectors.draft_values(clerk, KEY) is not None


def test_the_same_form_keeps_one_draft_per_user(clerk, other):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    services.draft_save(actor=other, key=KEY, data={"notation": ["khác"]})

    assert selectors.draft_values(clerk, KEY)[1] == VALUES  # type: ignore[index]
    assert selectors.draft_values(other, KEY)[1] == {"notation": ["khác"]}  # type: ignore[index]


def test_a_sealed_draft_cannot_be_moved_to_another_user(clerk, other):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    Draft.objects.update(user=other)

    assert selectors.draft_values(other, KEY) is None  # bound to its owner: does not open


def test_a_draft_sealed_under_a_key_no_longer_kept_counts_as_none(clerk):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    Draft.objects.update(kid="0" * 16)  # as after a completed key rotation

    assert selectors.draft_values(clerk, KEY) is None


def test_anonymous_users_cannot_save_drafts():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.draft_save(actor=AnonymousUser(), key=KEY, data=VALUES)
    assert not services.draft_discard(actor=AnonymousUser(), key=KEY)


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("", VALUES, "its name is missing or too long"),
        ("x" * 300, VALUES, "its name is missing or too long"),
        (KEY, ["not", "a", "dict"], "not a list of form fields"),
        (KEY, {"a": [1, 2]}, "not a list of form fields"),
        (KEY, {"a": ["x" * (drafts.MAX_VALUE_CHARS + 1)]}, "too long to keep"),
        (KEY, {f"f{i}": ["x" * 90_000] for i in range(4)}, "too large to keep"),
    ],
)
def test_bad_drafts_are_refused_with_a_clear_message(clerk, english, key, data, message):
    with pytest.raises(ValidationError) as exc:
        services.draft_save(actor=clerk, key=key, data=data)

    assert message in " ".join(exc.value.messages)
    assert not Draft.objects.exists()


def test_old_drafts_are_purged_and_recent_ones_kept(clerk, other, settings):
    settings.SOHOA_DRAFT_DAYS = 14
    old = services.draft_save(actor=clerk, key=KEY, data=VALUES)
    recent = services.draft_save(actor=other, key=KEY, data=VALUES)
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=15))
    Draft.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - dt.timedelta(days=13))

    assert services.drafts_purge() == 1
    assert list(Draft.objects.values_list("pk", flat=True)) == [recent.pk]
    assert services.drafts_purge() == 0  # safe to re-run


def test_the_nightly_task_purges_old_drafts(clerk, settings):
    from sohoa.core.tasks import drafts_purge

    settings.SOHOA_DRAFT_DAYS = 3
    draft = services.draft_save(actor=clerk, key=KEY, data=VALUES)
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=4))

    drafts_purge.call_local()

    assert not Draft.objects.exists()


# ---- the JSON endpoint --------------------------------------------------------------------------------


def _csrf_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("document_create"))  # sets the CSRF cookie
    return client


def _post(client: Client, name: str, body: object, **extra: str):  # type: ignore[no-untyped-def]
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(
        reverse(name), json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token, **extra
    )


def test_the_endpoint_saves_and_returns_the_users_own_draft(clerk):
    client = _csrf_client(clerk)

    response = _post(client, "draft", {"key": KEY, "data": VALUES, "level": 0})

    assert response.status_code == 200 and response.json()["saved"] is True
    got = client.get(reverse("draft"), {"key": KEY}).json()
    assert got["data"] == VALUES and got["level"] == 0


def test_the_endpoint_refuses_a_save_without_the_csrf_token(clerk):
    client = _csrf_client(clerk)

    response = client.post(reverse("draft"), json.dumps({"key": KEY, "data": VALUES}), content_type="application/json")

    assert response.status_code == 403
    assert not Draft.objects.exists()


def test_the_endpoint_answers_401_with_the_reason_when_the_session_has_expired(client, english):
    for response in (
        client.post(reverse("draft"), json.dumps({"key": KEY, "data": VALUES}), content_type="application/json"),
        client.get(reverse("draft"), {"key": KEY}),
        client.get(reverse("draft_discard")),
    ):
        assert response.status_code == 401
        assert "Your session has expired; what you typed is kept" in response.json()["error"]
        assert response.json()["login_url"] == reverse("login")


def test_the_endpoint_gives_nothing_of_another_users_draft(clerk, other):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    client = _csrf_client(other)

    assert client.get(reverse("draft"), {"key": KEY}).json() == {"data": None}
    assert _post(client, "draft_discard", {"key": KEY}).json() == {"discarded": False}
    assert selectors.draft_values(clerk, KEY) is not None


def test_the_endpoint_explains_bad_input_and_keeps_nothing(clerk, english):
    client = _csrf_client(clerk)
    token = client.cookies["csrftoken"].value

    not_json = client.post(reverse("draft"), "{not json", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    too_big = _post(client, "draft", {"key": KEY, "data": {"a": ["x" * (drafts.MAX_VALUE_CHARS + 1)]}})

    assert not_json.status_code == too_big.status_code == 400
    assert not_json.json()["error"] == "The draft is not a list of form fields."
    assert "too long to keep as a draft" in too_big.json()["error"]
    assert not Draft.objects.exists()


def test_the_discard_button_deletes_the_draft(clerk):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    client = _csrf_client(clerk)

    assert _post(client, "draft_discard", {"key": KEY}).json() == {"discarded": True}
    assert not Draft.objects.exists()


# ---- the forms that opted in: document and register entry --------------------------------------------


def test_the_document_form_offers_drafts_and_carries_the_users_server_draft(client, clerk):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    client.force_login(clerk)

    widget = _widget(client.get(reverse("document_create")).content.decode())

    assert widget["data-draft"] == KEY
    assert widget["data-draft-user"] == str(clerk.pk)
    assert json.loads(widget["data-draft-server"]) == VALUES
    assert widget["data-draft-bound"] == "0"


def test_the_form_page_of_another_user_carries_no_draft_of_theirs(client, clerk, other):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    client.force_login(other)

    page = client.get(reverse("document_create")).content.decode()

    assert "BIMATNHAP" not in page and "data-draft-server" not in _widget(page)


def test_an_edit_form_of_a_classified_document_is_a_classified_draft(client, province):
    from tests.factories import DocumentFactory

    user = UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.TOI_MAT)
    document = DocumentFactory(unit=province["ubkt"], confidentiality=Level.MAT)
    client.force_login(user)

    widget = _widget(client.get(reverse("document_edit", args=[document.pk])).content.decode())

    assert widget["data-draft"] == f"document@/documents/{document.pk}/edit/"
    assert widget["data-draft-level"] == "1" and widget["data-draft-level-field"] == "confidentiality"


def test_a_successful_submit_deletes_the_draft_and_the_next_page_clears_the_browser_copy(client, clerk, province):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    other_form = services.draft_save(actor=clerk, key="register_entry@/registers/incoming/new/", data=VALUES)
    client.force_login(clerk)

    response = client.post(reverse("document_create"), _document_data(province["ubkt"]))

    assert response.status_code == 302
    assert list(Draft.objects.all()) == [other_form]  # only the submitted form's draft
    detail = client.get(response.url).content.decode()
    assert _cleared(detail) == [KEY]
    assert _cleared(client.get(reverse("dashboard")).content.decode()) == []  # once


def test_a_submit_with_errors_keeps_the_draft_and_shows_what_was_sent(client, clerk, province):
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    client.force_login(clerk)

    response = client.post(reverse("document_create"), _document_data(province["ubkt"], issued_date="không phải ngày"))

    assert response.status_code == 400
    assert Draft.objects.filter(key=KEY).exists()
    assert _widget(response.content.decode())["data-draft-bound"] == "1"


def test_a_submit_refused_as_a_duplicate_keeps_the_draft(client, clerk, province):
    from tests.factories import DocumentFactory

    DocumentFactory(notation="15/QĐ-UBND", issuer="Ủy ban nhân dân tỉnh Cà Mau", unit=province["ubkt"])
    services.draft_save(actor=clerk, key=KEY, data=VALUES)
    client.force_login(clerk)

    response = client.post(reverse("document_create"), _document_data(province["ubkt"]))

    assert response.status_code == 400  # the duplicate warning: nothing registered, the draft stays
    assert Draft.objects.filter(key=KEY).exists()
    assert re.search(r'name="allow_duplicate"[^>]*data-draft-skip|data-draft-skip[^>]*name="allow_duplicate"',
                     response.content.decode())  # "register anyway" is never drafted  # fmt: skip


def test_a_register_entry_submit_deletes_its_draft(client, clerk, province):
    key = "register_entry@/registers/incoming/new/"
    services.draft_save(actor=clerk, key=key, data={"subject": ["V/v chuẩn bị hội nghị"]})
    client.force_login(clerk)
    assert _widget(client.get(reverse("register_create", args=["incoming"])).content.decode())["data-draft"] == key

    response = client.post(
        reverse("register_create", args=["incoming"]),
        {
            "unit": province["ubkt"].pk,
            "year": 2025,
            "arrival_date": "2025-03-04",
            "author": "UBND tỉnh Cà Mau",
            "notation": "12/UBND-VP",
            "doc_date": "2025-03-03",
            "subject": "V/v chuẩn bị hội nghị",
            "confidentiality": Level.NONE,
        },
    )

    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_forms_that_did_not_opt_in_show_no_draft_widget(client, clerk):
    client.force_login(clerk)

    assert 'class="drafts"' not in client.get(reverse("fonds_create")).content.decode()


def test_every_page_tells_the_script_whose_browser_copies_it_may_touch(client, clerk, settings):
    settings.SOHOA_DRAFT_DAYS = 9
    client.force_login(clerk)

    page = client.get(reverse("dashboard")).content.decode()

    assert f'<meta name="sohoa-drafts" data-user="{clerk.pk}" data-days="9"' in page
    assert "data-drafts-logout" in page
    assert "core/drafts.js" in page
