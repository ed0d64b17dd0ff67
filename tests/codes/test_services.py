"""Mentions and their codes through the services and the document page: suggestions, bulk accept,
automatic application of exact unique matches, typed codes, the index following the registry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sohoa.codes import selectors, services
from sohoa.codes.models import CodeSource, DocumentMention, MentionKind
from sohoa.codes.owners import OWNERS
from sohoa.core.models import AuditEvent
from sohoa.registry.models import PartyMember

DOC = OWNERS["document"]


def _add(clerk, document, name, **kw):  # type: ignore[no-untyped-def]
    return services.mention_add(actor=clerk, owner=DOC, record=document, kind=kw.pop("kind", "person"), name=name, **kw)


def test_typos_and_missing_diacritics_rank_the_intended_member_first(party, clerk, document):
    mentions = [_add(clerk, document, n) for n in ("Tran Thi Thu Ha", "Phạm Quốc Dugn", "PHAM QUOC DUNG")]
    found = selectors.suggestions(clerk, mentions)
    assert [found[m.pk][0].code for m in mentions] == ["DV003", "DV004", "DV004"]


def test_birth_date_and_organization_hints_disambiguate_namesakes(party, clerk, document):
    by_date = _add(clerk, document, "Nguyen Van Hung", birth_date=dt.date(1982, 11, 20))
    by_unit = _add(clerk, document, "Nguyễn Văn Hùng", unit_hint=party["cell_a"])
    found = selectors.suggestions(clerk, [by_date, by_unit])
    assert found[by_date.pk][0].code == "DV002" and found[by_date.pk][1].code == "DV001"
    assert found[by_unit.pk][0].code == "DV001"


def test_reasons_are_readable(party, clerk, document, english):
    m = _add(clerk, document, "Nguyen Van Hung", birth_date=dt.date(1970, 5, 1), unit_hint=party["cell_a"])
    top = selectors.suggestions(clerk, [m])[m.pk][0]
    assert selectors.reason_text(top) == "same name, same date of birth, same organization"
    ended = _add(clerk, document, "Le Minh Tuan")
    assert "no longer an active member" in selectors.reason_text(selectors.suggestions(clerk, [ended])[ended.pk][0])


def test_members_outside_the_users_scope_are_neither_suggested_nor_accepted(party, clerk, document, english):
    m = _add(clerk, document, "Võ Thành Long")
    assert selectors.suggestions(clerk, [m])[m.pk] == []
    with pytest.raises(ValidationError, match="Unknown party member code: DV900"):
        services.mention_set_code(actor=clerk, mention=m, code="DV900")


def test_bulk_accept_sets_every_chosen_code_with_its_source(client, party, clerk, document):
    a = _add(clerk, document, "Tran Thi Thu Ha")
    b = _add(clerk, document, "Pham Quoc Dung")
    client.force_login(clerk)
    url = reverse("document_mentions_accept", args=[document.pk])
    response = client.post(
        url, {"action": "accept", "choice": [f"{a.pk}:DV003", f"{b.pk}:DV004"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.code, b.code) == ("DV003", "DV004")
    assert a.code_source == CodeSource.SUGGESTION and a.code_set_by == clerk
    assert AuditEvent.objects.filter(action="mention_code").count() == 2


def test_bulk_accept_is_all_or_nothing(party, clerk, document):
    a = _add(clerk, document, "Tran Thi Thu Ha")
    b = _add(clerk, document, "Pham Quoc Dung")
    with pytest.raises(ValidationError):
        services.mentions_set_codes(actor=clerk, choices=[(a, "DV003"), (b, "NOPE")])
    assert DocumentMention.objects.filter(code="").count() == 2


def test_auto_apply_only_exact_unique_matches_and_only_when_allowed(client, party, clerk, document, english):
    ambiguous = _add(clerk, document, "Nguyễn Văn Hùng")  # two namesakes, no hint
    dated = _add(clerk, document, "NGUYEN VAN HUNG", birth_date=dt.date(1970, 5, 1))
    in_cell = _add(clerk, document, "Nguyễn Văn Hùng", unit_hint=party["cell_b"])
    fuzzy = _add(clerk, document, "Tran Thi Thu Haa", birth_date=dt.date(1965, 2, 3))  # close, not exact
    org = _add(clerk, document, "chi bo ban to chuc", kind=MentionKind.ORGANIZATION)
    client.force_login(clerk)
    url = reverse("document_mentions_accept", args=[document.pk])

    refused = client.post(url, {"action": "auto"}, HTTP_HX_REQUEST="true")
    assert "Tick the box" in refused.content.decode()
    assert client.post(url, {"action": "auto"}).status_code == 400  # without htmx: the page, with its status
    assert DocumentMention.objects.exclude(code="").count() == 0

    assert client.post(url, {"action": "auto", "allow_auto": "1"}, HTTP_HX_REQUEST="true").status_code == 200
    codes = {m.pk: m.code for m in DocumentMention.objects.all()}
    assert codes[ambiguous.pk] == "" and codes[fuzzy.pk] == ""
    assert codes[dated.pk] == "DV001" and codes[in_cell.pk] == "DV002" and codes[org.pk] == "H12.TU.CB02"
    assert DocumentMention.objects.get(pk=dated.pk).code_source == CodeSource.AUTO


def test_typed_unknown_code_is_refused_with_a_clear_message(client, party, clerk, document, english):
    client.force_login(clerk)
    url = reverse("document_mentions", args=[document.pk])
    response = client.post(url, {"kind": "person", "name": "Nguyễn Văn Hùng", "code": "XX123"}, HTTP_HX_REQUEST="true")
    assert "Unknown party member code: XX123." in response.content.decode()
    response = client.post(url, {"kind": "person", "name": "Nguyễn Văn Hùng", "code": "XX123"})
    assert response.status_code == 400
    assert "Unknown party member code: XX123." in response.content.decode()
    assert not DocumentMention.objects.exists()
    ok = client.post(url, {"kind": "person", "name": "Nguyễn Văn Hùng", "code": "DV002"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert DocumentMention.objects.get().code_source == CodeSource.TYPED
    with pytest.raises(ValidationError, match="Unknown party organization code"):
        _add(clerk, document, "Chi bộ X", kind=MentionKind.ORGANIZATION, code="DV001")


def test_code_check_answers_as_the_clerk_types(client, party, clerk, english):
    client.force_login(clerk)
    url = reverse("code_check")
    assert "Nguyễn Văn Hùng (20/11/1982)" in client.get(url, {"kind": "person", "code": "DV002"}).content.decode()
    assert "Unknown party member code" in client.get(url, {"kind": "person", "code": "DV9"}).content.decode()
    assert "Unknown party member code" in client.get(url, {"kind": "person", "code": "DV900"}).content.decode()
    assert "Ban Tổ chức" in client.get(url, {"kind": "organization", "code": "H12.TU.CB02"}).content.decode()


def test_the_document_page_loads_the_section_and_it_lists_suggestions(client, party, clerk, document):
    _add(clerk, document, "Tran Thi Thu Ha")
    client.force_login(clerk)
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("document_mentions", args=[document.pk]) in page
    section = client.get(reverse("document_mentions", args=[document.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "DV003" in section and "Trần Thị Thu Hà" in section


def test_the_index_follows_changes_of_the_registry(party, clerk, document):
    m = _add(clerk, document, "Hoàng Thị Mai")
    assert selectors.suggestions(clerk, [m])[m.pk] == []
    PartyMember(code="DV010", full_name="Hoàng Thị Mai", organization=party["cell_a"]).save()
    assert selectors.suggestions(clerk, [m])[m.pk][0].code == "DV010"
