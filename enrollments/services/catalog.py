"""Companies, courses and orders of seats: created, edited, retired, each edit audited."""

import secrets
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import clock, rules, selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    CatalogAuditEventItem,
    CompanyItem,
    CompanyOrderItem,
    CourseItem,
    OrderItem,
    VacancyItem,
)
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import AlreadyCreated, ConcurrentChange, InvalidEnrollmentData
from ..rules import BILLING_CHOICES, DIGEST_PERIODS, MAX_COURSE_DAYS, MAX_SEATS_PER_ORDER, RENEWAL_WINDOW_MAX_DAYS
from ..validators import normalize_cnpj, normalize_esocial_code
from .cnpjs import CLAIM, cnpj_claim, cnpj_move, cnpj_taken
from .common import Author, short_text
from .seats import seats_arrived

# What the catalog's audit events record (``CatalogAuditEventItem.action``).
COMPANY_CREATED = "COMPANY_CREATED"
COURSE_CREATED = "COURSE_CREATED"
ORDER_CREATED = "ORDER_CREATED"  # in the company's history
COMPANY_UPDATED = "COMPANY_UPDATED"
COURSE_UPDATED = "COURSE_UPDATED"
COURSE_RETIRED = "COURSE_RETIRED"
COURSE_RESTORED = "COURSE_RESTORED"
# A course edit's field that keeps its value (``course_update``).
UNCHANGED = object()
# The longest purchase-order reference an order keeps.
MAX_PURCHASE_ORDER_CHARS = 100

# DynamoDB takes at most 100 writes in one transaction.
_TRANSACTION_LIMIT = 100
# Creations that meet another transaction on the same item (two companies claiming one CNPJ) try again.
_CREATE_TRIES = 5


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
    author: Author | None = None,
) -> CompanyItem:
    """Create a company that buys seats (``prepaid``) or is billed per enrollment (``postpaid``).

    Its people get their emails in ``language``, a code of ``LANGUAGES``; by default the site's.
    With an ``author``, the company's history starts with its creation, by them. One company per
    CNPJ: a CNPJ another company holds raises ``CnpjTaken``, naming it; companies without one are many.
    """
    name = _required_name(name, _("company"))
    if billing not in BILLING_CHOICES:
        raise InvalidEnrollmentData(
            _("Billing must be prepaid or postpaid, not %(value)s.") % {"value": billing}, field="billing"
        )
    language = _checked_language(language)
    cnpj = _checked_cnpj(cnpj)
    company = CompanyItem(
        *keys.company(company_id or str(uuid.uuid4())),
        created_at=clock.now_iso(),
        name=name,
        cnpj=cnpj,
        billing=billing,
        language=language,
    )
    _create_once(
        company,
        CompanyItem,
        _("A company with id %(id)s already exists.") % {"id": company.id},
        history=keys.company_history(company.id),
        action=COMPANY_CREATED,
        author=author,
        cnpj=cnpj,
    )
    return company


@storage_errors_as_domain_errors
def course_create(
    *,
    name: str,
    access_period_days: int,
    certificate_validity_days: int,
    course_id: str | None = None,
    author: Author | None = None,
    renewal_window_days: int | None = None,
    esocial_code: str | None = None,
) -> CourseItem:
    """Create a course with its access period and certificate validity, in days.

    ``renewal_window_days`` (1 to ``RENEWAL_WINDOW_MAX_DAYS``; ``None``: ``RENEWAL_WINDOW_DEFAULT_DAYS``) opens
    renewals that many days before a certificate expires; ``esocial_code`` is its code of eSocial's table 28.
    With an ``author``, the course's history starts with its creation, by them.
    """
    name = _required_name(name, _("course"))
    _check_days(access_period_days=access_period_days, certificate_validity_days=certificate_validity_days)
    _check_window(renewal_window_days)
    course = CourseItem(
        *keys.course(course_id or str(uuid.uuid4())),
        created_at=clock.now_iso(),
        name=name,
        access_period_days=access_period_days,
        certificate_validity_days=certificate_validity_days,
        renewal_window_days=renewal_window_days,
        esocial_code=_checked_esocial_code(esocial_code),
    )
    _create_once(
        course,
        CourseItem,
        _("A course with id %(id)s already exists.") % {"id": course.id},
        history=keys.course_history(course.id),
        action=COURSE_CREATED,
        author=author,
    )
    return course


