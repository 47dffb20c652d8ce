"""Reading an upload: lines of any length in linear time, and the files that would surprise, each refused in words."""

import codecs
import io

import pytest
from django.utils import translation

from enrollments.exceptions import ImportFileRefused
from enrollments.imports import parsing
from enrollments.imports.parsing import iter_rows, read_csv_file
from enrollments.imports.preview import FAILED_ROWS_HEADER, import_preview
from enrollments.imports.rows import INVALID
from enrollments.tests.factories import make_company, make_course

pytestmark = pytest.mark.django_db


def _rows(data: bytes):
    stream = io.BytesIO(data)
    return list(iter_rows(stream, read_csv_file(stream, has_default_course=True)))


def _refusal(data: bytes) -> str:
    with pytest.raises(ImportFileRefused) as raised:
        _rows(data)
    return raised.value.message


def test_lines__line_ends_across_block_boundaries__every_line_whole_once():
    # "\r\n" split by the block boundary, a lone "\r" at the boundary, and a line longer than three blocks.
    size = parsing.BLOCK_SIZE
    text = "a" * (size - 1) + "\r\n" + "b" * (size - 1) + "\r" + "c\n" + "d" * (3 * size) + "\n" + "end"
    lines = list(parsing._lines(io.BytesIO(text.encode()), "utf-8"))

    assert lines == ["a" * (size - 1) + "\r\n", "b" * (size - 1) + "\r", "c\n", "d" * (3 * size) + "\n", "end"]


def test_rows__one_cell_of_a_megabyte__row_error_naming_line_and_column(settings):
    settings.IMPORT_MAX_CELL_CHARS = 254
    company, course = make_company(billing="postpaid"), make_course()
    data = f"Nome,E-mail\nAna,ana@example.com\n{'x' * 1_000_000},bia@example.com\n".encode()

    preview = import_preview(file=io.BytesIO(data), tenant_id=company.id, default_course_id=course.id)

    assert (preview.rows_total, preview.to_enroll, preview.invalid) == (2, 1, 1)
    [row] = preview.problem_rows
    assert row.status == INVALID and row.message == "Line 3, column “Nome”: longer than 254 characters."
    # Cut at the limit: the row stays small wherever it is kept.
    assert len(row.raw.name) == 254


def test_rows__quote_that_never_closes__file_refused_naming_its_line():
    message = _refusal(b'name,email\nAna,ana@example.com\n"Bia,bia@example.com\nCid,cid@example.com\n')

    assert message.startswith("Line 3 opens a quote") and "never closes" in message


def test_rows__quoted_cell_across_lines__that_row_is_an_error_the_others_stay():
    rows = _rows(b'name,email\n"Ana\nMaria",ana@example.com\nBia,bia@example.com\n')

    assert [(row.line, row.name) for row in rows] == [(2, "Ana\nMaria"), (4, "Bia")]


def test_read__nul_byte_past_the_first_block__refused_naming_its_line():
    lines = [f"Person {n},p{n}@example.com" for n in range(5000)]
    lines[4000] = "Bad\x00Row,bad@example.com"
    data = ("name,email\n" + "\n".join(lines) + "\n").encode()
    assert data.index(b"\x00") > parsing.BLOCK_SIZE

    assert _refusal(data) == (
        "Line 4002 holds a NUL byte (binary data), which no CSV text has: save the sheet as CSV again."
    )


def test_read__utf16_without_byte_order_mark__its_own_message():
    data = "name,email\nJosé,jose@example.com\n".encode("utf-16-le")

    assert "UTF-16 text without a byte-order mark" in _refusal(data)


def test_read__utf16_with_byte_order_mark__still_read():
    data = codecs.BOM_UTF16_LE + "name,email\nJosé,jose@example.com\n".encode("utf-16-le")

    assert [row.name for row in _rows(data)] == ["José"]


def test_read__utf8_lines_and_a_windows_1252_line__refused_naming_the_first_that_is_not_utf8():
    data = "name,email\nJosé,jose@example.com\n".encode() + "Conceição,c@example.com\n".encode("cp1252")

    message = _refusal(data)

    assert message.startswith("The file mixes two encodings: some lines are UTF-8 and line 3 is not")


def test_read__windows_1252_file__still_read_as_such():
    data = "name,email\nConceição,c@example.com\nJosé,j@example.com\n".encode("cp1252")

    assert [row.name for row in _rows(data)] == ["Conceição", "José"]


def test_check__valid_rows_beside_long_ones__valid_ones_stay_ok():
    company, course = make_company(billing="postpaid"), make_course()
    data = f"name,email\nAna,ana@example.com\nBia,{'b' * 300}@example.com\n".encode()

    preview = import_preview(file=io.BytesIO(data), tenant_id=company.id, default_course_id=course.id)

    assert preview.to_enroll == 1 and [row.status for row in preview.problem_rows] == [INVALID]


def test_read__failed_rows_header_in_portuguese__every_column_known_and_line_error_ignored():
    stream = io.BytesIO(
        "\ufeffnome;email;cpf;curso;janela (dias);linha;erro\r\nAna;ana@example.com;;c1;;2;x\r\n".encode()
    )

    csv_file = read_csv_file(stream)

    assert csv_file.delimiter == ";"
    assert csv_file.columns == {"name": 0, "email": 1, "cpf": 2, "course": 3, "window_days": 4}


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_read__headers_this_app_writes__known_in_each_language(language):
    with translation.override(language):
        header = ";".join(str(words) for words in FAILED_ROWS_HEADER)
    stream = io.BytesIO(f"\ufeff{header}\r\nAna;ana@example.com;;c1;;2;x\r\n".encode())

    # Read under the other language: a file downloaded in one language uploads in any.
    with translation.override("en" if language == "pt-br" else "pt-br"):
        columns = read_csv_file(stream).columns

    assert columns == {"name": 0, "email": 1, "cpf": 2, "course": 3, "window_days": 4}
