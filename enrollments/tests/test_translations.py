"""The pt-BR catalog: complete, current with the code, and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = Path("locale/pt_BR/LC_MESSAGES/django.po")


def _gettext(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    if not shutil.which(command[0]):
        pytest.fail(f"{command[0]} is missing: run `make gettext` (apt-get install -y gettext).")
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_translations__every_entry_translated_none_fuzzy():
    result = _gettext("msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO))

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.slow
def test_translations__current__makemessages_finds_no_new_string_and_no_stale_one(tmp_path):
    for folder in ("backoffice", "enrollments", "templates", "locale"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    env = {**os.environ, "DEBUG": "true", "PYTHONPATH": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "pt_BR", "--no-obsolete", "--ignore=*/tests/*"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr

    # Every message of the code is in the committed catalog, and the catalog holds no other.
    missing = _gettext("msgcmp", "--use-untranslated", str(ROOT / PO), str(tmp_path / PO))
    stale = _gettext("msgcmp", "--use-untranslated", str(tmp_path / PO), str(ROOT / PO))
    assert missing.returncode == 0, f"strings not in the catalog (run makemessages):\n{missing.stderr}"
    assert stale.returncode == 0, f"strings the code no longer has (run makemessages --no-obsolete):\n{stale.stderr}"


@pytest.mark.slow
def test_translations__compiled_file_matches_the_catalog(tmp_path):
    compiled = tmp_path / "django.mo"
    assert _gettext("msgfmt", "-o", str(compiled), str(PO)).returncode == 0

    assert compiled.read_bytes() == (ROOT / PO.with_suffix(".mo")).read_bytes(), "run compilemessages"
