"""Sessions that end after SESSION_IDLE_TIMEOUT_SECONDS (``SESSION_COOKIE_AGE``) without a request."""

import time

from django.contrib.auth import SESSION_KEY

# The session's expiry moves with activity, at most once per this many seconds: saving it on every request
# (SESSION_SAVE_EVERY_REQUEST) writes the session table once a second per open import page, and on SQLite
# concurrent writes of that table fail ("database table is locked").
REFRESH_SECONDS = 60
LAST_ACTIVITY_KEY = "security.last_activity"


def mark_activity(session) -> None:
    """Record that ``session``'s expiry moves now (its save writes the new expiry)."""
    session[LAST_ACTIVITY_KEY] = int(time.time())


class SessionActivityMiddleware:
    """Move a logged-in session's expiry a whole timeout ahead when it was last moved over a minute ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A session written already (a login, a logout) has its fresh expiry; only logged-in ones are kept alive.
        if session is not None and not session.modified and session.get(SESSION_KEY):
            if time.time() - session.get(LAST_ACTIVITY_KEY, 0) >= REFRESH_SECONDS:
                mark_activity(session)
        return response
