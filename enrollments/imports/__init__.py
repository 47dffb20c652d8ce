"""Bulk enrollment from CSV files and .xlsx workbooks: everything about imports lives in this package.

- ``files``: tell an upload's format by its first bytes and read it with one of the next two;
- ``parsing``: read a CSV upload (size, encoding, delimiter, columns), then its rows one by one;
- ``workbooks``: read the sheet of an .xlsx upload as the same rows;
- ``rows``: check each row with the rules ``enroll`` applies, plus duplicates inside the file;
- ``preview``: what an import would do, writing nothing; ``uploads``: keep a file between preview and confirm;
- ``jobs``: the names a job shares between its service, its workers and its reports;
- ``services``: start a job, queue it, resume or fail it; ``chunks``: enroll a chunk's rows, record them, finish;
- ``tasks``: the Celery tasks that run chunks;
- ``selectors``: reads of jobs; ``reports``: progress, per-row report and failed rows as CSV;
- ``forms``, ``views``, ``admin``: the Imports section of the admin site.

Errors, each with ``.message``: ``ImportFileRefused`` (the file as a whole),
``InvalidEnrollmentData`` (company, default course, window), ``SameFileImported``
(ask for a confirmation, then pass ``allow_same_file=True``), ``ImportJobNotFound``.
"""
