"""The compliance digest's records, on DynamoDB Local with the clock frozen at each step: created once per company and
period whatever the ticks, from the period's moment, not for a period begun before it was turned on; asked for now
once."""

import threading

import pytest

from enrollments import clock
from enrollments.digests import services
from enrollments.dynamo.models import CatalogAuditEventItem
from enrollments.exceptions import AlreadyCreated, InvalidEnrollmentData
from enrollments.selectors import company_history
from enrollments.tests.digest_support import (
    add_contact,
    digest_periods,
    local,
    process,
    subject,
    tick,
    turn_digest_on,
)
from enrollments.tests.factories import STAFF, make_company

# Tables of its own: a tick reads every company and every active digest of the table.
pytestmark = pytest.mark.usefixtures("own_tables")

MONDAY_9 = local(2026, 11, 30, 9, 0)
TOKEN = "0b6f3a2e-5d1c-4c1e-9f7a-3a9f1e2d4c5b"


def test_digests_tick__a_week__digest_from_monday_8_once_whatever_the_ticks_then_next_week_another():
    company = make_company()
    add_contact(company)
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)

    tick(local(2026, 11, 30, 7, 59))
    assert digest_periods(company) == []

    created, handed = tick(local(2026, 11, 30, 8, 0))
    assert (company.id, "2026-W49") in created and (company.id, "2026-W49") in handed
    for moment in (local(2026, 11, 30, 8, 5), local(2026, 12, 3, 12), local(2026, 12, 6, 23, 59)):
        created, _handed = tick(moment)
        assert (company.id, "2026-W49") not in created
    assert digest_periods(company) == ["2026-W49"]

    created, _handed = tick(local(2026, 12, 7, 8, 0))
    assert (company.id, "2026-W50") in created
    assert digest_periods(company) == ["2026-W49", "2026-W50"]


def test_digests_tick__two_ticks_at_the_same_moment__create_the_digest_once():
    company = make_company()
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company, "monthly")
    at = local(2026, 12, 1, 8, 30)
    results = []
    ticks = [threading.Thread(target=lambda: results.append(tick(at)[0])) for _ in range(2)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join()

    assert sum((company.id, "2026-12") in created for created in results) == 1
    assert digest_periods(company) == ["2026-12"]


def test_digests_tick__turned_on_on_a_wednesday__first_digest_the_next_monday():
    company = make_company()
    with clock.frozen(local(2026, 12, 2, 10)):
        turn_digest_on(company)

    tick(local(2026, 12, 3, 9))
    assert digest_periods(company) == []
    tick(local(2026, 12, 7, 8, 1))
    assert digest_periods(company) == ["2026-W50"]


def test_digests_tick__period_off__no_digest():
    company = make_company()
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)
        turn_digest_on(company, "")

    tick(MONDAY_9)

    assert digest_periods(company) == []


def test_digest_send_now__form_sent_twice__one_digest_audited_once(smtp_settings):
    company = make_company()
    contact = add_contact(company)
    with clock.frozen(MONDAY_9):
        digest = services.digest_send_now(company_id=company.id, token=TOKEN, author=STAFF)
        with pytest.raises(AlreadyCreated):
            services.digest_send_now(company_id=company.id, token=TOKEN, author=STAFF)

    assert digest.period == f"now-{TOKEN}" and digest.cadence == "now"
    assert process(company, digest.period, MONDAY_9) == "sent"
    [mail] = smtp_settings.accepted_to(contact.email)
    assert subject(mail) == f"Compliance digest of {company.name}: on request, Nov. 30, 2026"
    events = [event for event in company_history(company.id) if event.action == "DIGEST_REQUESTED"]
    assert len(events) == 1 and isinstance(events[0], CatalogAuditEventItem)


def test_digest_send_now__nobody_receives_it__refused_with_the_reason():
    company = make_company()
    add_contact(company, receives_digest=False)

    with pytest.raises(InvalidEnrollmentData, match="No HR contact of this company receives the digest"):
        services.digest_send_now(company_id=company.id, token=TOKEN, author=STAFF)
