"""The demo data of ``manage.py seed_demo``: a catalog, and a living system made through the services.

The enrollments go through every state as a learner's would: each action runs with the
clock frozen at the moment it happened (days or a year ago), and the enrollment's own
lifecycle records are processed in place at the moment each fell due, so reminders go
out, access periods expire, certificates are archived and one email fails for good
(its address is refused with a 550 by the email backend the demo sends through, which
keeps every other email in memory: nothing leaves the machine). Only the demo's records
are processed, never another enrollment's, and the scheduler's cursor is left alone.

Everything is made once. Catalog items have fixed ids; enrollments and the import have
uuid5 ids; the enrollment made last (``MARKER``) says the demo is complete, so a rerun
reads one item and writes nothing.
"""

import hashlib
import io
import logging
import smtplib
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail.backends import locmem
from django.test.utils import override_settings

from enrollments import clock, selectors
from enrollments.exceptions import (
    CompanyNotFound,
    CourseNotFound,
    EnrollmentAlreadyExists,
    EnrollmentError,
    EnrollmentNotFound,
    ImportJobNotFound,
    StorageUnavailable,
)
from enrollments.imports import downloads
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import states
from enrollments.jobs.services import job_run_inline
from enrollments.rules import RECORD_PENDING
from enrollments.services import (
    Author,
    Person,
    cancel,
    company_create,
    course_create,
    enroll,
    lifecycle_records_process,
    order_create,
    record_access,
    record_activity,
    record_completion,
)

logger = logging.getLogger(__name__)

SEEDER = Author(id="seed_demo", name="Demo data")
ACME, GLOBEX = "demo-acme", "demo-globex"
NR35, NR10, NR06 = "demo-nr35", "demo-nr10", "demo-nr06"
# Acme's learners get their emails in Portuguese, Globex's (an English-speaking team) in English.
COMPANIES = [
    {
        "company_id": ACME,
        "name": "Acme Construções Ltda",
        "cnpj": "11.222.333/0001-81",
        "billing": "prepaid",
        "language": "pt-br",
    },
    {"company_id": GLOBEX, "name": "Globex Energia S.A.", "cnpj": None, "billing": "postpaid", "language": "en"},
]
COURSES = [
    {
        "course_id": NR35,
        "name": "NR-35 Trabalho em Altura",
        "access_period_days": 180,
        "certificate_validity_days": 730,
    },
    {
        "course_id": NR10,
        "name": "NR-10 Segurança em Eletricidade",
        "access_period_days": 365,
        "certificate_validity_days": 730,
        # eSocial's table 28: 1006, NR-10 work on electrical installations (the exports carry it for the treiCap group of S-2200 and S-2206).
        "esocial_code": "1006",
    },
    {
        "course_id": NR06,
        "name": "NR-06 Equipamento de Proteção Individual",
        "access_period_days": 30,
        "certificate_validity_days": 365,
    },
]
ORDERS = [(ACME, NR35, 25), (ACME, NR10, 10)]
# The catalog predates the oldest demo enrollment (a year and a few days ago).
CATALOG_DAYS_AGO = 400

PEOPLE = (
    "Ana Clara Oliveira, Bruno Henrique Santos, Camila Ferreira Lima, Diego Alves Pereira, "
    "Eduarda Costa Ribeiro, Felipe Augusto Carvalho, Gabriela Martins Rocha, Henrique Souza Almeida, "
    "Isabela Gomes Barbosa, João Pedro Nascimento, Juliana Araújo Mendes, Lucas Cardoso Teixeira, "
    "Larissa Moreira Dias, Marcos Vinícius Freitas, Mariana Castro Pinto, Matheus Correia Vieira, "
    "Natália Ramos Monteiro, Otávio Batista Cunha, Patrícia Lopes Farias, Rafael Duarte Moura, "
    "Renata Cavalcanti Reis, Rodrigo Pereira Nunes, Sabrina Fonseca Campos, Thiago Machado Brito, "
    "Vanessa Tavares Sales, Vinícius Andrade Siqueira, Beatriz Conceição Prado, Gustavo Nogueira Xavier, "
    "Letícia Borges Queiroz, Paulo Roberto Antunes, Aline Medeiros Coelho"
).split(", ")
IMPORTED_PEOPLE = (
    "Daniela Rezende Bastos, Everton Lacerda Macedo, Fernanda Guimarães Pacheco, Igor Santana Valente, "
    "Jéssica Albuquerque Leal, Leonardo Magalhães Sampaio, Mônica Figueiredo Aragão, "
    "Sérgio Brandão Toledo"
).split(", ")
# The mail server refuses this learner's address for good: the demo's failed email.
BOUNCING_PERSON = "Rodrigo Pereira Nunes"


