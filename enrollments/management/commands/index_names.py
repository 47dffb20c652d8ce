from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from enrollments.exceptions import CompanyNotFound
from enrollments.selectors import company_get
from enrollments.services.name_index import enrollment_names_index


class Command(BaseCommand):
    help = (
        "Write the name search's word items of every company's (or --company's) enrollments, read from the "
        "by_tenant index (no Scan), and delete their words in the layout before issue 23 (the enrollment's "
        "partition and the by_name index) once the new ones are in: for enrollments made before the name search "
        "existed and for an upgrade. Safe to run again: it writes the same items. Run create_tables first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", action="append", help="a company id (repeatable; default: every company)")

    def handle(self, *args, company=None, **options):
        if company:
            try:
                for company_id in company:
                    company_get(company_id)
            except CompanyNotFound as error:
                raise CommandError(error.message) from None
        done = enrollment_names_index(tenant_ids=company)
        self.stdout.write(
            ngettext(
                "Indexed the names of %(count)d enrollment.",
                "Indexed the names of %(count)d enrollments.",
                done.enrollments,
            )
            % {"count": done.enrollments}
        )
        self.stdout.write(
            ngettext(
                "Moved the old name words of %(count)d enrollment.",
                "Moved the old name words of %(count)d enrollments.",
                done.moved,
            )
            % {"count": done.moved}
        )
