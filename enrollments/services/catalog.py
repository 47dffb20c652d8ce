"""Companies, courses and orders of seats."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from .. import clock, selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import CompanyItem, CompanyOrderItem, CourseItem, OrderItem, VacancyItem
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import AlreadyCreated, ConcurrentChange, InvalidEnrollmentData
from ..rules import BILLING_CHOICES, MAX_COURSE_DAYS, MAX_SEATS_PER_ORDER
from ..validators import normalize_cnpj
from .common import Author

# DynamoDB takes at most 100 writes in one transaction.
_TRANSACTION_LIMIT = 100


def _required_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidEnrollmentData(_("The %(what)s needs a name.") % {"what": what}, field="name")
    return name


def default_language() -> str:
    """Return the language of a company that names none: the site's ``LANGUAGE_CODE`` (pt-br unless configured)."""
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def company_language(company: CompanyItem) -> str:
    """Return the language, a code of ``LANGUAGES``, that ``company``'s learners get their emails in."""
    return company.language or default_language()


@storage_errors_as_domain_errors
def company_create(
    *,
    name: str,
    billing: str,
    cnpj: str | None = None,
    language: str | None = None,
    company_id: str | None = None,
) -> CompanyItem:
    """Create a company that buys seats (``prepaid``) or is billed per enrollment (``postpaid``).

    Its people get their emails in ``language``, a code of ``LANGUAGES``; by default the site's.
    """
    name = _required_name(name, _("company"))
    if billing not in BILLING_CHOICES:
        raise InvalidEnrollmentData(
            _("Billing must be prepaid or postpaid, not %(value)s.") % {"value": billing}, field="billing"
        )
    language = language or default_language()
    if language not in dict(settings.LANGUAGES):
        raise InvalidEnrollmentData(
            _("The language must be one of %(choices)s, not %(value)s.")
            % {"choices": ", ".join(code for code, _name in settings.LANGUAGES), "value": language},
            field="language",
        )
    try:
        cnpj = normalize_cnpj(cnpj)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="cnpj") from None
    company = CompanyItem(
        *keys.company(company_id or str(uuid.uuid4())),
        created_at=clock.now_iso(),
        name=name,
        cnpj=cnpj,
        billing=billing,
        language=language,
    )
    _create_once(company, CompanyItem, _("A company with id %(id)s already exists.") % {"id": company.sk})
    return company


@storage_errors_as_domain_errors
def course_create(
    *, name: str, access_period_days: int, certificate_validity_days: int, course_id: str | None = None
) -> CourseItem:
    """Create a course with its access period and certificate validity, in days."""
    name = _required_name(name, _("course"))
    for field, value in (
        ("access_period_days", access_period_days),
        ("certificate_validity_days", certificate_validity_days),
    ):
        if not isinstance(value, int) or not 1 <= value <= MAX_COURSE_DAYS:
            raise InvalidEnrollmentData(
                _("%(field)s must be a whole number of days, from 1 to %(max)s.")
                % {"field": field, "max": MAX_COURSE_DAYS},
                field=field,
            )
    course = CourseItem(
        *keys.course(course_id or str(uuid.uuid4())),
        created_at=clock.now_iso(),
        name=name,
        access_period_days=access_period_days,
        certificate_validity_days=certificate_validity_days,
    )
    _create_once(course, CourseItem, _("A course with id %(id)s already exists.") % {"id": course.sk})
    return course


def _create_once(item, model, message: str) -> None:
    tx = Transaction()
    tx.put(item, condition=model.sk.does_not_exist(), name="item")
    try:
        tx.commit()
    except TransactionFailed:
        raise AlreadyCreated(message, item_id=item.sk) from None


@storage_errors_as_domain_errors
def order_create(
    *, tenant_id: str, course_id: str, seats: int, author: Author, order_id: str | None = None
) -> OrderItem:
    """Create an order of ``seats`` seats of a course for a company: the order and one vacancy item a seat.

    Seats go in transactions of at most 100 items, the order in the first one:
    a failure after the first leaves an order with fewer free seats than bought,
    which ``seats_left`` shows. An ``order_id`` that exists raises ``AlreadyCreated``
    (the same form sent twice buys its seats once).
    """
    selectors.company_get(tenant_id)
    selectors.course_get(course_id)
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS_PER_ORDER:
        raise InvalidEnrollmentData(
            _("An order has between 1 and %(max)s seats.") % {"max": MAX_SEATS_PER_ORDER}, field="seats"
        )
    now = clock.now_iso()
    order_id = order_id or str(uuid.uuid4())
    order = OrderItem(
        *keys.order(order_id),
        created_at=now,
        tenant_id=tenant_id,
        course_id=course_id,
        seats=seats,
        created_by=author.as_attribute(),
    )
    tx = Transaction()
    tx.put(order, condition=OrderItem.order_id.does_not_exist(), name="order")
    tx.put(
        CompanyOrderItem(
            *keys.company_order(tenant_id, created_at=now, order_id=order_id),
            created_at=now,
            order_id=order_id,
            course_id=course_id,
            seats=seats,
        ),
        name="company_order",
    )
    transactions = [tx]
    for _seat in range(seats):
        if len(tx) == _TRANSACTION_LIMIT:
            tx = Transaction()
            transactions.append(tx)
        tx.put(
            VacancyItem(
                *keys.vacancy(tenant_id, order_id=order_id, seat_id=str(uuid.uuid4())),
                created_at=now,
                course_id=course_id,
                order_id=order_id,
            ),
            name="vacancy",
        )
    try:
        transactions[0].commit()
    except TransactionFailed as failure:
        if "order" in failure.failed:
            raise AlreadyCreated(_("Order %(id)s exists already.") % {"id": order_id}, item_id=order_id) from None
        raise ConcurrentChange() from None
    for rest in transactions[1:]:
        rest.commit()
    return order
