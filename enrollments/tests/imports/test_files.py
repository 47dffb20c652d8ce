"""Refusals of an upload's size and rows: as soon as a limit is passed, with the true size and numbers written as
the staff member's language writes them."""

import io
import zipfile

import pytest
from django.utils import translation

from enrollments.exceptions import ImportFileRefused
from enrollments.imports.files import read_upload
from enrollments.imports.preview import CourseSeats, ImportPreview
from enrollments.tests.imports.workbook_support import streamed_workbook

LIMIT = 100_000


def _csv(rows: int, *, tail: str = "") -> bytes:
    lines = "".join(f"Pessoa {i},p{i}@example.com,curso-1\n" for i in range(rows))
    return ("nome,email,curso\n" + lines + tail).encode()


def _refusal(data: bytes, *, name: str = "pessoas.csv", language: str = "pt-br") -> str:
    with pytest.raises(ImportFileRefused) as raised, translation.override(language):
        read_upload(io.BytesIO(data), name=name)
    return raised.value.message


def test_read_upload__one_row_past_the_limit__refused_there_with_the_limit_localized(settings):
    settings.IMPORT_MAX_ROWS = LIMIT
    # A quote that never closes after the row over the limit: read that far, the file would be refused for it.
    data = _csv(LIMIT + 1, tail='Zé,"ze@example.com,curso-1\n' + "x,y,z\n" * 1000)

    assert _refusal(data) == ("O arquivo tem mais de 100.000 linhas; divida-o em arquivos de no máximo 100.000 linhas.")
    assert "100,000 rows" in _refusal(data, language="en")


def test_read_upload__rows_up_to_the_limit__counted(settings):
    settings.IMPORT_MAX_ROWS = 5

    upload = read_upload(io.BytesIO(_csv(5)), name="pessoas.csv")

    assert upload.rows == 5


def test_read_upload__limit_of_one_row__refused_in_the_singular(settings):
    settings.IMPORT_MAX_ROWS = 1

    assert _refusal(_csv(2)) == "O arquivo tem mais de 1 linha; divida-o em arquivos de no máximo 1 linha."


def test_read_upload__workbook_one_row_past_the_limit__refused_with_the_limit_localized(settings):
    settings.IMPORT_MAX_ROWS = 1_000
    data = streamed_workbook(["nome", "email", "curso"], [[f"P{i}", f"p{i}@example.com", "c"] for i in range(1_001)])

    assert "mais de 1.000 linhas" in _refusal(data, name="pessoas.xlsx")


def test_read_upload__csv_of_25_mb__refused_with_its_true_size(settings):
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    data = _csv(10) + b"x" * int(25.3 * 1024 * 1024)

    assert _refusal(data) == "O arquivo tem 25,3\xa0MB; o limite é 20,0\xa0MB. Divida-o em arquivos menores."


def test_read_upload__workbook_of_25_mb__refused_with_its_true_size(settings):
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("padding.bin", b"\0" * int(25.3 * 1024 * 1024))

    assert _refusal(buffer.getvalue(), name="p.xlsx").startswith("O arquivo tem 25,3\xa0MB; o limite é 20,0\xa0MB.")


@pytest.mark.parametrize(
    "short, words",
    [
        (1, "Falta 1 vaga para Segurança (linhas a matricular: 1.500, vagas restantes: 1.499). A última linha"),
        (1_200, "Faltam 1.200 vagas para Segurança (linhas a matricular: 1.500, vagas restantes: 300). As últimas"),
    ],
)
def test_seat_messages__seats_short__plural_and_numbers_in_pt_br(short, words):
    preview = ImportPreview(
        file=None,
        tenant_id="t",
        company_name="Acme",
        billing="prepaid",
        default_course_id=None,
        window_days=None,
        courses=[CourseSeats(course_id="c", course_name="Segurança", needed=1_500, left=1_500 - short)],
    )

    with translation.override("pt-br"):
        (message,) = preview.seat_messages()

    assert message.startswith(words)
