"""API keys of a company: created once with a token shown once, stored as a hash, revoked once, each in the
company's history; the pages that do it."""

import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from enrollments import permissions
from enrollments.client_api import selectors
from enrollments.client_api.auth import api_key_of_token
from enrollments.client_api.services import api_key_create, api_key_revoke, api_key_touch
from enrollments.exceptions import AlreadyCreated
from enrollments.selectors import company_history
from enrollments.tests.factories import STAFF, make_company

TOKEN_FORMAT = re.compile(r"^bo_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")


def test_api_key_create__form_sent_twice__one_key_stored_as_hash_and_one_event():
    company = make_company()
    form_token = str(uuid.uuid4())

    key, token = api_key_create(company_id=company.id, name="HR system", author=STAFF, key_id=form_token)
    with pytest.raises(AlreadyCreated):
        api_key_create(company_id=company.id, name="HR system", author=STAFF, key_id=form_token)

    key_id, secret = TOKEN_FORMAT.match(token).groups()
    assert key_id == uuid.UUID(form_token).hex == key.sk
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(key.attribute_values)
    assert [k.sk for k in selectors.api_key_list(company.id)] == [key_id]
    [event] = [e for e in company_history(company.id) if e.action == "API_KEY_CREATED"]
    assert event.changes == [["api_key", None, f"HR system (bo_{key_id[:8]}…)"]]


def test_api_key_revoke__twice__revoked_once_with_one_event():
    company = make_company()
    key, _token = api_key_create(company_id=company.id, name="HR", author=STAFF)

    assert api_key_revoke(company_id=company.id, key_id=key.sk, author=STAFF) is True
    assert api_key_revoke(company_id=company.id, key_id=key.sk, author=STAFF) is False

    assert selectors.api_key_find(key.sk).revoked_at
    assert [e.action for e in company_history(company.id)].count("API_KEY_REVOKED") == 1


def test_company_api_key_find__other_company__none():
    company, other = make_company(), make_company()
    key, _token = api_key_create(company_id=company.id, name="HR", author=STAFF)

    assert selectors.company_api_key_find(other.id, key.sk) is None


@pytest.mark.django_db
def test_api_key_pages__supervisor__token_shown_once_second_post_shows_page_without_it(client, login):
    login(permissions.SUPERVISORS)
    company = make_company()
    add_url = reverse("admin:api_key_add", args=[company.id])
    data = {"name": "Payroll", "token": str(uuid.uuid4())}

    first = client.post(add_url, data, follow=True)
    token = re.search(r'<code id="token">(bo_[^<]+)</code>', first.content.decode()).group(1)
    again = client.get(first.redirect_chain[-1][0])
    second = client.post(add_url, data, follow=True)

    assert TOKEN_FORMAT.match(token)
    assert token not in again.content.decode() and token not in second.content.decode()
    assert "Payroll" in second.content.decode()
    assert len(selectors.api_key_list(company.id)) == 1
    box = client.get(reverse("admin:company_detail", args=[company.id])).content.decode().split('id="api-keys"')[1]
    assert "Payroll" in box and token not in box


@pytest.mark.django_db
def test_api_key_pages__revoke__key_shown_revoked(client, login):
    login(permissions.SUPERVISORS)
    company = make_company()
    key, _token = api_key_create(company_id=company.id, name="HR", author=STAFF)

    client.post(reverse("admin:api_key_revoke", args=[company.id, key.sk]))

    assert selectors.api_key_find(key.sk).revoked_at
    page = client.get(reverse("admin:api_key_detail", args=[company.id, key.sk])).content.decode()
    assert "Revoked on" in page


@pytest.mark.django_db
def test_api_key_pages__operator__forbidden_and_no_box(client, login):
    login(permissions.OPERATORS)
    company = make_company()

    assert client.get(reverse("admin:api_key_add", args=[company.id])).status_code == 403
    assert 'id="api-keys"' not in client.get(reverse("admin:company_detail", args=[company.id])).content.decode()


def test_api_key_touch__within_a_minute__written_once_then_again_after(frozen_clock):
    company = make_company()
    key, token = api_key_create(company_id=company.id, name="HR", author=STAFF)

    api_key_touch(key=api_key_of_token(token))
    first = selectors.api_key_find(key.sk).last_used_at
    frozen_clock.set(frozen_clock.start + timedelta(seconds=30))
    api_key_touch(key=api_key_of_token(token))
    within = selectors.api_key_find(key.sk).last_used_at
    frozen_clock.set(frozen_clock.start + timedelta(seconds=61))
    api_key_touch(key=api_key_of_token(token))
    after = selectors.api_key_find(key.sk).last_used_at

    assert first == within != after
    assert after.startswith("2026-03-02T12:01:01")
