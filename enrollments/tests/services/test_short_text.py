"""The names and references staff type have a length limit, told with the limit as the reader writes numbers, and
nothing is written when they are empty or too long (``services.common.short_text``)."""

import pytest
from django.utils import translation

from enrollments.client_api import selectors as api_selectors
from enrollments.client_api.services import MAX_NAME_CHARS as MAX_KEY_NAME_CHARS
from enrollments.client_api.services import api_key_create
from enrollments.digests import selectors as digest_selectors
from enrollments.digests.contacts import MAX_NAME_CHARS as MAX_CONTACT_NAME_CHARS
from enrollments.digests.contacts import contact_add
from enrollments.exceptions import InvalidEnrollmentData
from enrollments.selectors import order_list
from enrollments.services.catalog import MAX_PURCHASE_ORDER_CHARS, order_create
from enrollments.services.common import short_text
from enrollments.tests.factories import STAFF, make_company, make_course


def _plural(n):
    return translation.ngettext("%(max)s letter at most.", "%(max)s letters at most.", n)


def test_short_text__strips_and_keeps_what_fits():
    assert short_text("  Ana  ", max_chars=3, field="name", message=_plural) == "Ana"
    assert short_text("   ", max_chars=3, field="name", message=_plural, required=False) is None


@pytest.mark.parametrize("value", ["", "   ", None, "Anna"])
def test_short_text__empty_or_too_long__names_the_field_and_the_limit(value):
    with pytest.raises(InvalidEnrollmentData) as error:
        short_text(value, max_chars=3, field="name", message=_plural)
    assert error.value.field == "name"
    assert str(error.value) == "3 letters at most."


def test_short_text__limit_grouped_as_the_reader_writes_it():
    with translation.override("pt-br"), pytest.raises(InvalidEnrollmentData) as error:
        short_text("x" * 1001, max_chars=1000, field="name", message=_plural)
    assert str(error.value).startswith("1.000 ")


def test_api_key_create__name_too_long__refused_and_nothing_written():
    company = make_company()
    with pytest.raises(InvalidEnrollmentData) as error:
        api_key_create(company_id=company.id, name="k" * (MAX_KEY_NAME_CHARS + 1), author=STAFF)
    assert error.value.field == "name" and str(MAX_KEY_NAME_CHARS) in str(error.value)
    assert list(api_selectors.api_key_list(company.id)) == []


def test_contact_add__empty_name__refused_and_nothing_written():
    company = make_company()
    with pytest.raises(InvalidEnrollmentData) as error:
        contact_add(
            company_id=company.id, name="  ", email="rh@example.com", language=None, receives_digest=True, author=STAFF
        )
    assert error.value.field == "name" and str(MAX_CONTACT_NAME_CHARS) in str(error.value)
    assert list(digest_selectors.contact_list(company.id)) == []


def test_order_create__purchase_order_too_long__refused_and_no_order():
    company, course = make_company(), make_course()
    with pytest.raises(InvalidEnrollmentData) as error:
        order_create(
            tenant_id=company.id,
            course_id=course.id,
            seats=1,
            author=STAFF,
            purchase_order="P" * (MAX_PURCHASE_ORDER_CHARS + 1),
        )
    assert error.value.field == "purchase_order"
    assert order_list(tenant_id=company.id) == []


def test_order_create__blank_purchase_order__stored_as_none():
    company, course = make_company(), make_course()
    order = order_create(tenant_id=company.id, course_id=course.id, seats=1, author=STAFF, purchase_order="   ")
    assert order.purchase_order is None
