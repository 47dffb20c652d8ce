"""The back office's permissions and the staff groups that hold them."""

VIEW = "enrollments.view_backoffice"
ENROLL = "enrollments.enroll"
CANCEL = "enrollments.cancel_enrollment"
RECORD_COMPLETION = "enrollments.record_completion"
CREATE_ORDER = "enrollments.create_order"
MANAGE_COMPANIES = "enrollments.manage_companies"
MANAGE_COURSES = "enrollments.manage_courses"

VIEWERS = "viewers"
OPERATORS = "operators"
SUPERVISORS = "supervisors"

_OPERATE = [VIEW, ENROLL, CANCEL, RECORD_COMPLETION, CREATE_ORDER]

# Each group's permissions (``app_label.codename``); the data migration creates them.
GROUPS = {
    VIEWERS: [VIEW],
    OPERATORS: _OPERATE,
    SUPERVISORS: _OPERATE + [MANAGE_COMPANIES, MANAGE_COURSES],
}
