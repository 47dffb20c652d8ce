"""The pages of issue 20 in Brazilian Portuguese: each count agrees with its number (0 is plural), each label with
its noun, and no parentheses inside parentheses (docs/glossary.md)."""

import html
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollments import permissions
from enrollments.bulk_cancel import services as bulk_services
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.services import cancel, enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def language(client, settings, tmp_path):
    """Return a function that makes the test client read pages in ``code`` (pt-BR unless told)."""
    settings.LANGUAGE_CODE = "pt-br"
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")

    def choose(code: str = "pt-br"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        return client

    return choose


def _text(page: str) -> str:
    """Return a page's words as a reader sees them: no markup, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _get(client, name: str, *args, query: str = "") -> str:
    response = client.get(reverse(f"admin:{name}", args=args) + query)
    assert response.status_code == 200
    return _text(response.content.decode())


def _preview(client, company, rows: str) -> str:
    response = client.post(
        reverse("admin:import_add"),
        {
            "company": company.id,
            "course": "",
            "window_days": "",
            "file": SimpleUploadedFile("pessoas.csv", f"nome;email;curso\n{rows}".encode(), content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    return _text(response.content.decode())


def _finished_import(company, course, rows: str):
    job = import_services.import_start(
        file=io.BytesIO(f"nome;email;curso\n{rows}".encode()),
        file_name="pessoas.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=None,
    )
    return job_services.job_run_inline(IMPORT, job_id=job.job_id)


def _run_here(job_id, numbers):
    for number in numbers:
        job_services.job_process_chunk(BULK_CANCEL, job_id=job_id, number=number)


def test_enroll_form__pt_br__a_course_without_seats_says_0_vagas_restantes(language, login):
    company, empty, one_left = make_company(billing="prepaid"), make_course(), make_course()
    make_order(company, one_left, seats=1)
    login(permissions.OPERATORS)

    text = _get(language(), "enrollment_add", query=f"?company={company.id}")

    assert f"{empty.name} — 0 vagas restantes" in text
    assert f"{one_left.name} — 1 vaga restante" in text


def test_import_preview__pt_br__each_error_count_agrees_with_its_number(language, login):
    company, course = make_company(billing="postpaid"), make_course()
    active = make_person()
    enroll(tenant_id=company.id, course_id=course.id, user=active, author=STAFF)
    ana = f"Ana;ana.{company.id}@example.com;{course.id}\n"
    login(permissions.OPERATORS)

    text = _preview(language(), company, ana + ana + f"{active.name};{active.email};{course.id}\n")

    assert "(0 inválidas, 1 duplicada no arquivo, 0 já matriculadas, 1 já ativa no curso)" in text
    assert "1 linha fica de fora: a pessoa tem uma matrícula ativa no curso." in text
    assert "Já ativas no curso" in text and "Duplicadas no arquivo" in text


def test_import_preview__pt_br__no_error__zero_counts_in_the_plural(language, login):
    company, course = make_company(billing="postpaid"), make_course()
    login(permissions.OPERATORS)

    text = _preview(language(), company, f"Ana;ana.{company.id}@example.com;{course.id}\n")

    assert "(0 inválidas, 0 duplicadas no arquivo, 0 já matriculadas, 0 já ativas no curso)" in text
    assert "0 linhas ficam de fora" in text and "0 linha " not in text


def test_import_preview__english__counts_in_english(language, login):
    company, course = make_company(billing="postpaid"), make_course()
    ana = f"Ana;ana.{company.id}@example.com;{course.id}\n"
    login(permissions.OPERATORS)

    text = _preview(language("en"), company, ana + ana)

    assert "(0 invalid, 1 duplicate in the file, 0 already enrolled, 0 already active in the course)" in text
    assert "0 rows left out" in text


def test_import_preview__prepaid_short_of_seats__billing_after_a_dash_and_the_shortfall_agrees(language, login):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=1)
    rows = "".join(f"Pessoa {n};p{n}.{company.id}@example.com;{course.id}\n" for n in range(3))
    login(permissions.OPERATORS)

    text = _preview(language(), company, rows)

    assert f"{company.name} — Pré-paga (compra vagas)" in text and "((" not in text and "))" not in text
    assert "Vagas a utilizar 1 (faltam 2)" in text
    assert f"Faltam 2 vagas para {course.name} (linhas a matricular: 3, vagas restantes: 1)." in text


def test_import_page__pt_br__counters_of_rows_feminine_plural_and_dates_of_an_importacao(language, login):
    company, course = make_company(billing="postpaid"), make_course()
    job = _finished_import(company, course, f"Ana;ana.{company.id}@example.com;{course.id}\nBad;bad;{course.id}\n")
    login(permissions.VIEWERS)

    text = _get(language(), "import_detail", job.job_id)

    assert "Matriculadas 1" in text and "Inválidas 1" in text and "Já matriculadas 0" in text
    assert "Criada em" in text and "Finalizada em" in text and "Criado em" not in text


def test_bulk_cancel_pages__pt_br__counters_of_enrollments_and_dates_of_a_cancelamento(language, login):
    company, course = make_company(billing="postpaid"), make_course()
    fresh, done = (enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in "ab")
    cancel(enrollment_id=done, reason="Antes", author=STAFF)
    job = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()), enrollment_ids=[fresh, done], reason="Empresa errada", author=STAFF, enqueue=_run_here
    )
    login(permissions.VIEWERS)
    client = language()

    detail = _get(client, "bulk_cancel_detail", job.job_id)
    listing = _get(client, "bulk_cancel_list")

    assert "Canceladas: 1" in detail and "Recusadas: 1" in detail and "Cancelada:" not in detail
    assert f"{course.name} Cancelada" in detail and f"{course.name} Recusada" in detail
    assert "Criado em" in detail and "Finalizado em" in detail and "Criada em" not in detail
    assert "Progresso: Concluído" in detail
    assert "Canceladas Recusadas Matrículas" in listing


def test_bulk_cancel_page__english__counters_unchanged(language, login):
    company, course = make_company(billing="postpaid"), make_course()
    fresh = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id
    job = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()), enrollment_ids=[fresh], reason="Wrong company", author=STAFF, enqueue=_run_here
    )
    login(permissions.VIEWERS)

    text = _get(language("en"), "bulk_cancel_detail", job.job_id)

    assert "Canceled: 1" in text and "Refused: 0" in text and "Created at" in text and "Finished at" in text


def test_company_and_course_pages__pt_br__criada_for_the_empresa_criado_for_the_pedido_and_the_curso(language, login):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=2)
    login(permissions.VIEWERS)
    client = language()

    company_page = _get(client, "company_detail", company.id)
    course_page = _get(client, "course_detail", course.id)

    assert "Cobrança Pré-paga (compra vagas)" in company_page
    assert "Criada em" in company_page  # the company's own date
    assert "Criado em Referência do pedido de compra" in company_page  # the orders' columns
    assert "Criado em" in course_page and "Criada em" not in course_page


def test_enrollment_pages__pt_br__audit_names_the_matricula_and_counts_agree(language, login):
    company, course = make_company(billing="prepaid"), make_course(access_period_days=90)
    make_order(company, course, seats=1)
    kept = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    one_day = make_course(access_period_days=1)
    canceled = enroll(
        tenant_id=make_company(billing="postpaid").id, course_id=one_day.id, user=make_person(), author=STAFF
    )
    cancel(enrollment_id=canceled.id, reason="Pessoa errada", author=STAFF)
    login(permissions.VIEWERS)
    client = language()

    kept_text = _get(client, "enrollment_detail", kept.id)
    canceled_text = _get(client, "enrollment_detail", canceled.id)

    assert f"{course.name} (90 dias de acesso)" in kept_text and "(1 vaga comprada em" in kept_text
    assert f"{one_day.name} (1 dia de acesso)" in canceled_text
    assert "Matrícula realizada" in canceled_text and "Matrícula cancelada" in canceled_text
    assert "Matriculado" not in canceled_text
    assert "Data da matrícula" in canceled_text and "Cancelada em" in canceled_text


def test_compliance_report__pt_br__headers_agree_with_certificado_and_curso(language, login):
    company = make_company(billing="postpaid")
    login(permissions.VIEWERS)

    portuguese = _get(language(), "compliance_report", company.id)
    english = _get(language("en"), "compliance_report", company.id)

    assert "Válido" in portuguese and "Expirado" in portuguese and "Não iniciado" in portuguese
    assert "Expirada" not in portuguese and "VÁLIDO" not in portuguese
    assert 'contam como "Não iniciado"' in portuguese
    assert "Valid" in english and "Expired" in english and "Not started" in english
