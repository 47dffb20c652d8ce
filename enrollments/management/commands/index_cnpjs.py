from django.core.management.base import BaseCommand
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from enrollments.services.cnpjs import company_cnpjs_index
from enrollments.validators import format_cnpj


class Command(BaseCommand):
    help = (
        "Write the CNPJ holder item of every company created before one company per CNPJ was enforced: the "
        "oldest company with a CNPJ holds it. Companies sharing a CNPJ are listed and left as they are, for "
        "staff to correct. Safe to run again: a CNPJ already held is not written."
    )

    def handle(self, *args, **options):
        report = company_cnpjs_index()
        self.stdout.write(
            _("CNPJs indexed now: %(count)s.") % {"count": number_format(report.indexed, force_grouping=True)}
        )
        self.stdout.write(
            _("CNPJs already indexed: %(count)s.") % {"count": number_format(report.already, force_grouping=True)}
        )
        for duplicate in report.duplicates:
            self.stdout.write(
                _(
                    "The CNPJ %(cnpj)s of %(name)s (%(id)s) already belongs to %(holder)s (%(holder_id)s): "
                    "left as it is, correct one of them."
                )
                % {
                    "cnpj": format_cnpj(duplicate.cnpj),
                    "name": duplicate.company_name,
                    "id": duplicate.company_id,
                    "holder": duplicate.holder_name,
                    "holder_id": duplicate.holder_id,
                }
            )
