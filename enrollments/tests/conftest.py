"""Fixtures shared by the enrollments tests."""

import pytest
from django.conf import settings

from enrollments.dynamo import connection
from scripts.dynamodb_local import free_port


@pytest.fixture
def dynamodb_down():
    """Point the models at a port where nothing listens, then restore them."""
    saved = settings.DYNAMODB_ENDPOINT
    settings.DYNAMODB_ENDPOINT = f"http://127.0.0.1:{free_port()}"
    connection.configure()
    yield
    settings.DYNAMODB_ENDPOINT = saved
    connection.configure()
