import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from enrollments import clock, rules, selectors
from enrollments.clock import to_iso
from enrollments.dynamo.models import CompanyItem, CourseItem
from enrollments.exceptions import ConcurrentChange, InvalidEnrollmentData
from enrollments.services import company_create, course_create, enroll, order_create
from enrollments.services.catalog import company_update, course_restore, course_retire, course_update
from enrollments.services.progress import record_access
from enrollments.tests.factories import STAFF, make_cnpj, make_company, make_course, make_order, make_person
from enrollments.validators import normalize_cnpj


def test_order_create__writes_the_order_and_one_seat_each_across_transactions():
    company, course = make_company(), make_course()

    order = make_order(company, course, seats=150)

    assert selectors.order_find(order.order_id).seats == 150
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 150
    assert [o.order_id for o in selectors.order_list(tenant_id=company.id)] == [order.order_id]


def test_order_create__the_purchase_is_in_the_company_history_with_course_and_seats(frozen_clock):
    company, course = make_company(), make_course(name="NR-35")

    make_order(company, course, seats=150)

    (event,) = selectors.company_history(company.id)
    assert (event.action, event.author.id) == ("ORDER_CREATED", STAFF.id)
    assert event.changes == [["course", None, "NR-35"], ["seats", None, 150]]


def test_company_and_course_create__with_an_author__their_history_starts_with_the_creation(frozen_clock):
    company = company_create(name="Acme", billing="prepaid", author=STAFF)
    course = course_create(name="NR-10", access_period_days=30, certificate_validity_days=365, author=STAFF)

    (company_event,) = selectors.company_history(company.id)
    (course_event,) = selectors.course_history(course.id)
    assert (company_event.action, company_event.author.id, company_event.changes) == ("COMPANY_CREATED", STAFF.id, [])
    assert (course_event.action, course_event.author.id) == ("COURSE_CREATED", STAFF.id)
    assert company_event.created_at == company.created_at == to_iso(frozen_clock.start)


def test_company_create__without_an_author__no_history():
    company = make_company()

    assert selectors.company_history(company.id) == []


def test_seats_left__counts_only_that_course():
    company, course, other = make_company(), make_course(), make_course()
    make_order(company, course, seats=3)
    make_order(company, other, seats=2)

    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 3


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
        order_create(tenant_id=company.id, course_id="nope", seats=1, author=STAFF)
    with pytest.raises(InvalidEnrollmentData):
        order_create(tenant_id=company.id, course_id=course.id, seats=0, author=STAFF)
    assert selectors.order_list(tenant_id=company.id) == []


@pytest.mark.parametrize("field", ["access_period_days", "certificate_validity_days"])
@pytest.mark.parametrize(("language", "limit"), [("en", "from 1 to 36,500."), ("pt-br", "de 1 a 36.500.")])
def test_course_create__more_than_a_century__refused_naming_the_field_and_the_limit_in_the_language(
    field, language, limit
):
    days = {"access_period_days": 90, "certificate_validity_days": 365, field: 10_000_000}

    with translation.override(language), pytest.raises(InvalidEnrollmentData) as raised:
        course_create(name="Forever", **days)

    assert raised.value.field == field and raised.value.message.endswith(limit)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "An order has between 1 and 10,000 seats."), ("pt-br", "Um pedido tem de 1 a 10.000 vagas.")],
)
def test_order_create__more_seats_than_the_limit__refused_with_the_limit_in_the_language(language, message):
    company, course = make_company(), make_course()

    with translation.override(language), pytest.raises(InvalidEnrollmentData) as raised:
        order_create(tenant_id=company.id, course_id=course.id, seats=10_001, author=STAFF)

    assert (raised.value.field, raised.value.message) == ("seats", message)


# Catalog edits: companies and courses edited with an audit event, courses retired and restored, purchase orders.


def test_company_update__name_cnpj_language__stored_with_an_audit_event_old_to_new(frozen_clock):
    company = company_create(name="Acme Ltda", billing="prepaid", language="pt-br")
    cnpj = make_cnpj()

    updated = company_update(
        company_id=company.id, name="Acme S.A.", cnpj=cnpj, language="en", revision=0, author=STAFF
    )

    digits = normalize_cnpj(cnpj)
    assert (updated.name, updated.cnpj, updated.language, updated.revision) == ("Acme S.A.", digits, "en", 1)
    (event,) = selectors.company_history(company.id)
    assert event.action == "COMPANY_UPDATED" and event.author.id == STAFF.id
    assert event.created_at == to_iso(frozen_clock.start)
    assert event.changes == [
        ["name", "Acme Ltda", "Acme S.A."],
        ["cnpj", None, digits],
        ["language", "pt-br", "en"],
    ]


