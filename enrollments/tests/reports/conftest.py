"""Fixtures of the report and export tests: one company in every place of the report, made once per module."""

from datetime import UTC, datetime

import pytest

from enrollments import clock
from enrollments.tests.reports_support import report_company

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def report_data(dynamodb):
    """A company of people in every bucket, with the clock frozen at the report's moment while the module runs."""
    made = report_company(NOW)
    clock.set_now(NOW)
    yield made
    clock.set_now(None)


@pytest.fixture
def at_report_time(report_data):
    clock.set_now(report_data.now)
    yield report_data
    clock.set_now(None)
