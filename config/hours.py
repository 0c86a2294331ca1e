"""Opening hours: "open at instant t?" and "when does it open next?", as plain functions.

The ``[hours]`` settings (``frontdesk.config.settings.HoursSettings``) give each weekday's
ranges as wall-clock times in one time zone (``"09:00-12:00, 13:00-17:30"``; ``""`` closed;
``"00:00-24:00"`` all day) and a list of closed dates. Instants are POSIX seconds, so a
daylight-saving change is the time zone's business (``zoneinfo``): a range is read on the
wall clock of the day it is on, and an instant is open when its local time falls in one of
its local date's ranges. A wall time skipped by a spring-forward change (02:30 in Europe)
is taken as the offset before the change (``fold=0``), so the day's range starts at 03:30
summer time.

Nothing here reads a clock: the caller passes the instant (the engine's clock), so the rules
are tested on fixed instants, DST changes included.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAY = "00:00-24:00"
SEARCH_DAYS = 400  # "opens next" looks this far ahead (a year of closed dates and a bit)

_RANGE = re.compile(r"([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")

Range = tuple[int, int]  # minutes since local midnight: start < end <= 1440


class HoursError(ValueError):
    """A value of ``[hours]`` that cannot be read; the message says what was expected."""


def parse_ranges(text: str) -> tuple[Range, ...]:
    """``"09:00-12:00, 13:00-17:30"`` as minute ranges, in order; ``""`` is closed."""
    ranges: list[Range] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            if text.strip():
                raise HoursError(f"an empty range in {text!r}")
            continue
        match = _RANGE.fullmatch(part.replace(" ", ""))
        if match is None:
            raise HoursError(f"{part!r} is not a range HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start >= 1440 or end > 1440:
            raise HoursError(f"{part!r}: times go from 00:00 to 24:00")
        if start >= end:
            raise HoursError(f"{part!r}: a range ends after it starts")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if start < end:
            raise HoursError(f"ranges overlap in {text!r}")
    return tuple(ranges)


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursError(f"{name!r} is not a time zone of the tz database") from None


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HoursError(f"{text!r} is not a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class OpeningHours:
    zone: ZoneInfo
    week: tuple[tuple[Range, ...], ...]  # Monday first, seven entries
    closed_days: frozenset[dt.date] = frozenset()

    @classmethod
    def parse(cls, zone: str, week: dict[str, str], closed_days: tuple[str, ...] = ()
              ) -> OpeningHours:
        """From the settings' strings (``HoursError`` on a bad one)."""
        return cls(parse_zone(zone), tuple(parse_ranges(week.get(d, ALL_DAY)) for d in WEEKDAYS),
                   frozenset(parse_day(d) for d in closed_days))

    @property
    def always_open(self) -> bool:
        return not self.closed_days and all(day == ((0, 1440),) for day in self.week)

    def is_open(self, at: float) -> bool:
        local = dt.datetime.fromtimestamp(at, self.zone)
        if local.date() in self.closed_days:
            return False
        minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return any(start <= minute < end for start, end in self.week[local.weekday()])

    def next_opening(self, at: float) -> float | None:
        """The earliest instant ``>= at`` that is open (``at`` itself when open now); None
        when no day of the next ``SEARCH_DAYS`` is open."""
        if self.is_open(at):
            return at
        day = dt.datetime.fromtimestamp(at, self.zone).date()
        for offset in range(SEARCH_DAYS):
            date = day + dt.timedelta(days=offset)
            if date in self.closed_days:
                continue
            for start, _ in self.week[date.weekday()]:
                local = dt.datetime.combine(date, dt.time(start // 60, start % 60),
                                            tzinfo=self.zone)
                instant = local.timestamp()
                if instant > at and self.is_open(instant):
                    return instant
        return None

    def local_iso(self, at: float) -> str:
        """``at`` on this zone's wall clock with its offset (``2026-03-30T09:00:00+02:00``)."""
        return dt.datetime.fromtimestamp(at, self.zone).isoformat(timespec="minutes")


ALWAYS_OPEN = OpeningHours(ZoneInfo("UTC"), tuple(((0, 1440),) for _ in WEEKDAYS))
