import pytest

from enrollments import selectors
from enrollments.exceptions import InvalidEnrollmentData
from enrollments.services import company_create, course_create, order_create
from enrollments.tests.factories import STAFF, make_company, make_course, make_order


def test_order_create__writes_the_order_and_one_seat_each_across_transactions():
    company, course = make_company(), make_course()

    order = make_order(company, course, seats=150)

    assert selectors.order_find(order.order_id).seats == 150
    assert selectors.seats_left(tenant_id=company.sk, course_id=course.sk) == 150
    assert [o.order_id for o in selectors.order_list(tenant_id=company.sk)] == [order.order_id]


def test_seats_left__counts_only_that_course():
    company, course, other = make_company(), make_course(), make_course()
    make_order(company, course, seats=3)
    make_order(company, other, seats=2)

    assert selectors.seats_left(tenant_id=company.sk, course_id=course.sk) == 3


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "", "billing": "prepaid"}, "name"),
        ({"name": "X", "billing": "monthly"}, "billing"),
        ({"name": "X", "billing": "prepaid", "cnpj": "11.222.333/0001-82"}, "cnpj"),
    ],
)
def test_company_create__bad_input__names_the_field(kwargs, field):
    with pytest.raises(InvalidEnrollmentData) as raised:
        company_create(**kwargs)
    assert raised.value.field == field


def test_course_create__zero_days__raises():
    with pytest.raises(InvalidEnrollmentData) as raised:
        course_create(name="X", access_period_days=0, certificate_validity_days=10)
    assert raised.value.field == "access_period_days"


def test_order_create__unknown_course_or_zero_seats__raises():
    company, course = make_company(), make_course()
    with pytest.raises(InvalidEnrollmentData):
        order_create(tenant_id=company.sk, course_id="nope", seats=1, author=STAFF)
    with pytest.raises(InvalidEnrollmentData):
        order_create(tenant_id=company.sk, course_id=course.sk, seats=0, author=STAFF)
    assert selectors.order_list(tenant_id=company.sk) == []


@pytest.mark.parametrize("field", ["access_period_days", "certificate_validity_days"])
def test_course_create__more_than_a_century__refused_naming_the_field(field):
    days = {"access_period_days": 90, "certificate_validity_days": 365, field: 10_000_000}

    with pytest.raises(InvalidEnrollmentData) as raised:
        course_create(name="Forever", **days)

    assert raised.value.field == field and "from 1 to 36500" in raised.value.message
