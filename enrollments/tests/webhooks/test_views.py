"""The webhook pages: registered from the company's page (secret shown right after, again on request), edited,
the secret rotated, the delivery log with "send again"; supervisors only; the same POST twice does it once."""

import re
import uuid

import pytest
from django.urls import reverse

from enrollments import permissions, rules
from enrollments.dynamo import keys
from enrollments.dynamo.models import MainItem
from enrollments.selectors import company_history
from enrollments.services import enroll
from enrollments.services.enrollment_events import EVENT_TYPES
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_person
from enrollments.tests.webhook_support import register
from enrollments.webhooks import delivery, selectors

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'<code id="secret">(whsec_[^<]+)</code>')


def test_register_page__sent_twice__one_endpoint_secret_shown_once_then_on_request(client, login, webhook_receiver):
    login(permissions.SUPERVISORS)
    company = make_company()
    add_url = reverse("admin:webhook_add", args=[company.id])
    data = {"url": webhook_receiver.url, "events": list(EVENT_TYPES), "token": str(uuid.uuid4())}

    first = client.post(add_url, data, follow=True)
    again = client.get(first.redirect_chain[-1][0])
    second = client.post(add_url, data, follow=True)
    asked = client.post(reverse("admin:webhook_detail", args=[company.id]))

    secret = selectors.endpoint_find(company.id).secret
    assert SECRET.search(first.content.decode()).group(1) == secret
    assert secret not in again.content.decode() and secret not in second.content.decode()
    assert "already has a webhook endpoint" in second.content.decode()
    assert SECRET.search(asked.content.decode()).group(1) == secret
    assert [e.action for e in company_history(company.id)].count("WEBHOOK_REGISTERED") == 1
    company_page = client.get(reverse("admin:company_detail", args=[company.id])).content.decode()
    box = company_page.split('id="webhook"')[1]
    assert webhook_receiver.url in box and secret not in box
    # The history names the events in words, and never the secret.
    assert "Enrollment completed (with the certificate&#x27;s expiry)" in company_page and secret not in company_page


def test_register_page__production__http_address_refused_on_the_form(client, login, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    login(permissions.SUPERVISORS)
    company = make_company()

    page = client.post(
        reverse("admin:webhook_add", args=[company.id]),
        {"url": "http://hooks.example.com/in", "events": list(EVENT_TYPES), "token": str(uuid.uuid4())},
    )

    assert page.status_code == 200 and "must start with https://" in page.content.decode()
    assert selectors.endpoint_find(company.id) is None


def test_edit_and_rotate_pages__same_post_twice__changed_once(client, login, webhook_receiver):
    login(permissions.SUPERVISORS)
    company = make_company()
    first_secret = register(company, webhook_receiver.url).secret
    edit = {"url": webhook_receiver.url, "events": ["enrollment.created"], "revision": 1}

    client.post(reverse("admin:webhook_edit", args=[company.id]), edit)
    second = client.post(reverse("admin:webhook_edit", args=[company.id]), edit, follow=True)
    rotated = client.post(reverse("admin:webhook_rotate", args=[company.id]), {"revision": 2}, follow=True)
    client.post(reverse("admin:webhook_rotate", args=[company.id]), {"revision": 2})

    endpoint = selectors.endpoint_find(company.id)
    assert endpoint.active is False and set(endpoint.events) == {"enrollment.created"} and endpoint.revision == 3
    assert "changed meanwhile" in second.content.decode()
    assert SECRET.search(rotated.content.decode()).group(1) == endpoint.secret != first_secret


def test_delivery_log__lists_events_with_state_and_answer_and_send_again_twice_queues_once(
    client, login, webhook_receiver
):
    login(permissions.SUPERVISORS)
    company, course = make_company(billing="postpaid"), make_course()
    register(company, webhook_receiver.url)
    webhook_receiver.statuses = [500]
    enroll(
        tenant_id=company.id,
        course_id=course.id,
        user=make_person(name="Carla Dias", cpf=make_cpf()),
        author=STAFF,
        deduplication_window_days=None,
    )
    [event] = MainItem.query(keys.webhook_events(company.id), consistent_read=True)
    delivery.webhook_event_deliver(partition=event.id, sk=event.sk)  # 500: pending again
    log_url = reverse("admin:webhook_events", args=[company.id])

    pending = client.get(log_url).content.decode()
    # Its tries spent (as after a day of refusals): failed.
    event.update(actions=[type(event).state.set(rules.RECORD_FAILED), type(event).webhook_due_shard.remove()])
    resend = reverse("admin:webhook_event_resend", args=[company.id])
    first = client.post(resend, {"event": event.sk}, follow=True)
    second = client.post(resend, {"event": event.sk}, follow=True)

    assert "Carla Dias" in pending and "HTTP 500" in pending and 'data-state="pending"' in pending
    assert "1 event on this page" in pending
    assert "will be sent again" in first.content.decode()
    assert "already waiting to be sent" in second.content.decode()
    assert [e.action for e in company_history(company.id)].count("WEBHOOK_EVENT_RESENT") == 1
    assert client.post(resend, {"event": "not-an-event"}, follow=True).status_code == 200


def test_webhook_pages__operator__forbidden_and_no_box(client, login, webhook_receiver):
    login(permissions.OPERATORS)
    company = make_company()
    register(company, webhook_receiver.url)

    for name in ("webhook_add", "webhook_detail", "webhook_edit", "webhook_events"):
        assert client.get(reverse(f"admin:{name}", args=[company.id])).status_code == 403
    assert 'id="webhook"' not in client.get(reverse("admin:company_detail", args=[company.id])).content.decode()


def test_webhook_detail__company_without_endpoint__404(client, login):
    login(permissions.SUPERVISORS)

    assert client.get(reverse("admin:webhook_detail", args=[make_company().id])).status_code == 404
