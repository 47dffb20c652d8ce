"""The compliance digest's periods, without I/O: which period a moment falls in and when its digest is due.

A company gets its digest once per period: weekly (an ISO week, ``2026-W49``, due on its Monday
from ``SEND_HOUR``) or monthly (a calendar month, ``2026-12``, due on its first day from
``SEND_HOUR``), in the company's time zone. A digest staff ask for on the company's page has a
period of its own, ``now-<token>``. The period id is the sort key of the digest's item, so a
period's digest is created once.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from ..rules import DIGEST_MONTHLY as MONTHLY
from ..rules import DIGEST_PERIODS as PERIODS
from ..rules import DIGEST_WEEKLY as WEEKLY

# A digest asked for on the company's page: a period of its own, sent at once.
NOW = "now"
# The local hour from which a period's digest is due, on its first day.
SEND_HOUR = 8

_WEEK_ID = re.compile(r"(\d{4})-W(\d{2})")
_MONTH_ID = re.compile(r"(\d{4})-(\d{2})")
_NOW_PREFIX = f"{NOW}-"


@dataclass(frozen=True)
class Period:
    """One period of a cadence: its id, its first and last day, and the moment its digest is due (aware)."""

    cadence: str
    id: str
    first_day: date
    last_day: date
    send_at: datetime


def period_of(cadence: str, *, now: datetime, tz: tzinfo) -> Period:
    """Return the period of ``cadence`` (weekly or monthly) that ``now`` falls in, in time zone ``tz``."""
    local = now.astimezone(tz).date()
    if cadence == WEEKLY:
        year, week, weekday = local.isocalendar()
        first = local - timedelta(days=weekday - 1)
        return Period(WEEKLY, f"{year}-W{week:02d}", first, first + timedelta(days=6), _send_at(first, tz))
    if cadence == MONTHLY:
        first = local.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(
            MONTHLY, f"{first.year}-{first.month:02d}", first, following - timedelta(days=1), _send_at(first, tz)
        )
    raise ValueError(f"No digest period is called {cadence!r}.")


def _send_at(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(SEND_HOUR), tzinfo=tz)


def due_period(cadence: str | None, *, now: datetime, tz: tzinfo, since: datetime | None = None) -> Period | None:
    """Return the period whose digest is due at ``now``, or ``None``.

    ``None`` without a cadence, before the current period's sending moment (a Monday before 08:00),
    and when the cadence was chosen (``since``) after that moment: the first digest goes out at the
    next period's, not at once. A digest not sent at its moment (the scheduler was stopped) is still
    due until its period ends.
    """
    if cadence not in PERIODS:
        return None
    period = period_of(cadence, now=now, tz=tz)
    if now < period.send_at or (since is not None and since > period.send_at):
        return None
    return period


def adhoc_period(token: str) -> str:
    """Return the period id of a digest asked for on the company's page with the form's ``token``."""
    return f"{_NOW_PREFIX}{token}"


def cadence_of(period_id: str) -> str:
    """Return the cadence a period id names: weekly, monthly or now."""
    if period_id.startswith(_NOW_PREFIX):
        return NOW
    if _WEEK_ID.fullmatch(period_id):
        return WEEKLY
    if _MONTH_ID.fullmatch(period_id):
        return MONTHLY
    raise ValueError(f"{period_id!r} is no digest period.")


def period_days(period_id: str) -> tuple[date, date] | None:
    """Return the first and last day of a weekly or monthly period id, ``None`` for one asked for on the page."""
    if match := _WEEK_ID.fullmatch(period_id):
        first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return first, first + timedelta(days=6)
    if match := _MONTH_ID.fullmatch(period_id):
        first = date(int(match[1]), int(match[2]), 1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return None
