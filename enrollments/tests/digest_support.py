"""What the compliance digest's tests share: HR contacts, a company whose digest is on, reading a sent digest.

The fixtures are in ``enrollments/tests/conftest.py``; tests import these helpers, never another test module.
"""

import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from enrollments import clock, selectors
from enrollments.digests import delivery, services
from enrollments.digests import selectors as digest_selectors
from enrollments.digests.contacts import contact_add
from enrollments.services.catalog import company_update
from enrollments.tests.factories import STAFF

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local(*args) -> datetime:
    """Return a moment in São Paulo's time (the configured TIME_ZONE)."""
    return datetime(*args, tzinfo=SAO_PAULO)


def add_contact(company, *, name: str | None = None, language: str | None = None, receives_digest: bool = True):
    """Add an HR contact with a fresh email to ``company``."""
    token = uuid.uuid4().hex[:8]
    return contact_add(
        company_id=company.id,
        name=name or f"RH {token}",
        email=f"rh.{token}@client.example.com",
        language=language,
        receives_digest=receives_digest,
        author=STAFF,
    )


def turn_digest_on(company, period: str = "weekly"):
    """Set the company's digest period, as staff would on its edit page; return the company."""
    company = selectors.company_get(company.id)
    return company_update(
        company_id=company.id,
        name=company.name,
        cnpj=company.cnpj,
        language=company.language,
        revision=int(company.revision or 0),
        author=STAFF,
        digest_period=period,
    )


def parts(message) -> dict:
    """Return a received digest's text, HTML and spreadsheet (the attachment's name and bytes)."""
    found = {}
    for part in message.walk():
        if part.get_filename():
            found["attachment_name"] = part.get_filename()
            found["attachment"] = part.get_payload(decode=True)
        elif part.get_content_type() == "text/plain":
            found["text"] = _decoded(part)
        elif part.get_content_type() == "text/html":
            found["html"] = _decoded(part)
    return found


def _decoded(part) -> str:
    # SMTP carries lines ending in CRLF.
    return part.get_payload(decode=True).decode(part.get_content_charset()).replace("\r\n", "\n")


def sheet_rows(data: bytes) -> list[list]:
    """Return the rows of the first sheet of an ``.xlsx`` file, header first."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def tick(at: datetime) -> tuple[list, list]:
    """Run one digest tick at ``at``; return what it created and what it handed out, of every company."""
    handed = []
    with clock.frozen(at):
        report = services.digests_tick(now=at, dispatch=lambda company_id, period: handed.append((company_id, period)))
    return report.created, handed


def handed_out(company, at: datetime) -> list[str]:
    """Run one tick at ``at``; return the periods of ``company``'s digests it handed out (other tests' may be due)."""
    return [period for company_id, period in tick(at)[1] if company_id == company.id]


def process(company, period: str, at: datetime) -> str:
    """Process ``company``'s digest of ``period`` in this process, the clock frozen at ``at``; return the outcome."""
    with clock.frozen(at):
        return delivery.digest_process(company_id=company.id, period=period)


def digest_periods(company) -> list[str]:
    """Return the periods of every digest of ``company``, sorted."""
    return sorted(digest.period for digest in digest_selectors.digest_list(company.id, limit=100))


def subject(mail) -> str:
    """Return a received message's subject, unfolded (long headers arrive folded)."""
    return " ".join(mail.message["Subject"].split())
