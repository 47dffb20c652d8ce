from django.core.management.base import BaseCommand, CommandError

from enrollments.exceptions import CompanyNotFound
from enrollments.selectors import company_get
from enrollments.services.name_index import enrollment_names_index


class Command(BaseCommand):
    help = (
        "Write the name search's word items of enrollments made before the name search existed: every "
        "company's (or --company's), read from the by_tenant index (no Scan). Safe to run again: it writes "
        "the same items. Run create_tables first, which adds the by_name and by_tenant_name indexes."
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
        indexed = enrollment_names_index(tenant_ids=company)
        self.stdout.write(f"Indexed the names of {indexed} enrollments.")
