"""Compliance reports and exports: who of a company holds a valid certificate, who expires, who never finished,
and every list as a CSV or ``.xlsx`` file.

- ``selectors``: the report's counts and the people of each bucket (``rules.people_buckets`` over
  ``by_tenant_course``, newest first), and the certificate reminders beside them (one BatchGet a batch);
- ``exports``: the rows of an export (the enrollment list with its filters, a report's bucket) and the CSV
  and ``.xlsx`` writers, row by row;
- ``services``: background exports (over ``EXPORT_STREAM_MAX_ROWS`` rows): start, run, sweep;
- ``tasks``, ``forms``, ``views``, ``admin``: the Reports section of the admin site.
"""
