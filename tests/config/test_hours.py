"""config/hours.py: open at an instant, opens next, on fixed instants across DST changes;
and the [hours] settings refused at load with a clear error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.config.hours import ALWAYS_OPEN, HoursError, OpeningHours, parse_ranges
from frontdesk.config.loader import load_settings
from frontdesk.engine.errors import ConfigError

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_TO_5 = {"mon": "09:00-12:00, 13:00-17:30", "tue": "09:00-17:30",
                   "wed": "09:00-17:30", "thu": "09:00-17:30", "fri": "09:00-17:30",
                   "sat": "", "sun": ""}


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    return dt.datetime(y, mo, d, h, mi, tzinfo=PARIS).timestamp()


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    return dt.datetime(y, mo, d, h, mi, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def hours() -> OpeningHours:
    return OpeningHours.parse("Europe/Paris", WEEKDAYS_9_TO_5, ("2026-12-25",))


def test_ranges_are_read_in_order() -> None:
    assert parse_ranges("") == ()
    assert parse_ranges("13:00-17:30, 09:00-12:00") == ((540, 720), (780, 1050))
    assert parse_ranges("00:00-24:00") == ((0, 1440),)
    for bad, why in [("9-5", "not a range"), ("09:00-08:00", "ends after"),
                     ("09:00-12:00, 11:00-13:00", "overlap"), ("24:00-24:00", "00:00 to 24:00"),
                     ("09:00-12:00,", "empty range"), ("25:00-26:00", "not a range")]:
        with pytest.raises(HoursError, match=why):
            parse_ranges(bad)


def test_open_within_a_weekday_range_closed_at_lunch_weekends_and_holidays(
        hours: OpeningHours) -> None:
    assert hours.is_open(at(2026, 12, 7, 9))  # a Monday, 09:00 sharp
    assert not hours.is_open(at(2026, 12, 7, 8, 59))
    assert not hours.is_open(at(2026, 12, 7, 12, 30))  # lunch
    assert hours.is_open(at(2026, 12, 7, 17, 29))
    assert not hours.is_open(at(2026, 12, 7, 17, 30))  # the end is excluded
    assert not hours.is_open(at(2026, 12, 5, 11))  # Saturday
    assert not hours.is_open(at(2026, 12, 25, 11))  # a Friday, closed day
    assert ALWAYS_OPEN.always_open and not hours.always_open


def test_opens_next(hours: OpeningHours) -> None:
    now = at(2026, 12, 7, 10)
    assert hours.next_opening(now) == now  # open now
    assert hours.next_opening(at(2026, 12, 7, 12, 15)) == at(2026, 12, 7, 13)  # after lunch
    assert hours.next_opening(at(2026, 12, 4, 18)) == at(2026, 12, 7, 9)  # Friday evening
    # Thursday evening before Christmas: Friday is closed, so Monday
    assert hours.next_opening(at(2026, 12, 24, 18)) == at(2026, 12, 28, 9)
    closed = OpeningHours.parse("UTC", dict.fromkeys(WEEKDAYS_9_TO_5, ""))
    assert closed.next_opening(utc(2026, 12, 7, 10)) is None
    assert hours.local_iso(at(2026, 12, 7, 9)) == "2026-12-07T09:00+01:00"


def test_wall_clock_times_hold_across_daylight_saving_changes(hours: OpeningHours) -> None:
    # Paris goes to summer time on Sunday 2026-03-29 (02:00 -> 03:00): Monday 09:00 is 07:00 UTC
    assert hours.next_opening(at(2026, 3, 27, 18)) == utc(2026, 3, 30, 7)
    assert hours.is_open(utc(2026, 3, 30, 7)) and not hours.is_open(utc(2026, 3, 30, 6, 59))
    # ... and back on Sunday 2026-10-25 (03:00 -> 02:00): Monday 09:00 is 08:00 UTC
    assert hours.next_opening(at(2026, 10, 23, 18)) == utc(2026, 10, 26, 8)
    assert not hours.is_open(utc(2026, 10, 26, 7, 30))


def test_a_start_skipped_by_spring_forward_opens_after_the_gap() -> None:
    night = OpeningHours.parse("Europe/Paris", {d: "02:30-04:00" for d in WEEKDAYS_9_TO_5})
    # 2026-03-29 02:30 does not exist in Paris: it opens at 03:00 summer time (01:00 UTC)
    opened = night.next_opening(at(2026, 3, 29, 1))
    assert opened is not None and night.is_open(opened)
    assert utc(2026, 3, 29, 1) <= opened <= utc(2026, 3, 29, 1, 30)
    assert night.is_open(utc(2026, 3, 29, 1, 30))  # 03:30 summer time
    # the repeated hour of autumn: 02:30 happens twice, both are open
    assert night.is_open(utc(2026, 10, 25, 0, 30)) and night.is_open(utc(2026, 10, 25, 1, 30))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_are_loaded_and_bad_ones_refused_naming_the_key(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, '[hours]\ntime_zone = "Europe/Paris"\nsat = ""\n'
                                      'closed_days = ["2026-12-25"]\n'), {})
    assert (s.hours.time_zone, s.hours.sat, s.hours.closed_days) == (
        "Europe/Paris", "", ("2026-12-25",))
    assert load_settings(None, {}).hours.mon == "00:00-24:00"
    with pytest.raises(ConfigError, match=r'hours\.mon: expected ranges like "09:00-17:30".*'
                                          r'got "9-5" \(from .*frontdesk\.toml\)'):
        load_settings(write(tmp_path, '[hours]\nmon = "9-5"\n'), {})
    with pytest.raises(ConfigError, match=r'hours\.time_zone: expected a tz database time zone'
                                          r'.*got "Mars/Olympus" \(from FRONTDESK_HOURS__TIME'):
        load_settings(None, {"FRONTDESK_HOURS__TIME_ZONE": "Mars/Olympus"})
    with pytest.raises(ConfigError, match=r'hours\.closed_days: expected dates like'
                                          r' "2026-12-25".*got \["2026-13-01"\]'):
        load_settings(None, {"FRONTDESK_HOURS__CLOSED_DAYS": "2026-13-01"})
    with pytest.raises(ConfigError, match=r"offline\.notify_address: expected an e-mail"):
        load_settings(None, {"FRONTDESK_OFFLINE__NOTIFY_ADDRESS": "not an address"})
