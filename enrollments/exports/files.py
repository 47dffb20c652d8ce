"""The rows of an export and the files they become: CSV (the staff member's language) and ``.xlsx``.

Rows are read page by page from index queries and written one at a time, so an export of
any size holds one DynamoDB page in memory. Every text cell of a CSV file is neutralised (a
leading ``'`` before ``= + - @``, tab or CR); in ``.xlsx`` a text is a string cell, which no
spreadsheet runs as a formula, so it keeps its value as it is. The CPF is text
(``000.000.000-00``, leading zeros kept); in ``.xlsx`` dates are dates, in the configured time zone.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import pgettext, pgettext_lazy

from .. import labels, selectors
from ..clock import from_iso
from ..csv_files import localized_csv_lines
from ..validators import format_cpf

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What an export reads: the enrollment list with its filters, or a source another app registers (the compliance
# report's people of a bucket: ``reports/export_source.py``).
ENROLLMENTS = "enrollments"

# The list's rows are read this many at a time (one index query page each).
_PAGE_SIZE = 500

HEADER = (
    pgettext_lazy("CSV column", "name"),
    pgettext_lazy("CSV column", "email"),
    pgettext_lazy("CSV column", "cpf"),
    pgettext_lazy("CSV column", "company"),
    pgettext_lazy("CSV column", "course"),
    pgettext_lazy("CSV column", "status"),
    pgettext_lazy("CSV column", "enrolled at"),
    pgettext_lazy("CSV column", "started at"),
    pgettext_lazy("CSV column", "completed at"),
    pgettext_lazy("CSV column", "certificate expires on"),
    pgettext_lazy("CSV column", "access ends on"),
    # The course's code of eSocial's table 28, for the treiCap group of S-2200 and S-2206. Added after the first
    # release: before the enrollment id, which files read by position find last, as always.
    pgettext_lazy("CSV column", "eSocial code"),
    pgettext_lazy("CSV column", "enrollment id"),
)


def _moment(value: str | None) -> datetime | None:
    return timezone.localtime(from_iso(value)) if value else None


def _day(value: str | None) -> date | None:
    moment = _moment(value)
    return moment.date() if moment else None


def enrollment_values(enrollment, esocial_codes: dict[str, str]) -> list:
    """Return an enrollment's values in ``HEADER``'s order; ``esocial_codes`` are the catalog's, by course id
    (``selectors.course_esocial_codes``, read once per export)."""
    return [
        enrollment.user.name,
        enrollment.user.email,
        format_cpf(enrollment.user.cpf),
        enrollment.tenant_name,
        enrollment.course.name,
        labels.label(labels.STATUSES, enrollment.status),
        _moment(enrollment.created_at),
        _moment(enrollment.started_at),
        _moment(enrollment.completed_at),
        _day(enrollment.certificate_expires_at),
        _day(enrollment.access_expires_at),
        esocial_codes.get(enrollment.course.id) or "",
        enrollment.id,
    ]


def enrollment_list_items(filters: dict) -> Iterator:
    """Yield every enrollment the list shows with ``filters`` (``selectors.enrollment_list``'s), page by page."""
    cursor = None
    while True:
        page = selectors.enrollment_list(cursor=cursor, page_size=_PAGE_SIZE, **filters)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


@dataclass(frozen=True)
class Source:
    """What an export reads: its header, its rows (typed values) and their count for ``params`` at ``now``, and the
    stem of its file's name."""

    header: tuple
    rows: Callable[[dict, datetime], Iterator[list]]
    count: Callable[[dict, datetime, int | None], int]
    file_stem: Callable[[dict], str]


_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Make ``name`` a source exports read (an app registers its own when it is ready)."""
    _SOURCES[name] = source


def source_of(name: str) -> Source:
    """Return the source called ``name``; raise ``LookupError`` for an unknown one."""
    try:
        return _SOURCES[name]
    except KeyError:
        raise LookupError(f"No export source is named {name!r}.") from None


def export_rows(source: str, params: dict, *, now: datetime) -> tuple[tuple, Iterator[list]]:
    """Return the header and the rows (typed values) of an export of ``source`` with ``params``.

    The rows are in the language active now, though a streaming response reads them after the view returned.
    """
    read = source_of(source)
    return read.header, _in_language(translation.get_language(), read.rows(params, now))


def _in_language(language: str | None, rows: Iterator[list]) -> Iterator[list]:
    """Yield each row made, and its words said, in ``language``, switching to it only while a row is made."""
    while True:
        with translation.override(language):
            try:
                row = next(rows)
            except StopIteration:
                return
            row = [str(value) if isinstance(value, Promise) else value for value in row]
        yield row


def export_count(source: str, params: dict, *, now: datetime, limit: int | None = None) -> int:
    """Return how many rows an export has (stop counting at ``limit``)."""
    return source_of(source).count(params, now, limit)


def file_name(source: str, params: dict, *, fmt: str, now: datetime) -> str:
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return f"{source_of(source).file_stem(params)}-{stamp}.{fmt}"


def _enrollment_rows(params: dict, now: datetime) -> Iterator[list]:
    codes = selectors.course_esocial_codes()
    return (enrollment_values(enrollment, codes) for enrollment in enrollment_list_items(params))


def _enrollment_count(params: dict, now: datetime, limit: int | None) -> int:
    count = 0
    for _item in enrollment_list_items(params):
        count += 1
        if limit is not None and count >= limit:
            break
    return count


register_source(
    ENROLLMENTS,
    Source(
        header=HEADER,
        rows=_enrollment_rows,
        count=_enrollment_count,
        file_stem=lambda params: pgettext("file name", "enrollments"),
    ),
)


# CSV ---------------------------------------------------------------------------


def _csv_text(value, moment_format: str, day_format: str) -> str:
    if isinstance(value, datetime):
        return value.strftime(moment_format)
    if isinstance(value, date):
        return value.strftime(day_format)
    return "" if value is None else str(value)


def csv_lines(header, rows: Iterator[list]) -> Iterator[str]:
    """Return the lines of a CSV file in the active language (delimiter, headers, dates as it writes them), chosen
    now: a streaming response reads them after the view returned."""
    moment_format = formats.get_format("DATETIME_INPUT_FORMATS")[0]
    day_format = formats.get_format("DATE_INPUT_FORMATS")[0]
    texts = ([_csv_text(value, moment_format, day_format) for value in row] for row in rows)
    return localized_csv_lines(header, texts)


def write_csv(header, rows: Iterator[list], out: IO[bytes]) -> int:
    """Write a CSV file to ``out`` line by line; return the rows written."""
    count = -1
    for line in csv_lines(header, rows):
        out.write(line.encode("utf-8"))
        count += 1
    return count


# xlsx --------------------------------------------------------------------------


def write_xlsx(header, rows: Iterator[list], out: IO[bytes], *, title: str | None = None) -> int:
    """Write an ``.xlsx`` workbook to ``out`` with openpyxl's write-only mode; return the rows written.

    Write-only sheets go to a temporary file as rows arrive, so memory stays flat.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    # A sheet name holds at most 31 characters.
    sheet = workbook.create_sheet(title=(title or pgettext("sheet name", "Export"))[:31])
    day_format, moment_format = _excel_formats()
    bold = Font(bold=True)

    def text_cell(text) -> WriteOnlyCell:
        # A string cell is never a formula: the text is written as it is, no apostrophe (only CSV needs one).
        # openpyxl types a value starting with "=" as a formula: the type is set after the value.
        typed = WriteOnlyCell(sheet, value=str(text))
        typed.data_type = "s"
        return typed

    def header_cell(text):
        cell = text_cell(text)
        cell.font = bold
        return cell

    def cell(value):
        if isinstance(value, datetime):
            typed = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
            typed.number_format = moment_format
            return typed
        if isinstance(value, date):
            typed = WriteOnlyCell(sheet, value=value)
            typed.number_format = day_format
            return typed
        if value is None:
            return None
        # Text stays text: a CPF is no number.
        return text_cell(value)

    sheet.append([header_cell(text) for text in header])
    count = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        count += 1
    workbook.save(out)
    return count


def _excel_formats() -> tuple[str, str]:
    """Return Excel's date and date-time formats for the active language (day first where it writes them so)."""
    day_first = formats.get_format("DATE_INPUT_FORMATS")[0].startswith("%d")
    return ("dd/mm/yyyy", "dd/mm/yyyy hh:mm") if day_first else ("yyyy-mm-dd", "yyyy-mm-dd hh:mm")


def write(fmt: str, header, rows: Iterator[list], out: IO[bytes]) -> int:
    """Write rows in ``fmt`` (``csv`` or ``xlsx``) to ``out``; return the rows written."""
    return write_xlsx(header, rows, out) if fmt == XLSX else write_csv(header, rows, out)
