"""Settings for ``bench/exchange_verify.py --persistent-connections``: the project's settings with
SQLite connections kept open between requests (as PostgreSQL's already are), to measure what the
per-request connection costs. Not used by the product."""

from dancu.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
