"""CSV files the back office writes: every cell is safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, or
the fullwidth ``＝ ＋ － ＠`` that some spreadsheets read the same way) is a formula
to Excel and LibreOffice; prefixing an apostrophe makes it text.
Imports strip that apostrophe again, so a downloaded file uploads unchanged.
"""

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralize(value) -> str:
    """Return ``value`` as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralize(text: str) -> str:
    """Undo :func:`neutralize` on a value read back from a file this app wrote."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True) -> Iterator[str]:
    """Yield a CSV file line by line (for a streaming response or a file), every cell neutralized.

    The byte-order mark makes Excel read the file as UTF-8 instead of the system's code page.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
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
