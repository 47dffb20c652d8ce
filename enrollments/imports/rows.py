"""Check the rows of an import with the rules ``enroll`` applies, plus duplicates inside the file."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..dynamo.models import CourseItem
from ..exceptions import InvalidEnrollmentData
from ..rules import Person, check_course_open, check_window
from ..validators import normalize_cpf, normalize_email
from .parsing import RawRow

OK = "ok"
INVALID = "invalid"
DUPLICATE = "duplicate"
ALREADY_ENROLLED = "already_enrolled"
# Without a window, the person already has an active enrollment in the course (and staff did not say "again").
ALREADY_ACTIVE = "already_active"


@dataclass(slots=True)
class CheckedRow:
    """A row and what the checks made of it: ``person``, ``course`` and ``window_days`` are set when it is OK."""

    raw: RawRow
    status: str
    message: str = ""
    person: Person | None = None
    course: CourseItem | None = None
    window_days: int | None = None

    @property
    def line(self) -> int:
        return self.raw.line


class CourseCatalog:
    """The courses rows may name, by id or by exact name."""

    def __init__(self, courses: Iterable[CourseItem]):
        self.by_id: dict[str, CourseItem] = {}
        self.by_name: dict[str, list[CourseItem]] = {}
        for course in courses:
            self.by_id[course.id] = course
            self.by_name.setdefault(course.name.strip(), []).append(course)

    def resolve(self, text: str) -> CourseItem | str:
        """Return the course a cell names, or the message saying why none."""
        if text in self.by_id:
            return self.by_id[text]
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if named:
            return _("Several courses are named “%(name)s”: use the course id.") % {"name": text}
        return _("There is no course “%(course)s” (use its id or its exact name).") % {"course": text}


def check_rows(
    rows: Iterable[RawRow], *, catalog: CourseCatalog, default_course: CourseItem | None, default_window: int | None
) -> Iterator[CheckedRow]:
    """Yield each row checked: every problem of a row in its message; the second row of the same
    person (email) and course is a duplicate of the first; a CPF with a second email is refused
    (one person per CPF)."""
    first_line: dict[tuple[str, str], int] = {}
    cpf_first: dict[str, tuple[str, int]] = {}
    for raw in rows:
        row = _check(raw, catalog=catalog, default_course=default_course, default_window=default_window)
        if row.status == OK:
            key, cpf = (row.person.email, row.course.id), row.person.cpf
            if key in first_line:
                row.status = DUPLICATE
                row.message = _("Same person and course as line %(line)s.") % {"line": first_line[key]}
            elif cpf and cpf_first.get(cpf, (row.person.email,))[0] != row.person.email:
                email, line = cpf_first[cpf]
                row.status = INVALID
                row.message = _("Line %(line)s has this CPF with another email (%(email)s): one person per CPF.") % {
                    "line": line,
                    "email": email,
                }
            else:
                first_line[key] = raw.line
                if cpf:
                    cpf_first.setdefault(cpf, (row.person.email, raw.line))
        yield row


def _check(
    raw: RawRow, *, catalog: CourseCatalog, default_course: CourseItem | None, default_window: int | None
) -> CheckedRow:
    if raw.long_cells:
        limit = settings.IMPORT_MAX_CELL_CHARS
        problems = [
            ngettext(
                "Line %(line)s, column “%(column)s”: longer than %(max)s character.",
                "Line %(line)s, column “%(column)s”: longer than %(max)s characters.",
                limit,
            )
            % {"line": raw.line, "column": column, "max": number_format(limit, force_grouping=True)}
            for column in raw.long_cells
        ]
        return CheckedRow(raw=raw, status=INVALID, message=" ".join(problems))

    problems = []
    cells = (raw.name, raw.email, raw.cpf, raw.course, raw.window_days)
    if any("\n" in value or "\r" in value for value in cells):
        problems.append(_("A cell holds a line break (a quoted value spans lines): keep each person on one line."))
    name = raw.name.strip()
    if not name:
        problems.append(_("The person needs a name."))
    email = cpf = None
    try:
        email = normalize_email(raw.email)
    except ValidationError as error:
        problems.append(error.messages[0])
    try:
        # Spreadsheets store a CPF as a number and drop its leading zeros.
        cpf = normalize_cpf(raw.cpf.zfill(11) if raw.cpf.isdigit() and 8 <= len(raw.cpf) < 11 else raw.cpf)
    except ValidationError as error:
        problems.append(error.messages[0])

    course = None
    if raw.course:
        resolved = catalog.resolve(raw.course)
        if isinstance(resolved, str):
            problems.append(resolved)
        else:
            course = resolved
    elif default_course is not None:
        course = default_course
    else:
        problems.append(_("No course: fill the course column or choose a default course."))
    if course is not None:
        try:
            check_course_open(course)
        except InvalidEnrollmentData as error:
            problems.append(error.message)

    window = default_window
    if raw.window_days:
        try:
            window = int(raw.window_days)
        except ValueError:
            problems.append(
                _("The window must be a whole number of days, not “%(value)s”.") % {"value": raw.window_days}
            )
            window = None
    if course is not None and window is not None:
        try:
            check_window(window, course)
        except InvalidEnrollmentData as error:
            problems.append(error.message)

    if problems:
        return CheckedRow(raw=raw, status=INVALID, message=" ".join(problems))
    return CheckedRow(
        raw=raw, status=OK, person=Person(name=name, email=email, cpf=cpf), course=course, window_days=window
    )


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to ``size`` items (``itertools.batched`` arrives in Python 3.12)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
