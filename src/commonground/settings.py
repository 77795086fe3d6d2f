"""Deployment settings. Everything a deployer sets comes from the environment.

Settings an association edits live in the database (tenancy.Association).
"""

from pathlib import Path

import environ

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env.str("COMMONGROUND_DATA_DIR", default="./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("COMMONGROUND_DEBUG", default=False)


def _secret_key() -> str:
    """Use the deployer's key; otherwise keep a generated one in the data dir.

    A generated key survives restarts (sessions stay valid) without ever being
    committed anywhere.
    """
    key = env.str("COMMONGROUND_SECRET_KEY", default="")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Only on the first start; settings load before Django is set up, so keep it lazy.
        from django.core.management.utils import get_random_secret_key

        path.write_text(get_random_secret_key() + get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("COMMONGROUND_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("COMMONGROUND_CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS hardening: on by default unless debugging or explicitly serving plain HTTP
# (the local demo), so `check --deploy` is clean for a production configuration.
_HTTPS = env.bool("COMMONGROUND_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = _HTTPS
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_HSTS_SECONDS = env.int("COMMONGROUND_HSTS_SECONDS", default=31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # In INSTALLED_APPS so /api/v1/docs serves Swagger UI from our static files, not a CDN.
    "ninja",
    "django_countries",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "commonground.core",
    "commonground.tenancy",
    "commonground.people",
    "commonground.membership",
    "commonground.activity",
    "commonground.engagement",
    "commonground.scoring",
    "commonground.opportunities",
    "commonground.recognition",
    "commonground.insight",
    "commonground.recommendations",
    "commonground.segments",
    "commonground.outreach",
    "commonground.planning",
    "commonground.negotiation",
    "commonground.collaboration",
    "commonground.partnerships",
    "commonground.portal",
    "commonground.web",  # the dashboards' templates and navigation
    # Top layer: demo data and benchmarks (apps only so their commands load).
    "commonground.demo",
    "commonground.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "commonground.core.middleware.DomainErrorMiddleware",
    "commonground.tenancy.middleware.ApiScopeMiddleware",
]

ROOT_URLCONF = "commonground.web.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # First, so our allauth/layouts/* override allauth's own (allauth is listed before core).
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# Storage: SQLite (WAL) is the embedded default; PostgreSQL via COMMONGROUND_DATABASE_URL.
_db_url = env.str("COMMONGROUND_DATABASE_URL", default="")
if _db_url:
    DATABASES = {"default": env.db_url_config(_db_url)}
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "commonground.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE avoids "database is locked" upgrades from read to write locks.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }
# History is read per object (by its id, which is indexed); an index on every history
# row's date only slowed the bulk imports and the seed.
SIMPLE_HISTORY_DATE_INDEX = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = env.str("COMMONGROUND_EMAIL_VERIFICATION", default="optional")
ACCOUNT_SIGNUP_OPEN = env.bool("COMMONGROUND_SIGNUP_OPEN", default=False)
ACCOUNT_ADAPTER = "commonground.tenancy.adapters.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

EMAIL_BACKEND = env.str(
    "COMMONGROUND_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("COMMONGROUND_FROM_EMAIL", default="commonground@localhost")
# SMTP when COMMONGROUND_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env.str("COMMONGROUND_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("COMMONGROUND_EMAIL_PORT", default=25)
# The site's public address: links in emails (notices) are made absolute with it, and
# Open Badges ids (issuer, badge classes, assertions) are URLs on it.
SITE_URL = env.str("COMMONGROUND_SITE_URL", default="http://localhost:8000")

TASKS = {
    "default": {
        "BACKEND": env.str("COMMONGROUND_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "imports"],
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("COMMONGROUND_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("COMMONGROUND_LOG_LEVEL", default="WARNING")},
}