def _checked_language(language: str | None) -> str:
    language = language or default_language()
    if language not in dict(settings.LANGUAGES):
        raise InvalidEnrollmentData(
            _("The language must be one of %(choices)s, not %(value)s.")
            % {"choices": ", ".join(code for code, _name in settings.LANGUAGES), "value": language},
            field="language",
        )
    return language


def _checked_digest_period(period: str) -> str | None:
    if period and period not in DIGEST_PERIODS:
        raise InvalidEnrollmentData(
            _("The digest period must be one of %(choices)s, or none, not %(value)s.")
            % {"choices": ", ".join(DIGEST_PERIODS), "value": period},
            field="digest_period",
        )
    return period or None


def _checked_cnpj(cnpj: str | None) -> str | None:
    try:
        return normalize_cnpj(cnpj)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="cnpj") from None


def _check_days(**days: int) -> None:
    for field, value in days.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_COURSE_DAYS:
            raise InvalidEnrollmentData(
                _("%(field)s must be a whole number of days, from 1 to %(max)s.")
                % {"field": field, "max": number_format(MAX_COURSE_DAYS, force_grouping=True)},
                field=field,
            )


def _check_window(days: int | None) -> None:
    if days is None:
        return
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= RENEWAL_WINDOW_MAX_DAYS:
        raise InvalidEnrollmentData(
            _("The renewal window must be a whole number of days, from 1 to %(max)s.")
            % {"max": RENEWAL_WINDOW_MAX_DAYS},
            field="renewal_window_days",
        )


def _checked_esocial_code(code: str | None) -> str | None:
    try:
        return normalize_esocial_code(code)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="esocial_code") from None


def _create_once(
    item, model, message: str, *, history: str, action: str, author: Author | None, cnpj: str | None = None
) -> None:
    """Put ``item`` unless its id exists, with its creation's audit event; with a ``cnpj``, claim it for the company."""
    event = _catalog_event(history, at=item.created_at, action=action, author=author) if author is not None else None
    for _attempt in attempts(_CREATE_TRIES):
        tx = Transaction()
        tx.put(item, condition=model.sk.does_not_exist(), name="item")
        if cnpj:
            cnpj_claim(tx, cnpj=cnpj, company_id=item.id)
        if event is not None:
            tx.put(event, name="audit")
        try:
            tx.commit()
            return
        except TransactionFailed as failure:
            # A form sent twice claims its own CNPJ twice: its id answers first.
            if "item" in failure.failed:
                raise AlreadyCreated(message, item_id=item.id) from None
            if CLAIM in failure.failed:
                raise cnpj_taken(cnpj) from None
            # Only a conflict: another transaction wrote one of these items at the same moment. Read again.
    raise ConcurrentChange()


