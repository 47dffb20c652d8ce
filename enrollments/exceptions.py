"""Domain errors: every one carries a message a staff member understands."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import labels
from .validators import format_cnpj, format_cpf


class EnrollmentError(Exception):
    """Base of every domain error the services raise."""

    code = "enrollment_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _local_date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


class DeduplicationConflict(EnrollmentError):
    """The person already holds an enrollment in this course inside a window."""

    code = "deduplication_conflict"

    def __init__(self, *, enrollment_id: str, lifts_at: datetime):
        self.enrollment_id = enrollment_id
        self.lifts_at = lifts_at
        super().__init__(
            _("Already enrolled in this course until %(date)s — see enrollment %(id)s.")
            % {"date": _local_date(lifts_at), "id": enrollment_id}
        )


class ActiveEnrollmentExists(EnrollmentError):
    """Without a window, the person already has an active enrollment (pending, in progress) in the course."""

    code = "already_active"

    def __init__(self, *, enrollment_id: str, name: str = ""):
        self.enrollment_id = enrollment_id
        super().__init__(
            _(
                "%(name)s already has an active enrollment in this course (%(id)s). To enroll them again, "
                "confirm “Enroll again”."
            )
            % {"name": name or _("This person"), "id": enrollment_id}
        )


class NoVacancyLeft(EnrollmentError):
    """A prepaid company has no free seat left in the course."""

    code = "no_vacancy_left"

    def __init__(self, *, company_name: str = "", course_name: str = ""):
        super().__init__(
            _("No seats left for %(course)s at %(company)s: buy an order.")
            % {"course": course_name or _("this course"), "company": company_name or _("this company")}
        )


class NotCancelable(EnrollmentError):
    """The enrollment is already canceled, or may no longer be canceled."""

    code = "not_cancelable"


class EnrollmentNotFound(EnrollmentError):
    """No enrollment has this id."""

    code = "enrollment_not_found"

    def __init__(self, enrollment_id: str):
        self.enrollment_id = enrollment_id
        super().__init__(_("There is no enrollment %(id)s.") % {"id": enrollment_id})


class InvalidEnrollmentData(EnrollmentError):
    """The input names something that does not exist or is malformed."""

    code = "invalid_enrollment_data"

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


class CpfBelongsToAnotherPerson(InvalidEnrollmentData):
    """The CPF is already the CPF of a person with another email: one person per CPF."""

    code = "cpf_taken"

    def __init__(self, *, cpf: str, owner_name: str, owner_email: str):
        self.cpf, self.owner_name, self.owner_email = cpf, owner_name, owner_email
        super().__init__(
            _("CPF %(cpf)s belongs to %(name)s (%(email)s): use that email, or enroll %(name)s.")
            % {"cpf": format_cpf(cpf), "name": owner_name, "email": owner_email},
            field="cpf",
        )


class EmailHasAnotherCpf(InvalidEnrollmentData):
    """The email is already the email of a person with another CPF."""

    code = "cpf_mismatch"

    def __init__(self, *, email: str, owner_name: str, owner_cpf: str):
        self.email, self.owner_name, self.owner_cpf = email, owner_name, owner_cpf
        super().__init__(
            _("The email %(email)s belongs to %(name)s, whose CPF is %(cpf)s.")
            % {"email": email, "name": owner_name, "cpf": format_cpf(owner_cpf)},
            field="cpf",
        )


class CnpjTaken(InvalidEnrollmentData):
    """The CNPJ is already another company's: one company per CNPJ."""

    code = "cnpj_taken"

    def __init__(self, *, cnpj: str, holder_id: str, holder_name: str):
        self.cnpj, self.holder_id, self.holder_name = cnpj, holder_id, holder_name
        super().__init__(
            _("The CNPJ %(cnpj)s already belongs to the company %(name)s.")
            % {"cnpj": format_cnpj(cnpj), "name": holder_name},
            field="cnpj",
        )


class CompanyNotFound(InvalidEnrollmentData):
    """No company has this id."""

    code = "company_not_found"

    def __init__(self, company_id: str):
        self.company_id = company_id
        super().__init__(_("There is no company %(id)s.") % {"id": company_id}, field="tenant_id")


class CourseNotFound(InvalidEnrollmentData):
    """No course has this id."""

    code = "course_not_found"

    def __init__(self, course_id: str):
        self.course_id = course_id
        super().__init__(_("There is no course %(id)s.") % {"id": course_id}, field="course_id")


class WebhookNotFound(EnrollmentError):
    """The company has no webhook endpoint."""

    code = "webhook_not_found"

    def __init__(self):
        super().__init__(_("This company has no webhook endpoint."))


class AlreadyCreated(InvalidEnrollmentData):
    """An item with the requested id was created before: a form sent twice, or an id taken."""

    code = "already_created"

    def __init__(self, message: str, *, item_id: str):
        self.item_id = item_id
        super().__init__(message, field="id")


class EnrollmentAlreadyExists(EnrollmentError):
    """An enrollment with the requested id was written before (an idempotent retry)."""

    code = "enrollment_already_exists"

    def __init__(self, enrollment_id: str):
        self.enrollment_id = enrollment_id
        super().__init__(_("Enrollment %(id)s already exists.") % {"id": enrollment_id})