def test_company_update__nothing_changed__writes_nothing():
    company = company_create(name="Acme Ltda", billing="prepaid", language="pt-br")

    company_update(company_id=company.id, name=" Acme Ltda ", cnpj="", language="pt-br", revision=0, author=STAFF)

    assert selectors.company_get(company.id).revision is None
    assert selectors.company_history(company.id) == []


def test_company_update__revision_read_before_another_edit__refused_as_changed_meanwhile():
    company = make_company()
    company_update(company_id=company.id, name="First", cnpj=None, language="en", revision=0, author=STAFF)

    with pytest.raises(ConcurrentChange) as raised:
        company_update(company_id=company.id, name="Second", cnpj=None, language="en", revision=0, author=STAFF)

    assert "changed it meanwhile" in raised.value.message
    assert selectors.company_get(company.id).name == "First"
    assert len(selectors.company_history(company.id)) == 1


def test_company_update__two_edits_of_the_same_revision_at_once__one_wins():
    company = make_company()

    def edit(name):
        try:
            return company_update(company_id=company.id, name=name, cnpj=None, language="en", revision=0, author=STAFF)
        except ConcurrentChange:
            return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(edit, [f"Name {n}" for n in range(4)]))

    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert selectors.company_get(company.id).name == winners[0].name
    assert len(selectors.company_history(company.id)) == 1


def test_company_update__bad_cnpj__names_the_field_nothing_written():
    company = make_company()

    with pytest.raises(InvalidEnrollmentData) as raised:
        company_update(
            company_id=company.id, name="X", cnpj="11.222.333/0001-82", language="en", revision=0, author=STAFF
        )

    assert raised.value.field == "cnpj" and selectors.company_history(company.id) == []


def test_course_update__periods__apply_to_future_enrollments_only_existing_keep_their_snapshot():
    company, course = (
        make_company(billing="postpaid"),
        make_course(access_period_days=90, certificate_validity_days=365),
    )
    before = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    course_update(
        course_id=course.id,
        name="Renamed",
        access_period_days=30,
        certificate_validity_days=700,
        revision=0,
        author=STAFF,
    )
    after = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    kept = selectors.enrollment_get(before.id).course
    assert (kept.name, kept.access_period_days, kept.certificate_validity_days) == (course.name, 90, 365)
    assert (after.course.name, after.course.access_period_days, after.course.certificate_validity_days) == (
        "Renamed",
        30,
        700,
    )
    (event,) = selectors.course_history(course.id)
    assert event.action == "COURSE_UPDATED"
    assert event.changes == [
        ["name", course.name, "Renamed"],
        ["access_period_days", 90, 30],
        ["certificate_validity_days", 365, 700],
    ]


def test_course_update__stale_revision__refused_as_changed_meanwhile():
    course = make_course()
    course_update(
        course_id=course.id, name="A", access_period_days=10, certificate_validity_days=10, revision=0, author=STAFF
    )

    with pytest.raises(ConcurrentChange):
        course_update(
            course_id=course.id, name="B", access_period_days=10, certificate_validity_days=10, revision=0, author=STAFF
        )

    assert selectors.course_get(course.id).name == "A"


def test_course_update__zero_days__names_the_field():
    course = make_course()

    with pytest.raises(InvalidEnrollmentData) as raised:
        course_update(
            course_id=course.id, name="A", access_period_days=0, certificate_validity_days=10, revision=0, author=STAFF
        )

    assert raised.value.field == "access_period_days"


def test_course_retire__audited_twice_is_once_and_restore_audited():
    course = make_course()

    retired = course_retire(course_id=course.id, author=STAFF)
    course_retire(course_id=course.id, author=STAFF)
    restored = course_restore(course_id=course.id, author=STAFF)

    assert retired.retired_at and restored.retired_at is None
    assert [event.action for event in selectors.course_history(course.id)] == ["COURSE_RESTORED", "COURSE_RETIRED"]
    assert course.id in {listed.sk for listed in selectors.course_list()}


