"""Shared fixtures of the petitions tests (add yours; never rewrite others')."""

from __future__ import annotations

import datetime as dt

import pytest

from sohoa.core.models import Level, Role
from tests.factories import UserFactory


@pytest.fixture
def make_petition(province):  # type: ignore[no-untyped-def]
    """A registered petition (state received, deadline computed) of UBKT unless told otherwise."""
    from sohoa.petitions import deadlines
    from sohoa.petitions.models import Petition, PetitionEvent

    def make(**kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("unit", province["ubkt"])
        kwargs.setdefault("received_on", dt.date(2026, 2, 12))
        kwargs.setdefault("summary", "Tố cáo cán bộ xã nhận tiền")
        petition = Petition.objects.create(**kwargs)
        PetitionEvent.objects.create(petition=petition, action="received", state=petition.state)
        petition.deadline = deadlines.compute(petition)
        petition.save(update_fields=["deadline"])
        return petition

    return make


@pytest.fixture
def inspector(province):  # type: ignore[no-untyped-def]
    """An inspector of UBKT cleared for Mật."""
    return UserFactory(units=[province["ubkt"]], role=Role.INSPECTOR, clearance=Level.MAT)


@pytest.fixture
def leader(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["ubkt"]], role=Role.UNIT_LEADER, clearance=Level.TOI_MAT)


# ---- petitions-intake (A): files through the digitization pipeline --------------------------------------


@pytest.fixture
def petition_storage(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Files of one test in their own root (xdist workers share the data dir; intake ids repeat)."""
    location = tmp_path_factory.mktemp("files")
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": location}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return location


@pytest.fixture
def stub_ocr(monkeypatch):  # type: ignore[no-untyped-def]
    """A stand-in OCR engine returning `stub_ocr.text` for every page (tests about petitions, not OCR)."""
    from sohoa.digitization import ocr
    from tests.petitions.helpers import StubEngine

    engine = StubEngine()
    monkeypatch.setattr(ocr, "engine", lambda: engine)
    return engine