class ConcurrentChange(EnrollmentError):
    """Another change to the same data won the race; trying again is safe."""

    code = "concurrent_change"

    def __init__(self, message: str = ""):
        super().__init__(message or _("Someone changed the same data at the same moment; try again."))


class StorageUnavailable(EnrollmentError):
    """DynamoDB refused or did not answer; nothing was written."""

    code = "storage_unavailable"

    def __init__(self, detail: str):
        super().__init__(
            _("The database could not take the change (%(detail)s); nothing was written, try again.")
            % {"detail": detail}
        )


class InvalidTransition(EnrollmentError):
    """The enrollment's state does not allow this change (completing a canceled one, say)."""

    code = "invalid_transition"


class InvalidCursor(EnrollmentError):
    """A page link was edited, or belongs to another list."""

    code = "invalid_cursor"

    def __init__(self):
        super().__init__(_("That page link is no longer valid; showing the first page."))


class ImportFileRefused(EnrollmentError):
    """The uploaded file cannot be imported at all: empty, binary, too big, or without the needed columns."""

    code = "import_file_refused"


class SameFileImported(EnrollmentError):
    """The same file was imported for the same company before; importing it again needs a confirmation."""

    code = "same_file_imported"

    def __init__(self, *, job_id: str, imported_at: datetime):
        self.job_id = job_id
        self.imported_at = imported_at
        super().__init__(
            _(
                "This file was already imported for this company on %(date)s (import %(id)s). Confirm to import it "
                "again: its rows still inside a deduplication window will report “already enrolled”."
            )
            % {"date": _local_date(imported_at), "id": job_id}
        )


class JobNotFound(EnrollmentError):
    """No job of a kind has this id: each kind's subclass names its kind in ``code`` and ``wording``."""

    code = "job_not_found"
    wording = gettext_lazy("There is no job %(id)s.")

    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(str(self.wording) % {"id": job_id})


class JobAlreadyStarted(EnrollmentError):
    """The form that starts a job was sent before (a double click, a retry): its job exists. Each kind's subclass
    names its kind in ``code`` and ``wording``."""

    code = "job_already_started"
    wording = gettext_lazy("This job has already started (job %(id)s).")

    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(str(self.wording) % {"id": job_id})


class ImportJobNotFound(JobNotFound):
    """No import has this id."""

    code = "import_job_not_found"
    wording = gettext_lazy("There is no import %(id)s.")


class ImportAlreadyStarted(JobAlreadyStarted):
    """The upload was confirmed before (a double click, a retry): its import exists."""

    code = "import_already_started"
    wording = gettext_lazy("This upload is already being imported (import %(id)s).")


class BulkCancelNotFound(JobNotFound):
    """No bulk cancel has this id."""

    code = "bulk_cancel_not_found"
    wording = gettext_lazy("No bulk cancel has the id %(id)s.")


class BulkCancelAlreadyStarted(JobAlreadyStarted):
    """The form was sent before (a double click, a retry): its bulk cancel exists."""

    code = "bulk_cancel_already_started"
    wording = gettext_lazy("This bulk cancel has already started (bulk cancel %(id)s).")


class ExportNotFound(JobNotFound):
    """No export has this id."""

    code = "export_not_found"
    wording = gettext_lazy("No export has the id %(id)s.")


class ExportAlreadyStarted(JobAlreadyStarted):
    """The form was sent before (a double click, a retry): its export exists."""

    code = "export_already_started"
    wording = gettext_lazy("This export has already started (export %(id)s).")


class RenewalNotFound(JobNotFound):
    """No renewal has this id."""

    code = "renewal_not_found"
    wording = gettext_lazy("No renewal has the id %(id)s.")


class RenewalAlreadyStarted(JobAlreadyStarted):
    """The form was sent before (a double click, a retry): its renewal exists."""

    code = "renewal_already_started"
    wording = gettext_lazy("This renewal has already started (renewal %(id)s).")


class RenewalRefused(EnrollmentError):
    """A person cannot be enrolled again to renew their certificate now: ``reason`` is a code of
    ``rules.RENEWAL_REFUSALS``, ``enrollment_id`` the enrollment in the way when there is one (the renewal made
    before, the active enrollment, the one holding the deduplication lock)."""

    code = "renewal_refused"

    def __init__(self, reason: str, *, renewed_id: str, enrollment_id: str | None = None):
        self.reason, self.renewed_id, self.enrollment_id = reason, renewed_id, enrollment_id
        words = labels.label(labels.RENEWAL_REFUSALS, reason)
        if enrollment_id:
            message = _("%(reason)s: enrollment %(renewed)s is not renewed (see enrollment %(id)s).") % {
                "reason": words,
                "renewed": renewed_id,
                "id": enrollment_id,
            }
        else:
            message = _("%(reason)s: enrollment %(renewed)s is not renewed.") % {"reason": words, "renewed": renewed_id}
        super().__init__(message)


class QueueUnavailable(EnrollmentError):
    """The task queue (the Celery broker) did not take the work; nothing was queued."""

    code = "queue_unavailable"

    def __init__(self, detail: str):
        super().__init__(_("The task queue did not answer (%(detail)s).") % {"detail": detail})
