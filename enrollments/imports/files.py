"""Read an upload of either kind an import takes, told apart by its first bytes: a CSV file (``parsing``) or an
.xlsx workbook (``workbooks``), both as the same ``UploadedTable`` and ``RawRow``s."""

import dataclasses
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from ..exceptions import ImportFileRefused
from .parsing import RawRow, UploadedTable, iter_rows, read_csv_file
from .workbooks import broken_workbook, iter_xlsx_rows, read_xlsx_file

# A zip archive's first entry (an .xlsx is one); an empty archive.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# An OLE compound file: an old .xls, or an .xlsx saved with a password (Office encrypts it into one).
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb")


def read_upload(
    stream: BinaryIO, *, name: str = "", has_default_course: bool = False, sheet: str | None = None
) -> UploadedTable:
    """Check an uploaded CSV file or .xlsx workbook (its sheet ``sheet``, else the first), find its columns and
    count its rows; raise ``ImportFileRefused`` with one message naming what is wrong.

    The rows are counted before anything else reads them (the checks of a preview look people up in
    DynamoDB): a file past ``IMPORT_MAX_ROWS`` is refused at the first row over, not after the checks of
    the rows before it.
    """
    upload = _read_header(stream, name=name, has_default_course=has_default_course, sheet=sheet)
    rows = sum(1 for _row in upload_rows(stream, upload))
    return dataclasses.replace(upload, rows=rows)


def _read_header(stream: BinaryIO, *, name: str, has_default_course: bool, sheet: str | None) -> UploadedTable:
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        raise ImportFileRefused(
            _(
                "This file is password-protected or in the old Excel format (.xls), which an import cannot read. "
                "Open it in Excel or LibreOffice, remove its password if it has one, save it as Excel Workbook "
                "(.xlsx) or CSV UTF-8, and upload that."
            )
        )
    if head.startswith(ZIP_MAGIC):
        return read_xlsx_file(stream, name=name, has_default_course=has_default_course, sheet=sheet)
    if head and name.lower().endswith(EXCEL_SUFFIXES):
        # Named as a workbook but not one: cut short, or a web page some systems save as .xls.
        raise broken_workbook()
    return read_csv_file(stream, name=name, has_default_course=has_default_course)


def upload_rows(stream: BinaryIO, upload: UploadedTable) -> Iterator[RawRow]:
    """Yield the data rows of an upload ``read_upload`` checked."""
    return iter_xlsx_rows(stream, upload) if upload.is_workbook else iter_rows(stream, upload)
