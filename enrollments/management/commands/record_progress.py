from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enrollments import clock, labels
from enrollments.exceptions import EnrollmentError
from enrollments.services import Author, record_access, record_activity, record_completion


class Command(BaseCommand):
    help = "Record a learner's progress from the course player: access, activity or completion."

    def add_arguments(self, parser):
        parser.add_argument("enrollment_id")
        parser.add_argument("event", choices=["access", "activity", "completion"])
        parser.add_argument("--at", help="when it happened, ISO 8601 with a zone (default: now)")
        parser.add_argument(
            "--certificate-expires-at", help="completion only: the certificate's expiry, ISO 8601 with a zone"
        )

    def handle(self, *args, enrollment_id, event, at=None, certificate_expires_at=None, **options):
        try:
            occurred_at = clock.from_iso(at) if at else None
            expires = clock.from_iso(certificate_expires_at) if certificate_expires_at else None
        except ValueError as error:
            raise CommandError(_("Bad date: %(error)s") % {"error": error}) from None
        author = Author(id="manage.py", name="Management command")
        common = {"enrollment_id": enrollment_id, "author": author, "occurred_at": occurred_at, "source": "command"}
        try:
            if event == "access":
                enrollment = record_access(**common)
            elif event == "activity":
                enrollment = record_activity(**common)
            else:
                if expires is None:
                    raise CommandError(_("A completion needs --certificate-expires-at."))
                enrollment = record_completion(certificate_expires_at=expires, **common)
        except EnrollmentError as error:
            raise CommandError(error.message) from None
        status = labels.label(labels.STATUSES, enrollment.status).lower()
        self.stdout.write(_("Enrollment %(id)s is %(status)s.") % {"id": enrollment.id, "status": status})
