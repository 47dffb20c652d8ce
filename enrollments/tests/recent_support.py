"""Helpers for tests of "Recent actions", whose indexes every test of a run shares.

Everyone's list holds every test's actions: a test that reads it moves the clock past anything
written before (``future_tick``). A staff member's list is theirs by id: authors and users made
here have ids no other test uses (the test database hands out the same user pks again).
"""

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from enrollments.permissions import sync_groups
from enrollments.services import Author

# Minutes after the year 9000, counted over the whole run: other tests' clocks stay centuries before
# (``lifecycle_time`` gives each test a window of days of its own from 2031 on, past 2100 in a long run).
_FUTURE_MINUTES = itertools.count(1)
_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


def future_tick(frozen_clock) -> datetime:
    """Move the frozen clock to a moment later than every moment set here before; return it."""
    return frozen_clock.set(_FUTURE + timedelta(minutes=next(_FUTURE_MINUTES)))


def staff_author(name: str) -> Author:
    """Return a staff member's ``Author`` with an id of its own."""
    return Author(id=f"staff-{uuid.uuid4().hex[:8]}", name=name, staff=True)


def staff_member(group: str | None = None, *, first_name: str = "Staff", last_name: str = "Member"):
    """Return a new staff user (in ``group``) whose pk no other test's user has."""
    sync_groups()
    user = get_user_model().objects.create_user(
        pk=random.randint(10**6, 10**9),
        username=f"recent-{uuid.uuid4().hex[:8]}",
        password="pw-for-tests",
        is_staff=True,
        first_name=first_name,
        last_name=last_name,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user