def email_of(name: str) -> str:
    """Return ``first.last@example.com`` for a name, without accents."""
    words = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().split()
    return f"{words[0]}.{words[-1]}@example.com"


def cpf_of(name: str) -> str:
    """Return a valid CPF (``000.000.000-00``, right check digits) that is always the same for ``name``."""
    digest = hashlib.sha256(name.encode()).digest()
    digits = [byte % 10 for byte in digest[:9]]
    if len(set(digits)) == 1:
        digits[0] = (digits[0] + 1) % 10
    for length in (9, 10):
        remainder = sum(digit * (length + 1 - i) for i, digit in enumerate(digits)) % 11
        digits.append(0 if remainder < 2 else 11 - remainder)
    text = "".join(map(str, digits))
    return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}"


def person(name: str) -> Person:
    return Person(name=name, email=email_of(name), cpf=cpf_of(name))


@dataclass(frozen=True)
class DemoEnrollment:
    """One demo enrollment: enrolled ``enrolled`` days ago, then ``steps``, each ``(action, days ago)``."""

    key: str
    name: str
    tenant_id: str
    course_id: str
    enrolled: float
    steps: tuple[tuple[str, float], ...] = ()
    window: int | None = None

    @property
    def enrollment_id(self) -> str:
        return demo_id(f"enrollment/{self.key}")


_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com/backoffice/seed_demo")


def demo_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


def _e(
    key: str, person_index: int, tenant_id: str, course_id: str, enrolled: float, *steps, window: int | None = None
) -> DemoEnrollment:
    return DemoEnrollment(key, PEOPLE[person_index], tenant_id, course_id, enrolled, tuple(steps), window)


