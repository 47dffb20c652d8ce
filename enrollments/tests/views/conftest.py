"""Staff users of each group, and catalog data for the back-office pages."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person


@pytest.fixture
def staff_user(db):
    """Return a function making an active staff user, in ``group`` when given."""

    def make(group: str | None = None):
        user = get_user_model().objects.create_user(
            username=f"{group or 'nogroup'}-{uuid.uuid4().hex[:6]}", password="pw-for-tests", is_staff=True,
            first_name="Staff", last_name=(group or "none").title(),
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def login(client, staff_user):
    """Log the test client in as a new staff user of ``group`` (none: staff without permissions)."""

    def as_member(group: str | None = None):
        user = staff_user(group)
        client.force_login(user)
        return user

    return as_member


@pytest.fixture
def catalog():
    """A prepaid company with 3 seats of a 90-day course, and a postpaid company."""
    company, course = make_company(billing="prepaid"), make_course(access_period_days=90, certificate_validity_days=365)
    order = make_order(company, course, seats=3)
    return {"company": company, "course": course, "order": order, "postpaid": make_company(billing="postpaid")}


@pytest.fixture
def enrollment(catalog):
    """An enrollment of a new person at the prepaid company, with a 10-day deduplication window."""
    return enroll(tenant_id=catalog["company"].sk, course_id=catalog["course"].sk, user=make_person(),
                  author=STAFF, deduplication_window_days=10)
