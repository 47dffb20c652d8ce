"""The development outbox: every email sent is kept as a ``.eml`` file, and a page of the admin shows them.

On only with ``DEBUG=true`` and no mail server configured (``backoffice/settings.py`` then picks ``backend``);
production sends through SMTP and builds no URL for the page.

- ``files``: the outbox's folder and the names of its files;
- ``backend``: the email backend that writes one file a message (web and workers alike);
- ``selectors``: the messages, newest first, parsed with the standard library's ``email`` package;
- ``views`` and ``admin``: the "Outbox" section of the admin site.
"""
