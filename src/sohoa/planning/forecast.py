"""Burn-down and forecast arithmetic, free of the database so it can be checked by hand.

remaining(day) = total − documents digitized up to the end of that day;
throughput = documents digitized in the last `window` days ÷ window (documents per day);
forecast = today + ceil(remaining ÷ throughput); on track when the forecast is not after the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: Throughput is measured over the last WINDOW_DAYS days (two working weeks).
WINDOW_DAYS = 14


class Outlook:
    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"


@dataclass
class Forecast:
    total: int
    done: int
    remaining: int
    throughput: float  # documents per day over the window
    window: int
    finish: dt.date | None  # None: nothing digitized lately, so no finish date can be given
    deadline: dt.date | None
    outlook: str
    burndown: list[tuple[dt.date, int]]  # (day, remaining at the end of it)

    @property
    def at_risk(self) -> bool:
        return self.outlook == Outlook.AT_RISK

    @property
    def days_late(self) -> int | None:
        if self.finish is None or self.deadline is None:
            return None
        return max((self.finish - self.deadline).days, 0)


def forecast(
    *,
    total: int,
    done_dates: Iterable[dt.date],
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None = None,
    window: int = WINDOW_DAYS,
) -> Forecast:
    """The burn-down from `start` (or the first digitized day) to today, and the forecast finish date."""
    dates = [d for d in done_dates if d <= today]
    done = len(dates)
    remaining = max(total - done, 0)
    window = max(window, 1)
    recent = sum(1 for d in dates if (today - d).days < window)
    throughput = recent / window
    if remaining == 0:
        finish: dt.date | None = max(dates) if dates else today
    elif recent > 0:
        # ceil(remaining ÷ (recent ÷ window)) in integers: floats would make 28.000000000000004 days 29.
        finish = today + dt.timedelta(days=-(-remaining * window // recent))
    else:
        finish = None
    if remaining == 0:
        outlook = Outlook.DONE
    elif finish is not None and (deadline is None or finish <= deadline):
        outlook = Outlook.ON_TRACK
    else:
        outlook = Outlook.AT_RISK
    per_day = Counter(dates)
    first = min([start or today, *per_day.keys()])
    burndown, left, day = [], total, first
    while day <= today:
        left -= per_day.get(day, 0)
        burndown.append((day, left))
        day += dt.timedelta(days=1)
    return Forecast(total, done, remaining, throughput, window, finish, deadline, outlook, burndown)
