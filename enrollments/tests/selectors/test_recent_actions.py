"""Recent actions against DynamoDB Local: a staff member's own and everyone's, newest first, each with what it acted on."""

import io
import uuid

import pytest

from enrollments import selectors as core_selectors
from enrollments.bulk_cancel import services as bulk_services
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.dynamo.models import AuditEventItem
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.recent_actions import selectors
from enrollments.services import Author, cancel, enroll, record_access
from enrollments.services.catalog import company_update, course_retire
from enrollments.services.common import SYSTEM
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person
from enrollments.tests.recent_support import future_tick, staff_author

pytestmark = pytest.mark.django_db


def _run_bulk_here(job_id, numbers):
    for number in numbers:
        job_services.job_process_chunk(BULK_CANCEL, job_id=job_id, number=number)


def _summary(actions):
    return [(action.kind, action.target_id) for action in actions]


def test_recent_actions__staff_enroll_edit_import_cancel_bulk__theirs_newest_first_and_everyones(frozen_clock):
    ana, bia = staff_author("Ana Operadora"), staff_author("Bia Supervisora")
    company, course = make_company(billing="prepaid", name="Acme"), make_course(name="Segurança do Trabalho")
    make_order(company, course, seats=10)
    future_tick(frozen_clock)
    enrolled = enroll(tenant_id=company.id, course_id=course.id, user=make_person(name="Joana Silva"), author=ana)
    future_tick(frozen_clock)
    company_update(company_id=company.id, name="Acme Ltda", cnpj=None, language="pt-br", revision=0, author=ana)
    future_tick(frozen_clock)
    csv = f"nome;e-mail;curso\nPessoa Um;um.{company.id}@example.com;{course.id}\n".encode()
    job = import_services.import_start(
        file=io.BytesIO(csv), file_name="turma.csv", tenant_id=company.id, author=ana, enqueue=None
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    future_tick(frozen_clock)
    cancel(enrollment_id=enrolled.id, reason="Wrong person", author=ana)
    future_tick(frozen_clock)
    others = [enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in range(2)]
    future_tick(frozen_clock)
    bulk = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()), enrollment_ids=others, reason="Left", author=ana, enqueue=_run_bulk_here
    )
    future_tick(frozen_clock)
    course_retire(course_id=course.id, author=bia)

    mine = selectors.recent_actions(author_id=ana.id)

    # The import's row and the bulk cancel's cancels are their jobs' doing: each job is one line.
    assert _summary(mine) == [
        ("bulk_cancel", bulk.job_id),
        ("enrollment", enrolled.id),
        ("import", job.job_id),
        ("company", company.id),
        ("enrollment", enrolled.id),
    ]
    assert [action.item.action for action in mine if action.kind == "enrollment"] == ["CANCELED", "ENROLLED"]
    assert mine[1].target.user.name == "Joana Silva" and mine[1].target.course.name == "Segurança do Trabalho"
    assert mine[3].target.name == "Acme Ltda" and mine[3].item.action == "COMPANY_UPDATED"
    assert (mine[2].item.file_name, mine[2].item.tenant_name, mine[2].item.rows_total) == ("turma.csv", "Acme Ltda", 1)
    assert (mine[0].item.total, mine[0].item.reason) == (2, "Left")
    assert {action.item.author.name for action in mine} == {"Ana Operadora"}

    assert _summary(selectors.recent_actions(author_id=bia.id)) == [("course", course.id)]
    everyone = selectors.recent_actions(limit=6)
    assert _summary(everyone) == [("course", course.id), *_summary(mine)]
    assert everyone[0].target.name == "Segurança do Trabalho" and everyone[0].item.action == "COURSE_RETIRED"


def test_recent_actions__not_staff__course_player_scheduler_or_script__stay_out(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    script = Author(id=f"cli-{uuid.uuid4().hex[:6]}", name="A script")
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=script)
    record_access(enrollment_id=enrollment.id)

    assert selectors.recent_actions(author_id=script.id) == []
    for author_id in (SYSTEM.id, "course_player", STAFF.id):
        assert all(action.target_id != enrollment.id for action in selectors.recent_actions(author_id=author_id))
    # Its history shows both; only the access is stored (the ENROLLED event is made from the enrollment), unindexed.
    assert [event.action for event in core_selectors.enrollment_partition(enrollment.id).audit] == [
        "ENROLLED",
        "ACCESSED",
    ]
    audit = list(AuditEventItem.query(enrollment.id, AuditEventItem.sk.startswith("audit#")))
    assert [event.action for event in audit] == ["ACCESSED"]
    assert all(event.actor_pk is None and event.recent_pk is None for event in audit)


def test_recent_actions__nothing_yet__empty_list():
    assert selectors.recent_actions(author_id=f"staff-{uuid.uuid4().hex}") == []


def test_recent_actions__more_than_the_limit__the_newest_only(frozen_clock):
    ana = staff_author("Ana")
    company, course = make_company(billing="postpaid"), make_course()
    ids = []
    for _ in range(4):
        future_tick(frozen_clock)
        ids.append(enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=ana).id)

    assert [action.target_id for action in selectors.recent_actions(author_id=ana.id, limit=3)] == ids[:0:-1]
    assert [action.target_id for action in selectors.recent_actions(limit=3)] == ids[:0:-1]