ACCESS, ACTIVITY, COMPLETE, CANCEL = "access", "activity", "complete", "cancel"
# NR-06 gives 30 days of access and a certificate of a year: its enrollments expire and archive within the demo.
ENROLLMENTS = [
    _e("pending-1", 1, ACME, NR35, 1.2, window=10),
    _e("pending-2", 2, ACME, NR10, 2.5),
    _e("pending-3", 3, GLOBEX, NR35, 5.3),
    _e("pending-4", 4, GLOBEX, NR10, 6.1),
    _e("pending-5", 5, GLOBEX, NR06, 10.4),
    _e("pending-6", 6, ACME, NR35, 8.2),
    _e("bounced", PEOPLE.index(BOUNCING_PERSON), ACME, NR35, 4.1),
    _e("in-progress-1", 7, ACME, NR35, 20.1, (ACCESS, 19.2), (ACTIVITY, 12.3), (ACTIVITY, 4.2), window=30),
    _e("in-progress-2", 8, ACME, NR35, 30.2, (ACCESS, 28.1), (ACTIVITY, 20.4)),
    _e("in-progress-3", 9, ACME, NR10, 14.3, (ACCESS, 13.2), (ACTIVITY, 2.1)),
    _e("in-progress-4", 10, GLOBEX, NR35, 9.1, (ACCESS, 8.9), (ACTIVITY, 1.3)),
    _e("in-progress-5", 11, GLOBEX, NR10, 25.2, (ACCESS, 24.1)),
    _e("in-progress-6", 12, GLOBEX, NR06, 12.2, (ACCESS, 11.1), (ACTIVITY, 3.3)),
    _e("in-progress-7", 13, ACME, NR10, 3.1, (ACCESS, 2.2)),
    _e("completed-1", 14, ACME, NR35, 60.2, (ACCESS, 58.1), (ACTIVITY, 45.3), (COMPLETE, 30.2)),
    _e("completed-2", 15, ACME, NR10, 90.1, (ACCESS, 88.3), (COMPLETE, 40.1)),
    _e("completed-3", 16, GLOBEX, NR35, 45.2, (ACCESS, 44.1), (COMPLETE, 12.2)),
    _e("completed-4", 17, GLOBEX, NR06, 25.3, (ACCESS, 24.2), (COMPLETE, 20.1)),
    _e("completed-5", 18, ACME, NR35, 7.2, (COMPLETE, 6.1)),
    _e("expired-1", 19, GLOBEX, NR06, 36.2),
    _e("expired-2", 20, GLOBEX, NR06, 33.1, (ACCESS, 32.2), (ACTIVITY, 30.1)),
    _e("expired-3", 22, GLOBEX, NR06, 40.3, (ACCESS, 39.1)),
    _e("expired-4", 23, GLOBEX, NR06, 31.2),
    _e("archived-1", 24, GLOBEX, NR06, 371.2, (COMPLETE, 370.1)),
    _e("archived-2", 25, GLOBEX, NR06, 380.2, (ACCESS, 379.1), (ACTIVITY, 375.2), (COMPLETE, 368.3)),
    _e("archived-3", 26, GLOBEX, NR06, 372.1, (ACCESS, 371.3), (COMPLETE, 366.2)),
    _e("canceled-1", 27, ACME, NR35, 15.2, (CANCEL, 14.1)),
    _e("canceled-2", 28, ACME, NR10, 6.3, (CANCEL, 5.2)),
    _e("canceled-3", 29, GLOBEX, NR35, 3.2, (CANCEL, 0.3)),
    _e("canceled-4", 30, GLOBEX, NR06, 20.1, (CANCEL, 19.3)),
]
# Made last: present only once everything else is.
MARKER = _e("pending-0", 0, ACME, NR35, 0.1)
CANCEL_REASON = "Colaborador desligado da empresa antes de iniciar o curso."

IMPORT_JOB_ID = demo_id("import/1")
IMPORT_DAYS_AGO = 1.1
IMPORT_FILE_NAME = "colaboradores-acme.csv"


def import_csv() -> bytes:
    """Return the demo import's file: Acme's people for NR-35 (one for NR-10), four invalid rows and a duplicate."""
    rows = [("nome", "email", "cpf", "curso")]
    rows += [(name, email_of(name), cpf_of(name), "") for name in IMPORTED_PEOPLE]
    rows[3] = (*rows[3][:3], "NR-10 Segurança em Eletricidade")
    rows += [
        ("Wellington Cruz Matos", "wellington.matos@", cpf_of("Wellington Cruz Matos"), ""),
        ("Yasmin Vasconcelos Lira", "yasmin.lira@example.com", "123.456.789-00", ""),
        ("", "sem.nome@example.com", cpf_of("sem nome"), ""),
        ("Márcio Rangel Paiva", "marcio.paiva@example.com", cpf_of("Márcio Rangel Paiva"), "NR-33 Espaços Confinados"),
        rows[1],
    ]
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


class DemoEmailBackend(locmem.EmailBackend):
    """Keep the demo's emails in memory; refuse the bouncing learner's address for good, as a mail server would."""

    def send_messages(self, messages):
        bouncing = email_of(BOUNCING_PERSON)
        for message in messages:
            if bouncing in message.recipients():
                raise smtplib.SMTPRecipientsRefused({bouncing: (550, b"5.1.1 Mailbox does not exist")})
        return super().send_messages(messages)


def seed_catalog() -> None:
    """Create the demo companies, courses and orders that do not exist yet."""
    with clock.frozen(clock.now() - timedelta(days=CATALOG_DAYS_AGO)):
        for company in COMPANIES:
            try:
                selectors.company_get(company["company_id"])
            except CompanyNotFound:
                company_create(**company)
        for course in COURSES:
            try:
                selectors.course_get(course["course_id"])
            except CourseNotFound:
                course_create(**course)
        for tenant_id, course_id, seats in ORDERS:
            if not any(order.course_id == course_id for order in selectors.order_list(tenant_id=tenant_id)):
                order_create(tenant_id=tenant_id, course_id=course_id, seats=seats, author=SEEDER)


