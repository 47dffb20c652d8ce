from datetime import UTC, datetime

import pytest

from enrollments.exceptions import InvalidEnrollmentData, StorageUnavailable
from enrollments.services import cancel, company_create, enroll, record_access, record_activity, record_completion
from enrollments.tests.factories import STAFF, make_person


def test_services__dynamodb_unreachable__raise_storage_unavailable_not_botocore(dynamodb_down):
    with pytest.raises(StorageUnavailable):
        enroll(tenant_id="t", course_id="c", user=make_person(), author=STAFF)
    with pytest.raises(StorageUnavailable):
        cancel(enrollment_id="e", reason="r", author=STAFF)


def test_progress_services__dynamodb_unreachable__raise_storage_unavailable_not_botocore(dynamodb_down):
    with pytest.raises(StorageUnavailable):
        record_access(enrollment_id="e")
    with pytest.raises(StorageUnavailable):
        record_activity(enrollment_id="e")
    with pytest.raises(StorageUnavailable):
        record_completion(enrollment_id="e", certificate_expires_at=datetime(2099, 1, 1, tzinfo=UTC))


def test_company_create__same_id_twice__raises_invalid_data():
    company_create(name="Once", billing="prepaid", company_id="fixed-company-id-1")

    with pytest.raises(InvalidEnrollmentData, match="already exists"):
        company_create(name="Twice", billing="prepaid", company_id="fixed-company-id-1")
