"""The shapes of the clients' API's requests and answers (its OpenAPI schema's components)."""

from ninja import Field, Schema


class Error(Schema):
    code: str
    message: str


class CourseOut(Schema):
    id: str
    name: str
    access_period_days: int
    certificate_validity_days: int
    free_seats: int | None


class EnrollIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    cpf: str | None = Field(default=None, max_length=20)
    course_id: str = Field(min_length=1, max_length=100)
    deduplication_window_days: int | None = Field(default=None, ge=0, le=3650)


class EnrollmentOut(Schema):
    id: str
    status: str
    course_id: str
    course_name: str
    name: str
    email: str
    cpf: str | None
    created_at: str | None
    updated_at: str | None
    access_expires_at: str | None
    started_at: str | None
    completed_at: str | None
    certificate_expires_at: str | None
    canceled_at: str | None


class EnrollmentPage(Schema):
    items: list[EnrollmentOut]
    next_cursor: str | None


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class ComplianceRow(Schema):
    course_id: str
    course_name: str
    total: int
    counts: dict[str, int]


class PersonOut(Schema):
    enrollment_id: str
    name: str
    email: str
    cpf: str | None
    status: str
    certificate_expires_at: str | None


class PeoplePage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class ImportCourse(Schema):
    course_id: str
    course_name: str
    needed: int
    free_seats: int | None


class ImportProblem(Schema):
    line: int
    status: str
    message: str


class ImportPreviewOut(Schema):
    rows_total: int
    to_enroll: int
    invalid: int
    duplicates: int
    already_enrolled: int
    already_active: int
    courses: list[ImportCourse]
    problems: list[ImportProblem]
    previous_job_id: str | None


class ImportJobOut(Schema):
    id: str
    state: str
    finished: bool
    file_name: str
    total: int
    processed: int
    percent: int
    counts: dict[str, int]
    error: str


class ImportResultRow(Schema):
    line: int
    name: str
    email: str
    result: str
    enrollment_id: str | None
    message: str


class ImportResultPage(Schema):
    items: list[ImportResultRow]
    next_cursor: str | None


class WebhookOut(Schema):
    """The company's webhook endpoint, without its signing secret (shown only in the back office)."""

    url: str
    events: list[str]
    active: bool
    created_at: str
    updated_at: str | None
