"""The security tests read English messages; the interface default is Vietnamese."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(english):  # type: ignore[no-untyped-def]
    return english
