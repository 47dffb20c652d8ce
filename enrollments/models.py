"""No domain tables in SQL: the one model here carries the back office's permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackOffice(models.Model):
    """Permission holder only: unmanaged, so no table exists (domain data lives in DynamoDB)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("back office")
        permissions = [
            ("view_backoffice", _("Can view enrollments, companies, courses and orders")),
            ("enroll", _("Can enroll people")),
            ("cancel_enrollment", _("Can cancel enrollments")),
            ("record_completion", _("Can record course completions")),
            ("create_order", _("Can create orders of seats")),
            ("manage_companies", _("Can create companies")),
            ("manage_courses", _("Can create courses")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
