"""What the automatic renewal tests share: a company that renews automatically, a course with a renewal window,
the renewal of a certificate and the certificate's renewal window record."""

import uuid

from enrollments import rules, selectors
from enrollments.exceptions import EnrollmentNotFound
from enrollments.renewals import pending
from enrollments.services import course_create
from enrollments.services.catalog import company_update
from enrollments.tests.factories import STAFF, make_company


def renewing_company(*, billing: str = "postpaid", courses=None, name: str | None = None):
    """Return a new company that renews automatically (only ``courses``' ids, when given)."""
    company = make_company(billing=billing, name=name)
    return auto_renew(company, on=True, courses=courses)


def auto_renew(company, *, on: bool, courses=None):
    """Turn the company's automatic renewal on or off (limited to ``courses``' ids, when given); return it read back."""
    return company_update(
        company_id=company.id,
        name=company.name,
        cnpj=company.cnpj,
        language=company.language,
        revision=int(company.revision or 0),
        author=STAFF,
        auto_renew=on,
        auto_renew_courses=courses or [],
    )


def windowed_course(window: int = 45, *, name: str | None = None):
    """Return a course whose certificates open their renewal window ``window`` days before they expire."""
    return course_create(
        name=name or f"NR-35 {uuid.uuid4().hex[:6]}",
        access_period_days=90,
        certificate_validity_days=730,
        renewal_window_days=window,
    )


def renewal_of(certificate):
    """Return the enrollment that renews ``certificate``, or ``None``."""
    try:
        return selectors.enrollment_get(rules.renewal_enrollment_id(certificate.id))
    except EnrollmentNotFound:
        return None


def window_record(certificate):
    """Return the certificate's ``renewal_window`` lifecycle record."""
    return selectors.lifecycle_record_find(certificate.id, rules.RENEWAL_WINDOW)


def pending_ids(company) -> list[str]:
    """Return the certificates of the company waiting for a seat, the soonest expiry first."""
    return [item.renewed_id for item in pending.renewals_pending(company.id)]
