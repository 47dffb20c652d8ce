"""Who may log in, and how: login lockouts (django-axes), the second factor (django-otp), the security log.

The admin site asks ``policy`` whether a session still owes its second factor; ``views`` hold the second
step of the login (set up an authenticator, enter a code) and the lockout page; ``services`` create and check
the devices; ``signals`` log failed logins and lockouts on the ``backoffice.security`` logger.
"""