def test_course_retire__existing_enrollments_go_on():
    company, course = make_company(billing="postpaid"), make_course()
    existing = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    course_retire(course_id=course.id, author=STAFF)

    assert selectors.enrollment_get(existing.id).status == "PENDING"
    assert selectors.enrollment_partition(existing.id).schedules
    assert record_access(enrollment_id=existing.id).status == "IN_PROGRESS"


def test_catalog_history__lives_apart_from_the_company_and_course_lists():
    company, course = make_company(), make_course()
    company_update(company_id=company.id, name="Renamed", cnpj=None, language="en", revision=0, author=STAFF)
    course_retire(course_id=course.id, author=STAFF)

    assert all(isinstance(item, CompanyItem) for item in selectors.company_list())
    assert all(isinstance(item, CourseItem) for item in selectors.course_list())


def test_order_create__purchase_order_reference__kept_on_the_order_and_the_company_listing():
    company, course = make_company(), make_course()

    order = order_create(
        tenant_id=company.id, course_id=course.id, seats=1, author=STAFF, purchase_order=" PO-2026/17 "
    )

    assert selectors.order_find(order.order_id).purchase_order == "PO-2026/17"
    assert [listed.purchase_order for listed in selectors.order_list(tenant_id=company.id)] == ["PO-2026/17"]


def test_order_create__no_purchase_order__none():
    company, course = make_company(), make_course()

    order = order_create(tenant_id=company.id, course_id=course.id, seats=1, author=STAFF, purchase_order="  ")

    assert selectors.order_find(order.order_id).purchase_order is None


def test_course_create__renewal_window_and_esocial_code__stored_and_a_course_without_a_window_has_the_default(
    settings,
):
    settings.RENEWAL_WINDOW_DEFAULT_DAYS = 45
    nr10 = course_create(
        name="NR-10", access_period_days=90, certificate_validity_days=730, renewal_window_days=90, esocial_code="1006"
    )
    plain = make_course()

    stored = selectors.course_get(nr10.id)
    assert (stored.renewal_window_days, stored.esocial_code) == (90, "1006")
    assert rules.renewal_window_days(stored) == 90
    assert selectors.course_get(plain.id).renewal_window_days is None
    assert rules.renewal_window_days(selectors.course_get(plain.id)) == 45


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"renewal_window_days": 0}, "renewal_window_days"),
        ({"renewal_window_days": rules.RENEWAL_WINDOW_MAX_DAYS + 1}, "renewal_window_days"),
        ({"esocial_code": "106"}, "esocial_code"),
        ({"esocial_code": "NR10"}, "esocial_code"),
    ],
)
def test_course_create__window_out_of_range_or_code_not_4_digits__names_the_field_creates_nothing(fields, field):
    name = f"Refused {uuid.uuid4().hex[:6]}"

    with pytest.raises(InvalidEnrollmentData) as raised:
        course_create(name=name, access_period_days=90, certificate_validity_days=365, **fields)

    assert raised.value.field == field
    assert name not in {course.name for course in selectors.course_list()}


def test_course_update__window_and_esocial_code__written_with_the_audit_old_to_new(frozen_clock):
    course = make_course(access_period_days=90, certificate_validity_days=730)

    updated = course_update(
        course_id=course.id,
        name=course.name,
        access_period_days=90,
        certificate_validity_days=730,
        renewal_window_days=120,
        esocial_code="1207",
        revision=0,
        author=STAFF,
    )

    assert (updated.renewal_window_days, updated.esocial_code, updated.revision) == (120, "1207", 1)
    (event,) = selectors.course_history(course.id)
    # A course without a window had the default: the history says the number staff saw.
    assert event.changes == [["esocial_code", None, "1207"], ["renewal_window_days", 60, 120]]


def test_course_update__the_default_window_saved_as_it_is__nothing_written():
    course = make_course()

    for window in (60, None):
        course_update(
            course_id=course.id,
            name=course.name,
            access_period_days=int(course.access_period_days),
            certificate_validity_days=int(course.certificate_validity_days),
            renewal_window_days=window,
            esocial_code="",
            revision=0,
            author=STAFF,
        )

    stored = selectors.course_get(course.id)
    assert (stored.renewal_window_days, stored.esocial_code, stored.revision) == (None, None, None)
    assert selectors.course_history(course.id) == []


