"""A small progress bar on stderr for long commands (stdout stays clean for --json output)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """`done/total` with a bar and rate; redraws in place on a terminal, prints a line now and then otherwise."""

    def __init__(self, total: int, label: str = "", stream: TextIO | None = None, width: int = 30) -> None:
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._last_line = 0.0
        self.tty = self.stream.isatty()

    def grow(self, n: int) -> None:
        """More work became known (e.g. the pages of a file just opened)."""
        self.total += n

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done += n
        self._draw(note)

    def _draw(self, note: str = "") -> None:
        now = time.monotonic()
        if not self.tty and now - self._last_line < 2 and self.done < self.total:
            return
        self._last_line = now
        filled = int(self.width * self.done / self.total) if self.total else self.width
        rate = self.done / max(now - self.started, 1e-6)
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} ({rate:.2f}/s) {note}"
        )
        self.stream.write(("\r" + line[:150].ljust(150)) if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
