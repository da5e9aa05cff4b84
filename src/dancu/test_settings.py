"""Settings for the test suite: the production settings, with test defaults set first.

The suite runs on SQLite by default and on PostgreSQL when ``DANCU_DATABASE_URL`` points there
(``.ci/run`` does both).
"""

import os
import tempfile

os.environ.setdefault("DANCU_ENV", "test")
os.environ.setdefault("DANCU_HOME", tempfile.mkdtemp(prefix="dancu-test-"))

from dancu.settings import *  # noqa: F403

# Tests create many accounts: the cheapest Argon2 parameters keep them fast; production keeps
# the real hasher (dancu.identity.hashers) and a test checks it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
