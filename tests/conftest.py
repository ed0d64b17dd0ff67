"""Shared fixtures: a small province tree and users placed in it."""

from __future__ import annotations

import pytest

from sohoa.core.models import Level, Role
from tests.factories import PASSWORD, UnitFactory, UserFactory


@pytest.fixture
def province(db):  # type: ignore[no-untyped-def]
    """A province with two branches: party (TU → UBKT) and state (UBND)."""
    root = UnitFactory(code="H12", name="Tỉnh Cà Mau")
    tu = UnitFactory(code="H12.TU", name="Tỉnh ủy Cà Mau", parent=root)
    ubkt = UnitFactory(code="H12.UBKTTU", name="Ủy ban Kiểm tra Tỉnh ủy", short_name="UBKTTU", parent=tu)
    ubnd = UnitFactory(code="H12.UBND", name="Ủy ban nhân dân tỉnh", parent=root)
    other = UnitFactory(code="H99", name="Tỉnh khác")
    return {"root": root, "tu": tu, "ubkt": ubkt, "ubnd": ubnd, "other": other}


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    def make(unit, role=Role.CLERK, clearance=Level.NONE, **kwargs):  # type: ignore[no-untyped-def]
        return UserFactory(units=[unit], role=role, clearance=clearance, **kwargs)

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _audit_checkpoint_file(settings, tmp_path, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Each test its own checkpoint file (the database rolls back between tests, a file would not) and its
    own search-permission marker (another worker's changes must not reach this test's cache; in a folder
    of its own, since tests list the files of tmp_path)."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    settings.SEARCH_POLICY_MARKER = tmp_path_factory.mktemp("policy") / "search-policy.generation"


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Rate-limit counters and the search's permission filters are cached: each test starts from zero."""
    from django.core.cache import cache

    from sohoa.search.query import forget_policies

    cache.clear()
    forget_policies()
    yield


@pytest.fixture
def english(settings):  # type: ignore[no-untyped-def]
    """English for tests that read messages (the interface default is Vietnamese), also for the client."""
    from django.utils.translation import override

    settings.LANGUAGE_CODE = "en"  # what LocaleMiddleware falls back to
    with override("en"):
        yield
