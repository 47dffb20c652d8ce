"""/healthz and /readyz: no login, no data; /readyz asks the real DynamoDB Local and Redis."""

import pytest
from django.urls import reverse

from scripts.dynamodb_local import free_port


def test_healthz__anonymous__200_ok(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz__dynamodb_and_redis_answer__200_naming_each(client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"dynamodb": "ok", "redis": "ok"}, "failed": []}


def test_readyz__dynamodb_down__503_naming_dynamodb_only(client, dynamodb_down):
    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json()["failed"] == ["dynamodb"]
    assert response.json()["checks"]["redis"] == "ok"


def test_readyz__tables_missing__503_naming_dynamodb(client, settings):
    """DynamoDB answers, but not with this app's tables: not ready either."""
    from enrollments.dynamo import connection

    saved = settings.DYNAMODB_TABLE_PREFIX
    settings.DYNAMODB_TABLE_PREFIX = "missing_"
    connection.configure()
    try:
        response = client.get(reverse("readyz"))
    finally:
        settings.DYNAMODB_TABLE_PREFIX = saved
        connection.configure()

    assert response.status_code == 503
    assert response.json()["failed"] == ["dynamodb"]


def test_readyz__broker_down__503_naming_redis_only(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert response.json()["checks"]["dynamodb"] == "ok"


def test_readyz__services_down__body_names_no_host_nor_error(client, settings, dynamodb_down):
    port = free_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json()["failed"] == ["dynamodb", "redis"]
    assert str(port) not in response.content.decode() and "127.0.0.1" not in response.content.decode()


@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_probes__post__405(client, name):
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.slow
def test_probes__gunicorn_production_over_plain_http__200_while_pages_redirect_to_https(production_server):
    """A load balancer probes over http: the probes answer, a page still goes to https."""
    assert production_server.get("/healthz", https=False).status == 200
    ready = production_server.get("/readyz", https=False)
    assert ready.status == 200, ready.body
    page = production_server.get("/admin/login/", https=False)
    assert page.status == 301
    assert page.header("Location").startswith("https://")
