"""The clock's ISO strings: fixed width whatever the year, and only ValueError for what it cannot read."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from enrollments import clock


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000000Z"),
        (datetime(999, 6, 1, 8, 30, tzinfo=UTC), "0999-06-01T08:30:00.000000Z"),
        (datetime(2031, 1, 1, 9, 0, 0, 5, tzinfo=timezone(timedelta(hours=-3))), "2031-01-01T12:00:00.000005Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31T23:59:59.999999Z"),
    ],
    ids=["year 1", "year 999", "another zone", "year 9999"],
)
def test_to_iso__writes_a_four_digit_year_and_utc(moment, expected):
    assert clock.to_iso(moment) == expected
    assert clock.from_iso(expected) == moment


def test_to_iso__strings_sort_as_the_times_they_write():
    moments = [datetime(year, 6, 1, tzinfo=UTC) for year in (1, 99, 999, 1000, 2000, 9999)]

    assert sorted(clock.to_iso(moment) for moment in moments) == [clock.to_iso(moment) for moment in moments]
    assert len({len(clock.to_iso(moment)) for moment in moments}) == 1


@pytest.mark.parametrize(
    "text",
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59.999999-00:01"],
    ids=["past 9999", "before year 1", "past 9999 by a minute"],
)
def test_from_iso__offset_moving_the_time_out_of_years_1_to_9999__raises_value_error(text):
    with pytest.raises(ValueError, match="out of the range"):
        clock.from_iso(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "next year",
        "2031-01-01T10:00:00",
        "2031-02-30T10:00:00Z",
        "2031-01-01T24:00:00Z",
        "2031-01-01T10:00:00+24:00",
    ],
    ids=["empty", "words", "no zone", "no such day", "hour 24", "offset of a day"],
)
def test_from_iso__bad_input__raises_value_error(text):
    with pytest.raises(ValueError):
        clock.from_iso(text)


def test_from_iso__edges_of_the_range_in_utc__are_read():
    assert clock.from_iso("0001-01-01T01:00:00+01:00") == datetime(1, 1, 1, tzinfo=UTC)
    assert clock.from_iso("9999-12-31T18:59:59-05:00") == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
