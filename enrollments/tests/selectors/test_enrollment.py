"""One enrollment's partition against DynamoDB Local: its audit trail, the ``ENROLLED`` event stored or made."""

from datetime import timedelta

import pytest

from enrollments import selectors
from enrollments.clock import to_iso
from enrollments.dynamo import keys
from enrollments.dynamo.models import AuditEventItem
from enrollments.services import Author, enroll, record_access
from enrollments.services.common import audit_event
from enrollments.tests.factories import STAFF, make_company, make_course, make_person
from enrollments.tests.recent_support import staff_author

pytestmark = pytest.mark.django_db


def _stored_audit(enrollment_id: str) -> list[AuditEventItem]:
    return list(AuditEventItem.query(enrollment_id, AuditEventItem.sk.startswith(keys.AUDIT_PREFIX)))


def _enroll(author=STAFF, **kwargs):
    company, course = make_company(billing="postpaid"), make_course()
    return enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=author, **kwargs)


def test_enrollment_partition__new_enrollment__enrolled_event_made_from_it_first_in_the_audit(frozen_clock):
    enrollment = _enroll(source="api")
    frozen_clock.set(frozen_clock.start + timedelta(minutes=5))
    record_access(enrollment_id=enrollment.id)

    audit = selectors.enrollment_partition(enrollment.id).audit

    assert [event.action for event in audit] == ["ENROLLED", "ACCESSED"]
    enrolled = audit[0]
    assert enrolled.created_at == enrollment.created_at == to_iso(frozen_clock.start)
    assert (enrolled.author.id, enrolled.author.name, enrolled.author.email) == (STAFF.id, STAFF.name, STAFF.email)
    assert (enrolled.source, enrolled.reason, enrolled.detail) == ("api", None, None)
    assert [event.action for event in _stored_audit(enrollment.id)] == ["ACCESSED"]


def test_enrollment_partition__renewal__enrolled_event_detail_names_the_renewed_enrollment(frozen_clock):
    certificate = _enroll()
    renewal = _enroll(renews=certificate.id, source="renewal:job-1")

    [enrolled] = selectors.enrollment_partition(renewal.id).audit

    assert (enrolled.action, enrolled.detail, enrolled.source) == (
        "ENROLLED",
        f"renews {certificate.id}",
        "renewal:job-1",
    )
    assert enrolled.author.id == STAFF.id and _stored_audit(renewal.id) == []


def test_enrollment_partition__enrolled_event_stored_the_old_way__that_one_shown_once(frozen_clock):
    enrollment = _enroll()
    # As ``enroll`` wrote every enrollment's before issue 23: its own event, here by another author to tell it apart.
    older = Author(id="old-author", name="Older Author")
    audit_event(
        enrollment_id=enrollment.id, at=frozen_clock.start, action="ENROLLED", author=older, source="form"
    ).save()

    audit = selectors.enrollment_partition(enrollment.id).audit

    assert [(event.action, event.author.name) for event in audit] == [("ENROLLED", "Older Author")]
    assert audit[0].sk == _stored_audit(enrollment.id)[0].sk


def test_enrollment_partition__staff_member_enrolls__event_stored_for_recent_actions_and_shown_once(frozen_clock):
    ana = staff_author("Ana")
    enrollment = _enroll(author=ana)

    audit = selectors.enrollment_partition(enrollment.id).audit

    [stored] = _stored_audit(enrollment.id)
    assert [(event.action, event.sk) for event in audit] == [("ENROLLED", stored.sk)]
    assert stored.actor_pk == keys.actor_actions(ana.id) and stored.created_at == enrollment.created_at


def test_enrolled_event__made_from_the_item__never_in_the_recent_actions_indexes(frozen_clock):
    enrollment = _enroll(author=staff_author("Bia"))

    event = selectors.enrolled_event(enrollment)

    assert event.sk.startswith(f"{keys.AUDIT_PREFIX}{enrollment.created_at}#")
    assert (event.actor_pk, event.recent_pk, event.recent_sk) == (None, None, None)
