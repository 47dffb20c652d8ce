"""Enroll the people of a CSV file or an .xlsx workbook from the command line: the same checks, job and report as
the admin."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.utils import DatabaseError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from enrollments.clock import from_iso
from enrollments.exceptions import EnrollmentError, SameFileImported
from enrollments.imports import downloads, services
from enrollments.imports.kind import IMPORT
from enrollments.imports.preview import import_preview
from enrollments.jobs.services import job_run_inline
from enrollments.services import Author
from enrollments.validators import normalize_email

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Enroll the people of a CSV file or an .xlsx workbook into a company's courses. Exit status 0 when the file was read "
        "(even with row errors), 1 with one message when the file itself is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="the CSV file (UTF-8, UTF-8 with BOM, Windows-1252 or Latin-1; , ; or tab) or .xlsx workbook",
        )
        parser.add_argument("--sheet", help="the sheet of an .xlsx workbook to read (default: the first)")
        parser.add_argument("--tenant", required=True, help="the company id")
        parser.add_argument(
            "--author", required=True, help="email of the staff member the enrollments are recorded under"
        )
        parser.add_argument("--course", help="default course id, for rows without a course")
        parser.add_argument("--window", type=int, help="default deduplication window, in days")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and print what would happen; write nothing"
        )
        parser.add_argument(
            "--allow-same-file", action="store_true", help="import a file already imported for this company"
        )
        parser.add_argument("--no-welcome", action="store_true", help="send no welcome email to the people enrolled")
        parser.add_argument(
            "--enroll-again",
            action="store_true",
            help="enroll rows whose person already has an active enrollment in the course (without a window)",
        )
        parser.add_argument(
            "--report",
            help="write the per-row report CSV to this path, in the language of LANGUAGE_CODE (pt-BR: ';' and a BOM)",
        )

    def handle(self, *args, **options):
        author = self._author(options["author"])
        try:
            stream = open(options["file"], "rb")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s.") % {"file": options["file"], "reason": error.strerror}
            ) from None
        with stream:
            try:
                if options["dry_run"]:
                    self._preview(stream, options)
                else:
                    self._import(stream, options, author)
            except EnrollmentError as error:
                hint = (
                    " " + _("Pass --allow-same-file to import it again.") if isinstance(error, SameFileImported) else ""
                )
                raise CommandError(error.message + hint) from None

    def _author(self, email: str) -> Author:
        try:
            email = normalize_email(email)
        except ValidationError as error:
            raise CommandError(f"--author: {error.messages[0]}") from None
        try:
            user = get_user_model().objects.filter(email__iexact=email).first()
        except DatabaseError as error:
            # Usually a database never migrated ("no such table: auth_user"): one line, not a traceback.
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise CommandError(
                _("Cannot look up --author in the database (%(reason)s): run “manage.py migrate” first.")
                % {"reason": reason}
            ) from None
        return Author.from_user(user) if user else Author(id=f"cli:{email}", name=email, email=email)

    def _preview(self, stream, options) -> None:
        preview = import_preview(
            file=stream,
            file_name=options["file"],
            tenant_id=options["tenant"],
            default_course_id=options["course"],
            window_days=options["window"],
            enroll_again=options["enroll_again"],
            sheet=options["sheet"],
        )
        for row in preview.problem_rows:
            self.stdout.write(
                _("line %(line)s: %(status)s: %(message)s")
                % {"line": row.line, "status": row.status, "message": row.message}
            )
        if preview.previous_job is not None:
            self.stdout.write(
                self.style.WARNING(
                    SameFileImported(
                        job_id=preview.previous_job.job_id, imported_at=from_iso(preview.previous_job.created_at)
                    ).message
                )
            )
        for message in preview.seat_messages():
            self.stdout.write(self.style.WARNING(message))
        self.stdout.write(
            _(
                "Dry run of %(rows)s rows (%(format)s) for %(company)s: %(to_enroll)s to enroll, "
                "%(invalid)s invalid, %(duplicates)s duplicates, %(already)s already enrolled, %(active)s already "
                "active in the course, %(seats)s seats to use, %(short)s seats short. Nothing was written."
            )
            % _numbers(
                {
                    "rows": preview.rows_total,
                    "format": _file_format(preview.file),
                    "company": preview.company_name,
                    "to_enroll": preview.to_enroll,
                    "invalid": preview.invalid,
                    "duplicates": preview.duplicates,
                    "already": preview.already_enrolled,
                    "active": preview.already_active,
                    "seats": preview.seats_to_use,
                    "short": preview.seats_short,
                }
            )
        )

    def _import(self, stream, options, author: Author) -> None:
        job = services.import_start(
            file=stream,
            file_name=options["file"],
            tenant_id=options["tenant"],
            author=author,
            enqueue=None,
            default_course_id=options["course"],
            window_days=options["window"],
            allow_same_file=options["allow_same_file"],
            welcome=not options["no_welcome"],
            enroll_again=options["enroll_again"],
            sheet=options["sheet"],
        )
        self._bar(job)
        job = job_run_inline(IMPORT, job_id=job.job_id, on_progress=self._bar)
        self._bar(job)
        self.stderr.write("")
        for line, _name, email, result, enrollment_id, message in downloads.import_report_rows(job.job_id):
            if result != "enrolled" or options["verbosity"] >= 2:
                self.stdout.write(
                    f"line {line}: {email}: {result}"
                    + (f" {enrollment_id}" if enrollment_id else "")
                    + (f": {message}" if message else "")
                )
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8", newline="") as report:
                report.writelines(downloads.import_report_csv(job.job_id))
        counts = downloads.job_progress(job)["counts"]
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Import %(id)s: %(done)s of %(total)s rows: %(enrolled)s enrolled, %(already)s already enrolled, "
                    "%(active)s already active in the course, %(no_seat)s without a seat, %(duplicates)s duplicates, "
                    "%(invalid)s invalid, %(failed)s failed."
                )
                % _numbers(
                    {
                        "id": job.job_id,
                        "done": job.rows_done,
                        "total": job.rows_total,
                        "enrolled": counts["enrolled"],
                        "already": counts["already_enrolled"],
                        "active": counts["already_active"],
                        "no_seat": counts["no_vacancy_left"],
                        "duplicates": counts["duplicates"],
                        "invalid": counts["invalid"],
                        "failed": counts["failed"],
                    }
                )
            )
        )

    def _bar(self, job) -> None:
        progress = downloads.job_progress(job)
        filled = progress["percent"] * BAR_WIDTH // 100
        left = progress["seconds_left"]
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress['processed']}/{progress['total']} "
            f"{progress['percent']:3d}%  "
            + _("%(rate)s rows/s") % {"rate": f"{progress['rows_per_second']:.0f}"}
            + ("  " + _("%(seconds)ss left") % {"seconds": left} + " " if left else "      "),
            ending="",
        )
        self.stderr.flush()


def _numbers(values: dict) -> dict:
    """Return ``values`` with each count written as the active language writes numbers (``1.500`` in pt-BR)."""
    return {
        key: number_format(value, force_grouping=True) if isinstance(value, int) else value
        for key, value in values.items()
    }


def _file_format(file) -> str:
    """Return how the file was read: ``cp1252, “;”`` for a CSV file, ``xlsx, sheet “Plan1”`` for a workbook."""
    if file.is_workbook:
        return _("xlsx, sheet “%(sheet)s”") % {"sheet": file.sheet}
    delimiter = "tab" if file.delimiter == "\t" else file.delimiter
    return f"{file.encoding}, “{delimiter}”"
