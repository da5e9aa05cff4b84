"""Django settings for Dancu.

Operator settings come from ``DANCU_*`` environment variables (see ``.env.example``) through the
typed readers of :mod:`dancu.core.config`; everything below the "derived" line follows from them.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from dancu.core.config import ConfigError, env_bool, env_int, env_list, env_path, env_str

# --- operator settings -----------------------------------------------------------------------

DANCU_ENV = env_str("DANCU_ENV", "development")
if DANCU_ENV not in {"development", "production", "test"}:
    raise ConfigError(f"DANCU_ENV={DANCU_ENV!r}: expected development, production or test")
DANCU_HOME = env_path("DANCU_HOME", Path.cwd() / "var")
DEBUG = env_bool("DANCU_DEBUG", False)
ALLOWED_HOSTS = env_list("DANCU_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DANCU_CSRF_TRUSTED_ORIGINS", [])
DANCU_BASE_URL = env_str("DANCU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DANCU_PROVINCE_CODE = env_str("DANCU_PROVINCE_CODE", "31")
DANCU_DEMO_PEOPLE = env_int("DANCU_DEMO_PEOPLE", 20_000, minimum=0)
DANCU_REDIS_URL = env_str("DANCU_REDIS_URL", "-")
DANCU_SECURE_COOKIES = env_bool("DANCU_SECURE_COOKIES", DANCU_ENV == "production")
# Webhook hosts allowed to resolve to private or loopback addresses (on-premise peers); any other
# webhook host must resolve to public addresses only (dancu.exchange.webhook_targets).
DANCU_WEBHOOK_PRIVATE_HOSTS = env_list(
    "DANCU_WEBHOOK_PRIVATE_HOSTS", [] if DANCU_ENV == "production" else ["localhost", "127.0.0.1", "::1"]
)
DANCU_LINKAGE_MAX_UPLOAD_BYTES = env_int("DANCU_LINKAGE_MAX_UPLOAD_BYTES", 512 * 1024 * 1024, minimum=1)
DANCU_LINKAGE_RETENTION_DAYS = env_int("DANCU_LINKAGE_RETENTION_DAYS", 30, minimum=1)
DANCU_AUDIT_KEY_FILE = str(env_path("DANCU_AUDIT_KEY_FILE", DANCU_HOME / "keys" / "audit-ed25519.pem"))
DANCU_AUDIT_CHECKPOINT_FILE = str(env_path("DANCU_AUDIT_CHECKPOINT_FILE", DANCU_HOME / "audit" / "checkpoints.jsonl"))


def _secret_key() -> str:
    """The secret key from the environment (or ``DANCU_SECRET_KEY_FILE``); outside production a
    key generated once under DANCU_HOME, so a development machine needs no set-up."""
    try:
        return env_str("DANCU_SECRET_KEY")
    except ConfigError:
        if DANCU_ENV == "production":
            raise
    key_file = DANCU_HOME / "keys" / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _webhook_secret_key() -> str:
    """The Fernet key(s) that encrypt webhook signing secrets at rest (``DANCU_WEBHOOK_SECRET_KEY``
    or ``_FILE``; several comma-separated keys: the first encrypts, all decrypt, for rotation).
    Outside production a key generated once under DANCU_HOME; in production "" when unset, which
    the deploy check dancu.E005 reports."""
    try:
        return env_str("DANCU_WEBHOOK_SECRET_KEY")
    except ConfigError:
        if DANCU_ENV == "production":
            return ""
    key_file = DANCU_HOME / "keys" / "webhook-secret.key"
    if not key_file.exists():
        from cryptography.fernet import Fernet

        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(Fernet.generate_key())
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


DANCU_WEBHOOK_SECRET_KEY = _webhook_secret_key()

# --- derived settings ------------------------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent
DANCU_HOME.mkdir(parents=True, exist_ok=True)

_database_url = env_str("DANCU_DATABASE_URL", f"sqlite:///{DANCU_HOME / 'dancu.sqlite3'}")
_database: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_max_age=0))
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on the busy timeout instead of failing on a lock upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    # A health-check query before each request's first query costs a round trip per request;
    # without it, the first request after a database restart fails once and the next reconnects.
    _database["CONN_HEALTH_CHECKS"] = env_bool("DANCU_DB_HEALTH_CHECKS", False)
# Reusing connections saves the connect (and SQLite's PRAGMAs) on every request.
_database["CONN_MAX_AGE"] = env_int("DANCU_DB_CONN_MAX_AGE", 300, minimum=0)
_test_name = env_str("DANCU_TEST_DATABASE_NAME", "-")
if _test_name != "-":
    _database["TEST"] = {"NAME": _test_name}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "dancu.core",
    "dancu.registry",
    "dancu.identity",
    "dancu.exchange",
    "dancu.linkage",
    "dancu.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The gateway's machine-to-machine calls (/r1/) take a short stack of their own from here.
    "dancu.exchange.api.middleware.GatewayMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dancu.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dancu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dancu.identity.sessions.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dancu.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "dancu.urls"
WSGI_APPLICATION = "dancu.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "/dang-nhap/"
PASSWORD_HASHERS = [
    "dancu.identity.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DANCU_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DANCU_HOME / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = DANCU_SECURE_COOKIES
CSRF_COOKIE_SECURE = DANCU_SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if DANCU_ENV == "production":
    SECURE_HSTS_SECONDS = env_int("DANCU_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_SSL_REDIRECT = env_bool("DANCU_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

TASKS = {
    "default": {
        # Embedded default: jobs wait in the database and `dancu worker` runs them, so no broker
        # is needed; in tests they run at once.
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if DANCU_ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DANCU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