def seed_activity() -> None:
    """Create the demo enrollments, the import and the failed email, unless an earlier run finished them."""
    try:
        selectors.enrollment_get(MARKER.enrollment_id)
        return
    except EnrollmentNotFound:
        pass
    now = clock.now()
    with override_settings(EMAIL_BACKEND=f"{__name__}.{DemoEmailBackend.__name__}"):
        for item in ENROLLMENTS:
            _seed_enrollment(item, now)
        _seed_import(now)
        _seed_enrollment(MARKER, now)


def _seed_enrollment(demo: DemoEnrollment, now: datetime) -> None:
    enrollment_id = demo.enrollment_id
    try:
        with clock.frozen(now - timedelta(days=demo.enrolled)):
            enroll(
                tenant_id=demo.tenant_id,
                course_id=demo.course_id,
                user=person(demo.name),
                author=SEEDER,
                deduplication_window_days=demo.window,
                enrollment_id=enrollment_id,
            )
    except EnrollmentAlreadyExists:
        return  # made by a run that stopped before the end
    except StorageUnavailable:
        raise
    except EnrollmentError as error:
        # Staff changed the catalog since (seats used, a course retired): the demo goes on without this one.
        logger.warning("demo enrollment %s not made: %s", demo.key, error.message)
        return
    for action, days_ago in demo.steps:
        moment = now - timedelta(days=days_ago)
        _process_due(enrollment_id, until=moment)
        with clock.frozen(moment):
            if action == ACCESS:
                record_access(enrollment_id=enrollment_id)
            elif action == ACTIVITY:
                record_activity(enrollment_id=enrollment_id)
            elif action == COMPLETE:
                validity = selectors.course_get(demo.course_id).certificate_validity_days
                record_completion(enrollment_id=enrollment_id, certificate_expires_at=moment + timedelta(days=validity))
            else:
                cancel(enrollment_id=enrollment_id, reason=CANCEL_REASON, author=SEEDER)
    _process_due(enrollment_id, until=now)


def _process_due(enrollment_id: str, *, until: datetime) -> None:
    """Process the enrollment's pending records due by ``until``, each at the moment it fell due, as a tick would.

    Not through ``lifecycle_tick``: it reads every company's due records, from the one cursor
    of the scheduler, a day at a time (a year back is some 1,500 reads). One pass is enough:
    the demo's sends succeed or fail for good, so no record comes back due again.
    """
    until_iso = clock.to_iso(until)
    records = selectors.enrollment_partition(enrollment_id).schedules
    for record in sorted(records, key=lambda record: record.due_at):
        if record.state == RECORD_PENDING and record.due_at <= until_iso:
            with clock.frozen(clock.from_iso(record.due_at)):
                lifecycle_records_process(keys=[(record.id, record.sk)])


def _seed_import(now: datetime) -> None:
    """Import Acme's file a day ago, run it here, and process the records of the people it enrolled."""
    try:
        job = import_selectors.import_job_get(IMPORT_JOB_ID)
    except ImportJobNotFound:
        job = None
    with clock.frozen(now - timedelta(days=IMPORT_DAYS_AGO)):
        if job is None:
            job = import_services.import_start(
                file=io.BytesIO(import_csv()),
                file_name=IMPORT_FILE_NAME,
                tenant_id=ACME,
                author=SEEDER,
                enqueue=None,
                default_course_id=NR35,
                job_id=IMPORT_JOB_ID,
                allow_same_file=True,
            )
        if job.state == states.RUNNING:  # just started, or left running by a run that stopped before the end
            job_run_inline(IMPORT, job_id=IMPORT_JOB_ID)
    for _line, _name, _email, _result, enrollment_id, _message in downloads.import_report_rows(IMPORT_JOB_ID):
        if enrollment_id:
            _process_due(enrollment_id, until=now)
