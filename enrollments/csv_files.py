"""CSV files the back office writes: every cell is safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, or
the fullwidth ``＝ ＋ － ＠`` that some spreadsheets read the same way) is a formula
to Excel and LibreOffice; prefixing an apostrophe makes it text.
Imports strip that apostrophe again, so a downloaded file uploads unchanged.

Files for staff follow the active language (:func:`localized_csv_lines`): headers in
its words and, where numbers use a decimal comma (pt-BR), the ``;`` that Excel expects
there, or it opens every line in one column.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import formats, translation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralize(value) -> str:
    """Return ``value`` as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralize(text: str) -> str:
    """Undo :func:`neutralize` on a value read back from a file this app wrote."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def delimiter_for(language: str | None = None) -> str:
    """Return the delimiter Excel reads in ``language`` (the active one by default): ``;`` where the decimal
    separator is a comma, as in pt-BR, else ``,``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    decimal = formats.get_format("DECIMAL_SEPARATOR", language)
    return ";" if decimal == "," else ","


def localized_csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """Return the lines of a CSV file for the active language: its header (lazy texts) translated and its
    delimiter chosen now, since a streaming response is read after the view has returned."""
    return csv_lines([str(cell) for cell in header], rows, delimiter=delimiter_for())


def csv_lines(
    header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True, delimiter: str = ","
) -> Iterator[str]:
    """Yield a CSV file line by line (for a streaming response or a file), every cell neutralized.

    The byte-order mark makes Excel read the file as UTF-8 instead of the system's code page.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([neutralize(cell) for cell in header])
    yield ("\ufeff" if bom else "") + _take(buffer)
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
