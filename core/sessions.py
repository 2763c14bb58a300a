"""The session engine: Django's database sessions, refusing keys no session could have.

Django makes every session key from 32 lower-case letters and digits and stores it in a
column of 40 characters. A cookie holding anything else (a NUL, which PostgreSQL
refuses in a query with an error; thousands of characters) names no session, so it is
treated as no cookie at all, on every database alike, before any query is made.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS

LONGEST_KEY = 40
KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return (
            super()._validate_session_key(key)
            and len(key) <= LONGEST_KEY
            and set(key) <= KEY_CHARACTERS
        )
