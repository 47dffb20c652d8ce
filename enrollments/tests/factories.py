"""Builders of catalog data for tests: every call makes fresh ids, so tests never share data."""

import uuid

from enrollments.services import Author, Person, company_create, course_create, order_create

STAFF = Author(id="1", name="Staff Member", email="staff@example.com")


def make_company(*, billing: str = "prepaid", name: str | None = None):
    return company_create(name=name or f"Company {uuid.uuid4().hex[:6]}", billing=billing)


def make_course(*, access_period_days: int = 90, certificate_validity_days: int = 365, name: str | None = None):
    return course_create(
        name=name or f"Course {uuid.uuid4().hex[:6]}",
        access_period_days=access_period_days,
        certificate_validity_days=certificate_validity_days,
    )


def make_order(company, course, seats: int):
    return order_create(tenant_id=company.sk, course_id=course.sk, seats=seats, author=STAFF)


def make_person(**overrides) -> Person:
    token = uuid.uuid4().hex[:10]
    values = {"name": f"Person {token}", "email": f"person.{token}@example.com", "cpf": None}
    values.update(overrides)
    return Person(**values)
