"""The digest's periods: which week or month a moment falls in, and when its digest is due, in São Paulo's time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from enrollments.digests import periods

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=SAO_PAULO)


def test_period_of__weekly__iso_week_from_monday_to_sunday_in_local_time():
    # Sunday 23:30 in São Paulo is already Monday in UTC: the local day decides.
    sunday_night = _local(2026, 12, 6, 23, 30)

    period = periods.period_of(periods.WEEKLY, now=sunday_night.astimezone(UTC), tz=SAO_PAULO)

    assert (period.id, period.first_day, period.last_day) == ("2026-W49", date(2026, 11, 30), date(2026, 12, 6))
    assert period.send_at == _local(2026, 11, 30, 8, 0)


def test_period_of__weekly__iso_year_of_the_week_at_new_year():
    period = periods.period_of(periods.WEEKLY, now=_local(2027, 1, 2, 12), tz=SAO_PAULO)

    assert period.id == "2026-W53" and period.first_day == date(2026, 12, 28)


def test_period_of__monthly__calendar_month():
    period = periods.period_of(periods.MONTHLY, now=_local(2027, 2, 28, 22), tz=SAO_PAULO)

    assert (period.id, period.first_day, period.last_day) == ("2027-02", date(2027, 2, 1), date(2027, 2, 28))
    assert period.send_at == _local(2027, 2, 1, 8, 0)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (_local(2026, 11, 30, 7, 59), None),
        (_local(2026, 11, 30, 8, 0), "2026-W49"),
        (_local(2026, 12, 3, 15, 0), "2026-W49"),
        (_local(2026, 12, 7, 7, 0), None),
        (_local(2026, 12, 7, 8, 0), "2026-W50"),
    ],
)
def test_due_period__weekly__from_monday_8_local_until_the_week_ends(now, due):
    period = periods.due_period(periods.WEEKLY, now=now, tz=SAO_PAULO)

    assert (period.id if period else None) == due


def test_due_period__monthly__from_the_first_day_8_local():
    assert periods.due_period(periods.MONTHLY, now=_local(2026, 12, 1, 7, 59), tz=SAO_PAULO) is None
    assert periods.due_period(periods.MONTHLY, now=_local(2026, 12, 1, 8, 0), tz=SAO_PAULO).id == "2026-12"
    assert periods.due_period(periods.MONTHLY, now=_local(2026, 12, 31, 23, 0), tz=SAO_PAULO).id == "2026-12"


def test_due_period__chosen_after_the_period_s_moment__none_until_the_next_period():
    since = _local(2026, 12, 2, 10, 0)

    assert periods.due_period(periods.WEEKLY, now=_local(2026, 12, 3, 9), tz=SAO_PAULO, since=since) is None
    next_week = periods.due_period(periods.WEEKLY, now=_local(2026, 12, 7, 8), tz=SAO_PAULO, since=since)
    assert next_week.id == "2026-W50"


def test_due_period__no_cadence__never_due():
    assert periods.due_period(None, now=_local(2026, 11, 30, 9), tz=SAO_PAULO) is None
    assert periods.due_period("daily", now=_local(2026, 11, 30, 9), tz=SAO_PAULO) is None


def test_period_ids__cadence_and_days_read_back():
    assert periods.cadence_of("2026-W49") == periods.WEEKLY
    assert periods.cadence_of("2026-12") == periods.MONTHLY
    assert periods.cadence_of(periods.adhoc_period("0b6f3a2e-5d1c-4c1e-9f7a-3a9f1e2d4c5b")) == periods.NOW
    assert periods.period_days("2026-W49") == (date(2026, 11, 30), date(2026, 12, 6))
    assert periods.period_days("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods.period_days("now-x") is None
    with pytest.raises(ValueError):
        periods.cadence_of("2026")
