"""The digest's email rendered in each language: numbers and dates as its readers write them, periods in words."""

from enrollments.digests.emails import digest_render
from enrollments.digests.selectors import DIGEST_BUCKETS, PENDING_RENEWALS, CourseRow, DigestSummary
from enrollments.dynamo import keys
from enrollments.dynamo.models import CompanyItem, CourseItem
from enrollments.tests.digest_support import local

NOW = local(2026, 12, 1, 9, 0)


def _summary() -> DigestSummary:
    company = CompanyItem(*keys.company("obras"), name="Obras Sul", billing="postpaid", language="pt-br")
    course = CourseItem(*keys.course("nr35"), name="NR-35", access_period_days=90, certificate_validity_days=730)
    counts = dict.fromkeys(DIGEST_BUCKETS, 0) | {"valid": 1234, PENDING_RENEWALS: 5}
    return DigestSummary(company=company, now=NOW, rows=[CourseRow(course=course, counts=counts)])


def test_digest_render__monthly__pt_br_writes_1_234_and_the_month_in_lower_case():
    rendered = digest_render(_summary(), period="2026-12", language="pt-br", created_at=NOW)

    assert rendered.subject == "Resumo de conformidade de Obras Sul: dezembro de 2026"
    assert "1.234" in rendered.text and "1.234" in rendered.html
    assert "situação em 1 de dezembro de 2026" in rendered.text
    assert rendered.attachment_name == "resumo-de-conformidade-obras-sul-2026-12.xlsx" and rendered.attachment_rows == 0
    assert "Nenhum certificado expira em até 90 dias" in rendered.text


def test_digest_render__english__writes_1_234_and_the_month():
    rendered = digest_render(_summary(), period="2026-12", language="en", created_at=NOW)

    assert rendered.subject == "Compliance digest of Obras Sul: December 2026"
    assert "1,234" in rendered.text and "Pending renewals: 5" in rendered.text
    assert rendered.attachment_name == "compliance-digest-obras-sul-2026-12.xlsx"