@storage_errors_as_domain_errors
def order_create(
    *,
    tenant_id: str,
    course_id: str,
    seats: int,
    author: Author,
    order_id: str | None = None,
    purchase_order: str | None = None,
) -> OrderItem:
    """Create an order of ``seats`` seats of a course for a company: the order and one vacancy item a seat.

    Seats go in transactions of at most 100 items, the order in the first one:
    a failure after the first leaves an order with fewer free seats than bought,
    which ``seats_left`` shows. An ``order_id`` that exists raises ``AlreadyCreated``
    (the same form sent twice buys its seats once). ``purchase_order`` is the company's
    own reference of the purchase, optional, shown wherever the order is. Once the seats
    are written, ``seats.seats_arrived`` tells who waits for them (pending renewals).
    """
    selectors.company_get(tenant_id)
    course = selectors.course_get(course_id)
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS_PER_ORDER:
        raise InvalidEnrollmentData(
            ngettext(
                "An order has between 1 and %(max)s seat.",
                "An order has between 1 and %(max)s seats.",
                MAX_SEATS_PER_ORDER,
            )
            % {"max": number_format(MAX_SEATS_PER_ORDER, force_grouping=True)},
            field="seats",
        )
    purchase_order = short_text(
        purchase_order,
        max_chars=MAX_PURCHASE_ORDER_CHARS,
        field="purchase_order",
        required=False,
        message=lambda n: ngettext(
            "A purchase-order reference has at most %(max)s character.",
            "A purchase-order reference has at most %(max)s characters.",
            n,
        ),
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
        purchase_order=purchase_order,
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
            purchase_order=purchase_order,
        ),
        name="company_order",
    )
    # The purchase shows in the company's history (and in the author's recent actions).
    tx.put(
        _catalog_event(
            keys.company_history(tenant_id),
            at=now,
            action=ORDER_CREATED,
            author=author,
            changes=[("course", None, course.name), ("seats", None, seats)],
        ),
        name="audit",
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
    seats_arrived(tenant_id=tenant_id, course_id=course_id)
    return order


def _catalog_event(history: str, *, at: str, action: str, author: Author, changes=()) -> CatalogAuditEventItem:
    # The random suffix keeps two events of the same microsecond apart.
    return CatalogAuditEventItem(
        *keys.catalog_audit_event(history, at_iso=at, suffix=secrets.token_hex(3)),
        created_at=at,
        action=action,
        author=author.as_attribute(),
        changes=[list(change) for change in changes],
    )


def company_history_event(
    company_id: str, *, at: str, action: str, author: Author, changes=()
) -> CatalogAuditEventItem:
    """Return the audit event of a change to something of a company's (its HR contacts, its digests), for the
    change's own transaction: it shows in the company's history."""
    return _catalog_event(keys.company_history(company_id), at=at, action=action, author=author, changes=changes)


def commit_item_change(tx: Transaction) -> bool:
    """Commit a change of one item of a company's (the part named ``item``: a key, a contact, a webhook) with its
    history event; return ``False`` when the item's condition failed (a second click, a change meanwhile: nothing
    written). Any other failure is a ``ConcurrentChange``."""
    try:
        tx.commit()
    except TransactionFailed as failure:
        if "item" in failure.failed:
            return False
        raise ConcurrentChange() from None
    return True


def _revision_condition(model, revision: int):
    """Return the condition that the item exists and still has the ``revision`` its editor read (0: never edited)."""
    exists = model.sk.exists()
    return exists & (model.revision == revision if revision else model.revision.does_not_exist())


def _commit_edit(
    item,
    model,
    values: dict,
    *,
    revision: int,
    history: str,
    action: str,
    author: Author,
    changed,
    tx: Transaction | None = None,
    refusals: dict | None = None,
):
    """Write ``values`` over ``item`` if still at ``revision``, with the audit event.

    ``tx`` may hold other parts of the change already; ``refusals`` maps the name of such a part
    to a function returning the error its failed condition means. Any other failure: changed meanwhile.
    """
    now = clock.now_iso()
    actions = [
        getattr(model, field).set(value) if value is not None else getattr(model, field).remove()
        for field, value in values.items()
    ]
    actions += [model.revision.set(revision + 1), model.updated_at.set(now)]
    tx = tx if tx is not None else Transaction()
    tx.update(item, actions, condition=_revision_condition(model, revision), name="item")
    tx.put(_catalog_event(history, at=now, action=action, author=author, changes=changed), name="audit")
    try:
        tx.commit()
    except TransactionFailed as failure:
        # A stale revision first: what else failed was judged against data the editor never saw.
        refused = [refusal for name, refusal in (refusals or {}).items() if name in failure.failed]
        if "item" in failure.failed or not refused:
            raise _changed_meanwhile() from None
        raise refused[0]() from None


def _changed_meanwhile() -> ConcurrentChange:
    return ConcurrentChange(_("Someone changed it meanwhile: reload the page to see their change, then edit again."))


def _changes(item, values: dict) -> list[tuple[str, object, object]]:
    return [(field, getattr(item, field), value) for field, value in values.items() if getattr(item, field) != value]


@storage_errors_as_domain_errors
def company_update(
    *,
    company_id: str,
    name: str,
    cnpj: str | None,
    language: str | None,
    revision: int,
    author: Author,
    digest_period: str | None = None,
    auto_renew: bool | None = None,
    auto_renew_courses: Iterable[str] | None = None,
) -> CompanyItem:
    """Change a company's name, CNPJ, language and digest period, if nobody changed it since it was read at
    ``revision``.

    The change and its audit event (each field's old and new value) are one transaction; a change
    that changes nothing writes nothing. Enrollments keep the company name they were made with.
    A new CNPJ moves in the same transaction: the old one is freed, the new one claimed, and one
    another company holds raises ``CnpjTaken``, naming it. ``digest_period`` is how often its HR
    contacts get the compliance digest (``weekly``, ``monthly``, ``""`` for never; ``None`` keeps it);
    a new one counts from now (``digest_since``): the first digest goes out at the next period's moment.
    ``auto_renew`` and ``auto_renew_courses`` (ids of courses; empty: every course) say whether its people
    are enrolled again when their certificate's renewal window opens (``rules.auto_renews``); ``None`` keeps
    them.
    """
    values = {
        "name": _required_name(name, _("company")),
        "cnpj": _checked_cnpj(cnpj),
        "language": _checked_language(language),
    }
    company = selectors.company_get(company_id)
    if digest_period is not None:
        values["digest_period"] = _checked_digest_period(digest_period)
    if int(company.revision or 0) != revision:
        raise _changed_meanwhile()
    # A company stored before languages has the site's: choosing that one changes nothing.
    company.language = company_language(company)
    changed = _changes(company, values)
    if any(field == "digest_period" for field, _old, _new in changed):
        values["digest_since"] = clock.now_iso()
    changed += _auto_renew_changes(company, values, auto_renew=auto_renew, courses=auto_renew_courses)
    if changed:
        tx = Transaction()
        cnpj_move(tx, company=company, new=values["cnpj"])
        _commit_edit(
            company,
            CompanyItem,
            values,
            revision=revision,
            history=keys.company_history(company_id),
            action=COMPANY_UPDATED,
            author=author,
            changed=changed,
            tx=tx,
            refusals={CLAIM: lambda: cnpj_taken(values["cnpj"])},
        )
    return selectors.company_get(company_id)


def _auto_renew_changes(company: CompanyItem, values: dict, *, auto_renew, courses) -> list[tuple]:
    """Add to ``values`` the automatic renewal settings that change, and return their changes for the audit: on or
    off, and the names of the courses it is limited to (none: every course)."""
    changed = []
    if auto_renew is not None and bool(auto_renew) != bool(company.auto_renew):
        values["auto_renew"] = True if auto_renew else None
        changed.append(("auto_renew", bool(company.auto_renew), bool(auto_renew)))
    if courses is not None:
        catalog = {course.id: course for course in selectors.course_list()}
        wanted = set(courses)
        if unknown := sorted(wanted - set(catalog)):
            raise InvalidEnrollmentData(
                _("There is no course %(id)s.") % {"id": unknown[0]}, field="auto_renew_courses"
            )
        before = set(company.auto_renew_courses or ())
        if wanted != before:
            # An empty set cannot be stored: absent means every course.
            values["auto_renew_courses"] = wanted or None

            def names(ids):
                return sorted((catalog[i].name if i in catalog else i for i in ids), key=str.lower)

            changed.append(("auto_renew_courses", names(before), names(wanted)))
    return changed


@storage_errors_as_domain_errors
def course_update(
    *,
    course_id: str,
    name: str,
    access_period_days: int,
    certificate_validity_days: int,
    revision: int,
    author: Author,
    renewal_window_days: int | None | object = UNCHANGED,
    esocial_code: str | None | object = UNCHANGED,
) -> CourseItem:
    """Change a course's name, access period, certificate validity, renewal window and eSocial code, if still at
    ``revision``; a field given as ``UNCHANGED`` (the default of the last two) keeps its value.

    The periods apply to enrollments made from now on: each enrollment keeps the snapshot of
    the course it was made with; the renewal window applies at once (it is the course's, read when renewing).
    One transaction with the audit event; nothing changed, nothing written. A course without a window of its own
    has the default: saving that number changes nothing.
    """
    values = {"name": _required_name(name, _("course"))}
    _check_days(access_period_days=access_period_days, certificate_validity_days=certificate_validity_days)
    values.update(access_period_days=access_period_days, certificate_validity_days=certificate_validity_days)
    if renewal_window_days is not UNCHANGED:
        _check_window(renewal_window_days)
    if esocial_code is not UNCHANGED:
        values["esocial_code"] = _checked_esocial_code(esocial_code)
    course = selectors.course_get(course_id)
    if int(course.revision or 0) != revision:
        raise _changed_meanwhile()
    changed = _changes(course, values)
    # The window as staff see it: a course without one of its own has the default (``None`` asks for it too), so
    # saving the number it shows changes nothing and it stays absent, following the setting.
    if renewal_window_days is not UNCHANGED:
        current = rules.renewal_window_days(course)
        wanted = renewal_window_days if renewal_window_days is not None else settings.RENEWAL_WINDOW_DEFAULT_DAYS
        if wanted != current:
            changed.append(("renewal_window_days", current, wanted))
    if changed:
        # Only the fields that change are written.
        values = {field: new for field, _old, new in changed}
        _commit_edit(
            course,
            CourseItem,
            values,
            revision=revision,
            history=keys.course_history(course_id),
            action=COURSE_UPDATED,
            author=author,
            changed=changed,
        )
    return selectors.course_get(course_id)


def _set_retired(course_id: str, *, retired: bool, author: Author) -> CourseItem:
    course = selectors.course_get(course_id)
    if bool(course.retired_at) == retired:
        # Already so (a second click, or someone else did it): nothing to change, nothing to audit.
        return course
    now = clock.now_iso()
    if retired:
        action, update = COURSE_RETIRED, CourseItem.retired_at.set(now)
        condition = CourseItem.sk.exists() & CourseItem.retired_at.does_not_exist()
    else:
        action, update = COURSE_RESTORED, CourseItem.retired_at.remove()
        condition = CourseItem.retired_at == course.retired_at
    tx = Transaction()
    tx.update(course, [update], condition=condition, name="item")
    tx.put(_catalog_event(keys.course_history(course_id), at=now, action=action, author=author), name="audit")
    try:
        tx.commit()
    except TransactionFailed:
        # Someone retired or restored it at the same moment: the course is as they left it.
        pass
    return selectors.course_get(course_id)


@storage_errors_as_domain_errors
def course_retire(*, course_id: str, author: Author) -> CourseItem:
    """Retire a course: no new enrollments (form, import or service); existing ones go on. Audited; twice is once."""
    return _set_retired(course_id, retired=True, author=author)


@storage_errors_as_domain_errors
def course_restore(*, course_id: str, author: Author) -> CourseItem:
    """Restore a retired course: it takes new enrollments again. Audited; twice is once."""
    return _set_retired(course_id, retired=False, author=author)
