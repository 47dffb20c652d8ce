"""The clients' API: the HR systems of client companies enroll, cancel and read compliance with a key of their
company (``/api/v1/``, django-ninja), and the back-office pages that create and revoke those keys."""
