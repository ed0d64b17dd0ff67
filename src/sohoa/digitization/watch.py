"""A watched folder per unit for network scanners: files are taken once they have stopped changing.

A scanner writes a file over seconds; a file is ready when its size and modification time have not
changed for `settle` seconds and its name is not a temporary one. Taken files are moved into
`DIR/.sohoa/taken/` (nothing is deleted: the scanner's copy stays until someone clears it).
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.registry.models import Unit

from .models import Intake
from .services import intake_create

TEMPORARY = (".part", ".tmp", ".crdownload", ".partial", "~")


@dataclass
class WatchState:
    seen: dict[Path, tuple[int, float, float]] = field(default_factory=dict)  # size, mtime, first seen same


def _candidates(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and not p.name.lower().endswith(TEMPORARY)
    )


def scan_once(
    directory: Path, unit: Unit, state: WatchState, *, settle: float = 5.0, confidentiality: int = 0
) -> list[Intake]:
    """Take every file that has been stable for `settle` seconds; returns the intakes created."""
    now, taken_dir, intakes = time.monotonic(), directory / ".sohoa" / "taken", []
    batch = uuid.uuid4()
    for file in _candidates(directory):
        try:
            stat = file.stat()
        except FileNotFoundError:
            continue
        signature = (stat.st_size, stat.st_mtime)
        previous = state.seen.get(file)
        if previous is None or previous[:2] != signature:
            state.seen[file] = (*signature, now)
            continue
        if now - previous[2] < settle:
            continue
        with open(file, "rb") as fh:
            intakes.append(
                intake_create(
                    actor=None,
                    file=fh,
                    name=file.name,
                    unit=unit,
                    source=Intake.Source.FOLDER,
                    batch=batch,
                    confidentiality=confidentiality,
                )
            )
        taken_dir.mkdir(parents=True, exist_ok=True)
        target = taken_dir / file.name
        if target.exists():
            target = taken_dir / f"{file.stem}-{uuid.uuid4().hex[:6]}{file.suffix}"
        shutil.move(str(file), target)
        del state.seen[file]
    return intakes
