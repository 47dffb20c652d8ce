"""A company's webhook endpoint: registered once with a secret, its address checked (https, no internal host in
production), edited and its secret rotated over the revision read, each change in the company's history."""

import pytest

from enrollments.exceptions import AlreadyCreated, InvalidEnrollmentData
from enrollments.selectors import company_history
from enrollments.services.enrollment_events import ENROLLMENT_CANCELED, ENROLLMENT_CREATED, EVENT_TYPES
from enrollments.tests.factories import make_company
from enrollments.tests.webhook_support import SUPERVISOR, register
from enrollments.webhooks import selectors
from enrollments.webhooks.services import (
    webhook_endpoint_register,
    webhook_endpoint_update,
    webhook_secret_rotate,
)


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False


def _register(company, url):
    return webhook_endpoint_register(company_id=company.id, url=url, events=EVENT_TYPES, author=SUPERVISOR)


def test_register__twice__one_endpoint_with_a_whsec_secret_and_one_history_event(webhook_receiver):
    company = make_company()

    endpoint = register(company, webhook_receiver.url)
    with pytest.raises(AlreadyCreated):
        register(company, webhook_receiver.url)

    found = selectors.endpoint_find(company.id)
    assert found.secret == endpoint.secret and found.secret.startswith("whsec_") and len(found.secret) > 40
    assert found.active and set(found.events) == set(EVENT_TYPES)
    assert [e.action for e in company_history(company.id)].count("WEBHOOK_REGISTERED") == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",  # not https
        "https://127.0.0.1/in",  # loopback
        "https://localhost:8443/in",  # a name of loopback
        "https://10.1.2.3/in",  # private
        "https://192.168.0.10/in",
        "https://169.254.169.254/latest/meta-data",  # link-local: a cloud's metadata service
        "https://[::1]/in",
        "https://user:pw@hooks.example.com/in",  # credentials in the address
        "ftp://hooks.example.com/in",
        "https://no-such-host.invalid/in",  # not found
    ],
)
def test_register__production__http_and_internal_or_unknown_hosts_refused_on_the_url_field(production, url):
    company = make_company()

    with pytest.raises(InvalidEnrollmentData) as refused:
        _register(company, url)

    assert refused.value.field == "url"
    assert selectors.endpoint_find(company.id) is None


def test_register__development_setting__http_on_loopback_accepted(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True

    endpoint = _register(make_company(), "http://127.0.0.1:9/in")

    assert endpoint.url == "http://127.0.0.1:9/in"


def test_register__no_event_chosen__refused_on_the_events_field(webhook_receiver):
    with pytest.raises(InvalidEnrollmentData) as refused:
        webhook_endpoint_register(company_id=make_company().id, url=webhook_receiver.url, events=[], author=SUPERVISOR)

    assert refused.value.field == "events"


def test_update__same_revision_twice__written_once_with_each_change_in_history(webhook_receiver):
    company = make_company()
    register(company, webhook_receiver.url)
    change = {"url": webhook_receiver.url + "/v2", "events": [ENROLLMENT_CREATED], "active": False, "revision": 1}

    assert webhook_endpoint_update(company_id=company.id, author=SUPERVISOR, **change) is True
    assert (
        webhook_endpoint_update(company_id=company.id, author=SUPERVISOR, **{**change, "events": [ENROLLMENT_CANCELED]})
        is False
    )

    endpoint = selectors.endpoint_find(company.id)
    assert (endpoint.url, set(endpoint.events), endpoint.active, endpoint.revision) == (
        webhook_receiver.url + "/v2",
        {ENROLLMENT_CREATED},
        False,
        2,
    )
    [event] = [e for e in company_history(company.id) if e.action == "WEBHOOK_UPDATED"]
    assert [field for field, _old, _new in event.changes] == ["webhook_url", "webhook_events", "webhook_active"]


def test_rotate__same_click_twice__one_new_secret_never_written_in_history(webhook_receiver):
    company = make_company()
    first = register(company, webhook_receiver.url).secret

    assert webhook_secret_rotate(company_id=company.id, revision=1, author=SUPERVISOR) is True
    assert webhook_secret_rotate(company_id=company.id, revision=1, author=SUPERVISOR) is False

    second = selectors.endpoint_find(company.id).secret
    assert second != first and second.startswith("whsec_")
    history = company_history(company.id)
    assert [e.action for e in history].count("WEBHOOK_SECRET_ROTATED") == 1
    assert not any(first in str(e.changes) or second in str(e.changes) for e in history)
