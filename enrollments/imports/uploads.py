"""Keep an uploaded file between its preview and the confirmation that imports it.

Workers never read these files (a job stores its parsed rows in DynamoDB); only
the web process that previewed a file opens it again, so ``IMPORT_UPLOAD_DIR``
must be shared by the web processes (one machine, or a shared volume). A stashed file keeps
its bytes only (a CSV file or an .xlsx workbook alike, under ``<token>.csv``): reading tells
its format by its content again (``files.read_upload``).
"""

import re
import shutil
import time
import uuid
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from ..exceptions import ImportFileRefused

_TOKEN = re.compile(r"[0-9a-f]{32}")
# Uploads nobody confirmed are removed after a day.
_KEEP_SECONDS = 24 * 3600


def stash_upload(file: BinaryIO) -> str:
    """Copy an upload to ``IMPORT_UPLOAD_DIR`` and return the token that opens it again."""
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    token = uuid.uuid4().hex
    file.seek(0)
    with open(folder / f"{token}.csv", "wb") as target:
        shutil.copyfileobj(file, target, 1 << 20)
    return token


def open_stashed_upload(token: str) -> BinaryIO:
    """Open a stashed upload for reading; raise ``ImportFileRefused`` when it is gone."""
    path = Path(settings.IMPORT_UPLOAD_DIR) / f"{token}.csv"
    if not _TOKEN.fullmatch(token or "") or not path.exists():
        raise ImportFileRefused(_("The uploaded file is no longer here; upload it again."))
    return open(path, "rb")


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - _KEEP_SECONDS
    for path in folder.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
