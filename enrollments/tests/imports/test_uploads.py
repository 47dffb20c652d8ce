import io

import pytest

from enrollments.exceptions import ImportFileRefused
from enrollments.imports.uploads import open_stashed_upload, stash_upload


def test_stash_upload__opens_again_with_its_token(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)

    token = stash_upload(io.BytesIO(b"name,email\n"))

    with open_stashed_upload(token) as stream:
        assert stream.read() == b"name,email\n"


@pytest.mark.parametrize("token", ["../../etc/passwd", "0" * 32, ""])
def test_open_stashed_upload__unknown_or_malformed_token__refused(settings, tmp_path, token):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)

    with pytest.raises(ImportFileRefused, match="upload it again"):
        open_stashed_upload(token)
