"""The pt-BR catalog as pairs of words, for tests that look for untranslated text on pages and in emails."""

import ast
import re
from pathlib import Path

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"
_PLACEHOLDER = re.compile(r"%(\(\w+\))?[sd]|\{|<")


def entries(path: Path = CATALOG) -> list[tuple[str | None, str, str]]:
    """Return ``(msgctxt, msgid, msgstr)`` of every entry (a plural's singular forms), the header left out."""
    pairs, field, values = [], None, {}

    def flush():
        if values.get("msgid"):
            msgstr = values.get("msgstr", values.get("msgstr[0]", ""))
            pairs.append((values.get("msgctxt"), values["msgid"], msgstr))
        values.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgctxt ", "msgid ")) and "msgid" in values:
            flush()
        if match := re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line):
            field = match[1]
            values[field] = ast.literal_eval(match[2])
        elif line.startswith('"') and field:
            values[field] += ast.literal_eval(line)
        elif not line.strip():
            field = None
    flush()
    return pairs


def telling_phrases() -> tuple[list[str], list[str]]:
    """Return the English and the Portuguese phrases that only one language writes: two words or more, without
    placeholders or markup, whose translation differs. One of them on a page means a string went untranslated.

    CSV column names are left out: the upload form lists the names an import accepts in both languages.
    """
    english, portuguese = [], []
    for context, msgid, msgstr in entries():
        if context == "CSV column":
            continue
        if msgstr and msgid != msgstr and not _PLACEHOLDER.search(msgid + msgstr):
            if len(msgid.split()) >= 2:
                english.append(msgid)
            if len(msgstr.split()) >= 2:
                portuguese.append(msgstr)
    return english, portuguese


def catalog_entries(path: Path = CATALOG) -> list[dict]:
    """Return every entry of the catalog, the header first, as ``{"msgctxt", "msgid", "msgid_plural", "msgstr"
    (a list: one form, or one per plural form), "flags"}``."""
    found, field, current = [], None, None

    def start():
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set()}
        found.append(entry)
        return entry

    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        opens_entry = line.startswith("#") or (match and match[1] in ("msgctxt", "msgid"))
        if opens_entry and (current is None or current["msgstr"]):
            current = start()
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif match:
            field = match[1]
            if field.startswith("msgstr"):
                current["msgstr"].append(ast.literal_eval(match[2]))
            else:
                current[field] = ast.literal_eval(match[2])
        elif line.startswith('"') and field:
            if field.startswith("msgstr"):
                current["msgstr"][-1] += ast.literal_eval(line)
            else:
                current[field] += ast.literal_eval(line)
        elif not line.strip():
            field = None
    return found
