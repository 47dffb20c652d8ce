from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enrollments import selectors
from enrollments.exceptions import CompanyNotFound
from enrollments.renewals.automatic import renewals_schedule


class Command(BaseCommand):
    help = (
        "Write the renewal window record (automatic renewal) of every certificate completed before this version: "
        "each completion writes its own since. Reads each company's enrollments once (no Scan). Safe to run again: "
        "a certificate that has its record keeps it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", help="only this company (its id); default: every company")

    def handle(self, *args, **options):
        if options["company"]:
            try:
                companies = [selectors.company_get(options["company"])]
            except CompanyNotFound as error:
                raise CommandError(error.message) from None
        else:
            companies = sorted(selectors.company_list(), key=lambda company: company.name.lower())
        for company in companies:
            report = renewals_schedule(tenant_id=company.id)
            counts = [
                ngettext("%(count)s certificate", "%(count)s certificates", report.certificates),
                ngettext("%(count)s scheduled now", "%(count)s scheduled now", report.scheduled),
                ngettext("%(count)s already scheduled", "%(count)s already scheduled", report.already),
            ]
            self.stdout.write(
                _("%(company)s: %(counts)s.")
                % {
                    "company": company.name,
                    "counts": "; ".join(
                        text % {"count": count}
                        for text, count in zip(
                            counts, (report.certificates, report.scheduled, report.already), strict=True
                        )
                    ),
                }
            )
