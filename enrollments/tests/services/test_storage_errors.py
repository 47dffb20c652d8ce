import pytest
from django.conf import settings

from enrollments.dynamo import connection
from enrollments.exceptions import InvalidEnrollmentData, StorageUnavailable
from enrollments.services import cancel, company_create, enroll
from enrollments.tests.factories import STAFF, make_person
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


def test_services__dynamodb_unreachable__raise_storage_unavailable_not_botocore(dynamodb_down):
    with pytest.raises(StorageUnavailable):
        enroll(tenant_id="t", course_id="c", user=make_person(), author=STAFF)
    with pytest.raises(StorageUnavailable):
        cancel(enrollment_id="e", reason="r", author=STAFF)


def test_company_create__same_id_twice__raises_invalid_data():
    company_create(name="Once", billing="prepaid", company_id="fixed-company-id-1")

    with pytest.raises(InvalidEnrollmentData, match="already exists"):
        company_create(name="Twice", billing="prepaid", company_id="fixed-company-id-1")
