"""Preview an import: what each row would do, and the totals, writing nothing."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from .. import clock, labels
from .. import selectors as core_selectors
from ..csv_files import localized_csv_lines
from ..dynamo import keys
from ..dynamo.models import CompanyItem, CourseItem, ImportJobItem
from ..exceptions import (
    ActiveEnrollmentExists,
    CourseNotFound,
    CpfBelongsToAnotherPerson,
    DeduplicationConflict,
    EmailHasAnotherCpf,
    InvalidEnrollmentData,
)
from ..rules import PREPAID, check_course_open, check_window
from ..validators import format_cpf
from . import selectors
from .files import read_upload, upload_rows
from .parsing import COURSE, CPF, EMAIL, NAME, WINDOW_DAYS, WRITTEN_HEADERS, UploadedTable
from .rows import (
    ALREADY_ACTIVE,
    ALREADY_ENROLLED,
    DUPLICATE,
    INVALID,
    OK,
    CheckedRow,
    CourseCatalog,
    batched,
    check_rows,
)

# Rows checked per round of batched reads (users and CPF owners, then locks and active enrollments).
LOOKUP_BLOCK = 1000


@dataclass(frozen=True)
class ImportOptions:
    """What staff chose with the file: the company, and the defaults for rows that leave them out."""

    company: CompanyItem
    catalog: CourseCatalog
    default_course: CourseItem | None
    window_days: int | None
    enroll_again: bool = False


@dataclass
class CourseSeats:
    """Seats the rows of one course need, and (for a prepaid company) how many are left."""

    course_id: str
    course_name: str
    needed: int
    left: int | None = None

    @property
    def short(self) -> int:
        return max(0, self.needed - self.left) if self.left is not None else 0

    @property
    def to_use(self) -> int:
        return min(self.needed, self.left) if self.left is not None else 0


@dataclass
class ImportPreview:
    """The outcome of checking every row of a file, before anything is written."""

    file: UploadedTable
    tenant_id: str
    company_name: str
    billing: str
    default_course_id: str | None
    window_days: int | None
    enroll_again: bool = False
    rows_total: int = 0
    to_enroll: int = 0
    invalid: int = 0
    duplicates: int = 0
    already_enrolled: int = 0
    # People with an active enrollment in the course (no window): not enrolled, or enrolled again when staff said so.
    already_active: int = 0
    enrolled_again: int = 0
    courses: list[CourseSeats] = field(default_factory=list)
    # The rows that will not be enrolled, in file order, each with its message.
    problem_rows: list[CheckedRow] = field(default_factory=list)
    # The last import of the same file for the same company: importing again needs a confirmation.
    previous_job: ImportJobItem | None = None

    @property
    def errors(self) -> int:
        return self.invalid + self.duplicates + self.already_enrolled + self.already_active

    @property
    def seats_to_use(self) -> int:
        return sum(course.to_use for course in self.courses)

    @property
    def seats_short(self) -> int:
        return sum(course.short for course in self.courses)

    def error_counts(self) -> dict[str, int]:
        """Return the rows not enrolled by kind (``labels.ROW_COUNTS``' names), as the preview totals them."""
        return {
            "invalid": self.invalid,
            "duplicates": self.duplicates,
            "already_enrolled": self.already_enrolled,
            "already_active": self.already_active,
        }

    def error_counts_text(self) -> str:
        """Say the rows not enrolled by kind, each number with words that agree with it ("1 inválida, ...")."""
        return labels.counts_text(labels.ROW_COUNTS, self.error_counts())

    def seat_messages(self) -> list[str]:
        """Return one sentence per course that lacks seats."""
        return [
            ngettext(
                "%(short)s seat short for %(course)s (rows to enroll: %(needed)s, seats left: %(left)s). The last "
                "row will report no seat left unless %(company)s buys more.",
                "%(short)s seats short for %(course)s (rows to enroll: %(needed)s, seats left: %(left)s). The last "
                "rows will report no seat left unless %(company)s buys more.",
                course.short,
            )
            % {
                "short": number_format(course.short, force_grouping=True),
                "course": course.course_name,
                "needed": number_format(course.needed, force_grouping=True),
                "left": number_format(course.left, force_grouping=True),
                "company": self.company_name,
            }
            for course in self.courses
            if course.short
        ]


def import_options(
    *, tenant_id: str, default_course_id: str | None = None, window_days: int | None = None, enroll_again: bool = False
) -> ImportOptions:
    """Return the company, catalog and defaults of an import; raise ``InvalidEnrollmentData`` naming a bad one."""
    company = core_selectors.company_get(tenant_id)
    catalog = CourseCatalog(core_selectors.course_list())
    default_course = None
    if default_course_id:
        default_course = catalog.by_id.get(default_course_id)
        if default_course is None:
            raise CourseNotFound(default_course_id)
        check_course_open(default_course)
    if window_days is not None:
        if default_course is not None:
            check_window(window_days, default_course)
        elif not isinstance(window_days, int) or isinstance(window_days, bool) or window_days < 0:
            raise InvalidEnrollmentData(
                _("The deduplication window must be a whole number of days, 0 or more."),
                field="deduplication_window_days",
            )
    return ImportOptions(
        company=company,
        catalog=catalog,
        default_course=default_course,
        window_days=window_days,
        enroll_again=enroll_again,
    )


def checked_rows(stream: BinaryIO, table: UploadedTable, options: ImportOptions) -> Iterator[CheckedRow]:
    """Yield every row of a read file, checked against the catalog and the other rows."""
    return check_rows(
        upload_rows(stream, table),
        catalog=options.catalog,
        default_course=options.default_course,
        default_window=options.window_days,
    )


def import_preview(
    *,
    file: BinaryIO,
    file_name: str = "",
    tenant_id: str,
    default_course_id: str | None = None,
    window_days: int | None = None,
    enroll_again: bool = False,
    sheet: str | None = None,
) -> ImportPreview:
    """Check every row of an uploaded file (a CSV file, or the sheet ``sheet`` of an .xlsx workbook, else its
    first) and return what an import would do; write nothing.

    Raise ``ImportFileRefused`` for a file that cannot be imported at all, and
    ``InvalidEnrollmentData`` for an unknown company or default course.
    Rows stream through; only the rows with problems are kept.
    """
    options = import_options(
        tenant_id=tenant_id, default_course_id=default_course_id, window_days=window_days, enroll_again=enroll_again
    )
    table = read_upload(file, name=file_name, has_default_course=options.default_course is not None, sheet=sheet)
    company = options.company
    preview = ImportPreview(
        file=table,
        tenant_id=company.id,
        company_name=company.name,
        billing=company.billing,
        default_course_id=default_course_id,
        window_days=window_days,
        enroll_again=enroll_again,
    )
    needed: Counter[str] = Counter()
    names: dict[str, str] = {}
    for block in batched(checked_rows(file, table, options), LOOKUP_BLOCK):
        preview.enrolled_again += _mark_known_people(block, enroll_again=enroll_again)
        for row in block:
            preview.rows_total += 1
            if row.status == OK:
                preview.to_enroll += 1
                needed[row.course.id] += 1
                names[row.course.id] = row.course.name
                continue
            preview.problem_rows.append(row)
            if row.status == INVALID:
                preview.invalid += 1
            elif row.status == DUPLICATE:
                preview.duplicates += 1
            elif row.status == ALREADY_ENROLLED:
                preview.already_enrolled += 1
            elif row.status == ALREADY_ACTIVE:
                preview.already_active += 1
    for course_id, count in sorted(needed.items(), key=lambda item: names[item[0]]):
        left = (
            core_selectors.seats_left(tenant_id=company.id, course_id=course_id) if company.billing == PREPAID else None
        )
        preview.courses.append(CourseSeats(course_id=course_id, course_name=names[course_id], needed=count, left=left))
    preview.previous_job = selectors.import_for_file(tenant_id=company.id, file_hash=table.sha256)
    return preview


def _mark_known_people(block: list[CheckedRow], *, enroll_again: bool) -> int:
    """Mark the OK rows the stored people refuse, as ``enroll`` would; return how many will be enrolled again.

    A CPF that belongs to another email, or an email whose person has another CPF, is invalid
    (one person per CPF); a live lock on the course is "already enrolled"; without a window, an
    active enrollment in the course is "already active" unless ``enroll_again``. One BatchGet
    each of users, CPF owners, locks and active enrollments.
    """
    ok = [row for row in block if row.status == OK]
    users = core_selectors.users_by_email({row.person.email for row in ok})
    owners = core_selectors.cpf_owners({row.person.cpf for row in ok if row.person.cpf})
    by_lock: dict[str, list[CheckedRow]] = {}
    known: list[tuple[CheckedRow, str]] = []
    for row in ok:
        person, user = row.person, users.get(row.person.email)
        owner = owners.get(person.cpf) if person.cpf else None
        if owner is not None and owner.email != person.email:
            refusal = CpfBelongsToAnotherPerson(cpf=person.cpf, owner_name=owner.name, owner_email=owner.email)
            row.status, row.message = INVALID, refusal.message
        elif user is not None and user.cpf and person.cpf and user.cpf != person.cpf:
            refusal = EmailHasAnotherCpf(email=person.email, owner_name=user.name, owner_cpf=user.cpf)
            row.status, row.message = INVALID, refusal.message
        elif user is not None:
            by_lock.setdefault(keys.lock_hash(user_id=user.user_id, course_id=row.course.id), []).append(row)
            known.append((row, user.user_id))
    now_iso = clock.now_iso()
    for key, lock in core_selectors.locks_by_hash(by_lock).items() if by_lock else ():
        if lock.expires_at > now_iso:
            conflict = DeduplicationConflict(enrollment_id=lock.enrollment_id, lifts_at=clock.from_iso(lock.expires_at))
            for row in by_lock[key]:
                row.status, row.message = ALREADY_ENROLLED, conflict.message
    by_pair: dict[tuple[str, str], list[CheckedRow]] = {}
    for row, user_id in known:
        if row.status == OK and row.window_days is None:
            by_pair.setdefault((user_id, row.course.id), []).append(row)
    again = 0
    for pair, active in core_selectors.active_enrollments_of(by_pair).items() if by_pair else ():
        for row in by_pair[pair]:
            if enroll_again:
                again += 1
            else:
                refusal = ActiveEnrollmentExists(enrollment_id=min(active), name=row.person.name)
                row.status, row.message = ALREADY_ACTIVE, refusal.message
    return again


# The columns an upload reads (``parsing.WRITTEN_HEADERS``), then two it ignores.
FAILED_ROWS_HEADER = (
    *(WRITTEN_HEADERS[name] for name in (NAME, EMAIL, CPF, COURSE, WINDOW_DAYS)),
    pgettext_lazy("CSV column", "line"),
    pgettext_lazy("CSV column", "error"),
)


def failed_rows_csv(preview: ImportPreview) -> Iterator[str]:
    """Return a CSV of the rows that will not be enrolled, as the file had them (an 11-digit CPF punctuated)
    plus line and error, in the active language: fixed and uploaded again, it imports (the two extra columns
    are ignored)."""
    return localized_csv_lines(
        FAILED_ROWS_HEADER,
        (
            (
                row.raw.name,
                row.raw.email,
                format_cpf(row.raw.cpf),
                row.raw.course,
                row.raw.window_days,
                row.line,
                row.message,
            )
            for row in preview.problem_rows
        ),
    )
