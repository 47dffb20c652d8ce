"""A real Celery worker with development's email settings keeps the welcome in the outbox, and the page shows it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from enrollments import clock, permissions, tasks
from enrollments.outbox.files import NAME
from enrollments.services import company_create, enroll
from enrollments.tests.factories import STAFF, make_course, make_person
from enrollments.tests.lifecycle_support import real_now, record
from enrollments.tests.wait_support import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

COURSE = "NR-10 Segurança em Instalações Elétricas"


def test_worker__development_settings__welcome_kept_in_the_outbox_and_shown_decoded(
    client, login, outbox, start_worker, celery_queue
):
    company = company_create(name="Construtora Horizonte", billing="postpaid", language="pt-br")
    # Enrolled a minute ago on the real clock, which the worker reads: the welcome is due.
    with clock.frozen(real_now() - timedelta(minutes=1)):
        enrollment = enroll(
            tenant_id=company.id,
            course_id=make_course(name=COURSE).id,
            user=make_person(name="João da Silva"),
            author=STAFF,
        )
    # No EMAIL_BACKEND, no EMAIL_HOST, DEBUG=true (the test run's): the worker picks the outbox by itself.
    start_worker(EMAIL_OUTBOX_DIR=str(outbox))

    tasks.process_lifecycle_records.apply_async(args=[[[enrollment.id, "schedules#welcome"]]], queue=celery_queue)
    wait_for(lambda: record(enrollment.id, "welcome").state == "SENT", message="the welcome to be sent", timeout=60)

    [file] = list(outbox.iterdir())
    assert NAME.match(file.name)
    assert b"=?utf-8?" in file.read_bytes()  # encoded in the file, as on the wire
    login(permissions.VIEWERS)
    listed = client.get(reverse("admin:outbox_list")).content.decode()
    shown = client.get(reverse("admin:outbox_message", args=[file.name])).content.decode()
    html = client.get(reverse("admin:outbox_message_html", args=[file.name])).content.decode()
    subject = f"{COURSE}: boas-vindas"
    assert subject in listed and enrollment.user.email in listed
    assert f'<dd class="email-subject" lang="pt-br">{subject}</dd>' in shown
    assert "Olá, João da Silva," in shown and "Olá, João da Silva," in html
