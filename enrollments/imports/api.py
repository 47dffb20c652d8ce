"""The calls the staff pages, the JSON endpoint and the ``enroll_csv`` command make about imports.

    preview = import_preview(file=upload, file_name=upload.name, tenant_id=..., default_course_id=..., window_days=...)
    failed_rows_csv(preview)                      # CSV lines of the rows that will not be enrolled
    job = import_start(file=upload, file_name=..., tenant_id=..., author=Author.from_user(request.user),
                       default_course_id=..., window_days=..., allow_same_file=confirmed)
    import_progress(job.job_id)                   # dict for the progress bar
    import_report_csv(job.job_id)                 # CSV lines: line, name, email, result, enrollment id, message
    job_failed_rows_csv(job.job_id)               # CSV lines of the rows the job did not enroll, ready to fix
    import_job_list(limit=50)                     # recent jobs, newest first

Errors, each with ``.message``: ``ImportFileRefused`` (the file as a whole),
``InvalidEnrollmentData`` (company, default course, window), ``SameFileImported``
(ask for a confirmation, then pass ``allow_same_file=True``), ``ImportJobNotFound``.
A preview between upload and confirmation keeps the upload itself: ``stash_upload``
stores it under ``IMPORT_UPLOAD_DIR`` and ``open_stashed_upload`` opens it again.
"""

from ..exceptions import ImportFileRefused, ImportJobNotFound, InvalidEnrollmentData, SameFileImported
from ..selectors_imports import get_import_job, import_job_list
from ..services.imports import import_resume, import_run_inline, import_start
from .jobs import DONE, FAILED, PREPARING, RUNNING
from .preview import ImportPreview, failed_rows_csv, import_preview
from .reports import import_progress, import_report_csv, import_report_rows, job_failed_rows_csv, job_progress
from .uploads import open_stashed_upload, stash_upload

__all__ = [
    "DONE", "FAILED", "PREPARING", "RUNNING", "ImportFileRefused", "ImportJobNotFound", "ImportPreview",
    "InvalidEnrollmentData", "SameFileImported", "failed_rows_csv", "get_import_job", "import_job_list",
    "import_preview", "import_progress", "import_report_csv", "import_report_rows", "import_resume",
    "import_run_inline", "import_start", "job_failed_rows_csv", "job_progress", "open_stashed_upload", "stash_upload",
]
