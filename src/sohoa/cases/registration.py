"""What the cases app adds to other apps' tables: its mention model (codes.owners: missing-codes
report and suggestions) and its reorganization kind (reorg.kinds: case files pass to a successor)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from sohoa.registry.models import Unit


def _propose_cases(unit: Unit) -> Iterable[Any]:
    """Every case file the dissolved unit handles, open or closed (a closed one follows its record)."""
    from sohoa.reorg.kinds import Proposed

    from .models import Case

    for case in Case.objects.filter(unit=unit).order_by("code"):
        # A classified case's title is not copied into the proposal or the minutes (as for records).
        label = case.title if not case.confidentiality else str(case.get_confidentiality_display())
        if not case.closed:
            label = f"{label} ({case.get_stage_display()})"
        yield Proposed(
            case.pk,
            label,
            code=case.code,
            documents=case.documents.count(),
            parent=("record", case.record_id) if case.record_id else None,
        )


def _move_cases(ids: list[int], source: Unit, target: Unit | None, actor: Any) -> int:
    from .models import Case

    # Only cases still handled by the dissolved unit: a stale proposal moves nothing it should not.
    return int(Case.objects.filter(pk__in=ids, unit=source).update(unit=target))


def register() -> None:
    from sohoa.codes.owners import OWNERS, Owner
    from sohoa.reorg import kinds

    from .models import CaseSubject

    OWNERS["case"] = Owner(
        kind="case",
        label=_("Case file"),
        mention_model=CaseSubject,
        field="case",
        unit_field="case__unit",
        url_name="case_detail",
    )
    kinds.register(kinds.Kind("case", _("Case file"), _propose_cases, _move_cases))