def test_course_update__code_removed__written_as_absent_and_audited():
    course = course_create(name="NR-12", access_period_days=90, certificate_validity_days=730, esocial_code="1207")

    course_update(
        course_id=course.id,
        name="NR-12",
        access_period_days=90,
        certificate_validity_days=730,
        esocial_code=" ",
        revision=0,
        author=STAFF,
    )

    assert selectors.course_get(course.id).esocial_code is None
    (event,) = selectors.course_history(course.id)
    assert event.changes == [["esocial_code", "1207", None]]


def test_company_update__digest_period__audited_and_counted_from_now():
    company = make_company()
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with clock.frozen(at):
        updated = company_update(
            company_id=company.id,
            name=company.name,
            cnpj=None,
            language=None,
            revision=0,
            author=STAFF,
            digest_period="monthly",
        )

    assert (updated.digest_period, updated.digest_since) == ("monthly", to_iso(at))
    [event, *_older] = selectors.company_history(company.id)
    assert event.changes == [["digest_period", None, "monthly"]]
    with pytest.raises(InvalidEnrollmentData, match="digest period") as refused:
        company_update(
            company_id=company.id,
            name=company.name,
            cnpj=None,
            language=None,
            revision=1,
            author=STAFF,
            digest_period="daily",
        )
    assert refused.value.field == "digest_period"
    kept = company_update(company_id=company.id, name="Renamed", cnpj=None, language=None, revision=1, author=STAFF)
    assert kept.digest_period == "monthly"


# Automatic renewal settings.


def test_company_update__auto_renew_and_its_courses__stored_audited_with_the_courses_names(frozen_clock):
    company = make_company(billing="prepaid")
    nr35, nr10 = make_course(name="NR-35 Altura"), make_course(name="NR-10 Eletricidade")

    updated = company_update(
        company_id=company.id,
        name=company.name,
        cnpj=None,
        language="en",
        revision=0,
        author=STAFF,
        auto_renew=True,
        auto_renew_courses=[nr35.id, nr10.id],
    )
    frozen_clock.set(frozen_clock.start + timedelta(minutes=1))  # the history sorts by time
    every = company_update(
        company_id=company.id,
        name=company.name,
        cnpj=None,
        language="en",
        revision=1,
        author=STAFF,
        auto_renew_courses=[],
    )

    assert (updated.auto_renew, updated.auto_renew_courses) == (True, {nr35.id, nr10.id})
    assert (every.auto_renew, every.auto_renew_courses, every.revision) == (True, None, 2)
    assert rules.auto_renews(updated, nr35.id) and not rules.auto_renews(updated, "other")
    latest, first = selectors.company_history(company.id)
    assert first.changes == [
        ["auto_renew", False, True],
        ["auto_renew_courses", [], ["NR-10 Eletricidade", "NR-35 Altura"]],
    ]
    assert latest.changes == [["auto_renew_courses", ["NR-10 Eletricidade", "NR-35 Altura"], []]]


def test_company_update__auto_renew_left_out__kept_and_turned_off__audited():
    company = make_company()
    course = make_course()
    company_update(
        company_id=company.id,
        name=company.name,
        cnpj=None,
        language="en",
        revision=0,
        author=STAFF,
        auto_renew=True,
        auto_renew_courses=[course.id],
    )

    renamed = company_update(company_id=company.id, name="Renamed", cnpj=None, language="en", revision=1, author=STAFF)
    off = company_update(
        company_id=company.id, name="Renamed", cnpj=None, language="en", revision=2, author=STAFF, auto_renew=False
    )

    assert (renamed.auto_renew, renamed.auto_renew_courses) == (True, {course.id})
    assert (off.auto_renew, off.auto_renew_courses) == (None, {course.id})
    assert selectors.company_history(company.id)[0].changes == [["auto_renew", True, False]]


def test_company_update__auto_renew_of_a_course_that_does_not_exist__names_the_field_nothing_written():
    company = make_company()

    with pytest.raises(InvalidEnrollmentData) as raised:
        company_update(
            company_id=company.id,
            name=company.name,
            cnpj=None,
            language="en",
            revision=0,
            author=STAFF,
            auto_renew=True,
            auto_renew_courses=["no-such-course"],
        )

    assert raised.value.field == "auto_renew_courses" and "no-such-course" in raised.value.message
    assert selectors.company_get(company.id).revision is None
