"""The one place that reads the environment (ARCHITECTURE.md: configuration is by environment)."""

import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SOHOA_DATA_DIR", "./data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
KEY_FILE = Path(os.environ.get("SOHOA_KEY_FILE", str(DATA_DIR.parent / "sohoa.key"))).resolve()
REDIS_URL = os.environ.get("SOHOA_REDIS_URL", "")
#: Where the OCR work files of a classified intake live while it is processed (never under the data dir):
#: a tmpfs when there is one, so plaintext pages never reach a disk; removed when the intake ends.
SECURE_WORK_DIR = Path(
    os.environ.get("SOHOA_SECURE_WORK_DIR")
    or (Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())) / "sohoa-work"
).resolve()
#: The signed audit checkpoints, outside the database (decision 0024); point it at a write-once or remote
#: mount to keep it out of reach of whoever can edit the database.
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("SOHOA_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit" / "checkpoints.jsonl"))
).resolve()
#: The place on a report's date line ("Cà Mau, ngày …"); empty = the name of the unit tree's root.
REPORT_PLACE = os.environ.get("SOHOA_REPORT_PLACE", "")
#: Repeated views/downloads of one item by one user within this many minutes count as one use.
USAGE_DEDUP_MINUTES = int(os.environ.get("SOHOA_USAGE_DEDUP_MINUTES", "30"))
#: What digitizing one page costs (VND), for "cost per used page"; empty = asked on the usage page.
DIGITIZATION_COST_PER_PAGE = (
    int(os.environ["SOHOA_DIGITIZATION_COST_PER_PAGE"]) if os.environ.get("SOHOA_DIGITIZATION_COST_PER_PAGE") else None
)


def _secret_key() -> str:
    """A random key created once per instance and kept beside the data, never in the code."""
    path = DATA_DIR / "secret_key.txt"
    if not path.exists():
        from django.utils.crypto import get_random_string

        path.write_text(get_random_string(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SOHOA_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SOHOA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SOHOA_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "sohoa.core",
    "sohoa.registry",
    "sohoa.archive",
    "sohoa.digitization",
    "sohoa.extraction",
    "sohoa.search",
    "sohoa.security",
    "sohoa.copies",
    "sohoa.reports",
    "sohoa.usage",
    "sohoa.difficulties",
    "sohoa.planning",
    "sohoa.reorg",
    "sohoa.codes",
    "sohoa.workdays",
    "sohoa.petitions",
    "sohoa.cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sohoa.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sohoa.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sohoa.core.middleware.RequestContextMiddleware",
    # After RequestContextMiddleware, so the audit row of an idle logout carries the address.
    "sohoa.security.middleware.ClassifiedSessionMiddleware",
]

ROOT_URLCONF = "sohoa.urls"
WSGI_APPLICATION = "sohoa.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sohoa.core.context.navigation",
            ],
        },
    },
]

# SQLite in the data dir by default; WAL lets readers run beside the writer, and IMMEDIATE
# transactions take the write lock up front so two writers queue instead of failing.
_default_db = f"sqlite:///{DATA_DIR / 'sohoa.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["sohoa.core.auth.LockoutModelBackend"]
# Lock an account for LOCKOUT_MINUTES after LOCKOUT_THRESHOLD failed logins in a row.
LOCKOUT_THRESHOLD = int(os.environ.get("SOHOA_LOCKOUT_THRESHOLD", "5"))
LOCKOUT_MINUTES = int(os.environ.get("SOHOA_LOCKOUT_MINUTES", "15"))
# A client address is blocked from the login form and token login for LOGIN_IP_MINUTES after
# LOGIN_IP_THRESHOLD failures within that time (higher than per account: office PCs share addresses).
LOGIN_IP_THRESHOLD = int(os.environ.get("SOHOA_LOGIN_IP_THRESHOLD", "20"))
LOGIN_IP_MINUTES = int(os.environ.get("SOHOA_LOGIN_IP_MINUTES", "15"))
# Two-factor login (TOTP) is required from this clearance up (2 = tối mật); others may turn it on.
SOHOA_TOTP_REQUIRED_LEVEL = int(os.environ.get("SOHOA_TOTP_REQUIRED_LEVEL", "2"))
# Users with any clearance (mật and above) are logged out after this many idle minutes.
SOHOA_CLASSIFIED_SESSION_MINUTES = int(os.environ.get("SOHOA_CLASSIFIED_SESSION_MINUTES", "15"))
# Longest need-to-know grant a leader may approve.
SOHOA_GRANT_MAX_DAYS = int(os.environ.get("SOHOA_GRANT_MAX_DAYS", "90"))
# Form drafts (decision 0031) not touched for this many days are purged, on the server and in browsers.
SOHOA_DRAFT_DAYS = int(os.environ.get("SOHOA_DRAFT_DAYS", "14"))

# Sessions end after two idle hours (renewed on each request) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SOHOA_SESSION_SECONDS", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
API_TOKEN_HOURS = int(os.environ.get("SOHOA_API_TOKEN_HOURS", "12"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # no page is framed, not even the PDF (opened in its own tab)
#: Sent on every HTML page by core.middleware.SecurityHeadersMiddleware. Styles allow 'unsafe-inline':
#: the server-drawn SVG charts (pygal) carry their own <style>; scripts come from our static files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
#: Searches (page and API) one user may run per minute; the count lives in the cache (Redis when
#: configured, otherwise per process).
SEARCH_RATE_PER_MINUTE = int(os.environ.get("SOHOA_SEARCH_RATE_PER_MINUTE", "60"))


def https_settings(env: Any) -> dict[str, Any]:
    """Behind TLS (SOHOA_HTTPS=1): HSTS and cookies sent over HTTPS only; behind a reverse proxy
    (SOHOA_BEHIND_PROXY=1) the proxy's X-Forwarded-Proto says whether the request came over TLS."""
    found: dict[str, Any] = {}
    if env.get("SOHOA_HTTPS", "") == "1":
        found.update(
            SECURE_HSTS_SECONDS=int(env.get("SOHOA_HSTS_SECONDS", str(365 * 24 * 3600))),
            SESSION_COOKIE_SECURE=True,
            CSRF_COOKIE_SECURE=True,
            SECURE_SSL_REDIRECT=env.get("SOHOA_SSL_REDIRECT", "") == "1",
        )
        if env.get("SOHOA_BEHIND_PROXY", "") == "1":
            found["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    return found


globals().update(https_settings(os.environ))

LANGUAGE_CODE = os.environ.get("SOHOA_LANGUAGE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "files"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sohoa.core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sohoa API",
    "DESCRIPTION": "Records archive and digitization for Vietnamese Party and State agencies.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Choice sets whose field names other apps also use ("kind", "role", "stage"): named by their app.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "sohoa.cases.models.CaseKind",
        "CaseDocumentRoleEnum": "sohoa.cases.models.DocumentRole",
        "CaseStageEnum": "sohoa.cases.models.Stage",
        "CaseOutcomeEnum": "sohoa.cases.models.Outcome",
        "PetitionKindEnum": "sohoa.petitions.models.Kind",
        "MentionKindEnum": "sohoa.codes.models.MentionKind",
        "PetitionPartyRoleEnum": "sohoa.petitions.models.PetitionParty.Role",
        "PetitionFileRoleEnum": "sohoa.petitions.models.PetitionFile.Role",
    },
}

# Digitization limits (preflight) and OCR; Circular 05/2025 asks at least 200 dpi.
DIGITIZATION: dict[str, Any] = {
    "MAX_BYTES": int(os.environ.get("SOHOA_MAX_UPLOAD_MB", "2048")) * 1024 * 1024,
    "MAX_PAGES": int(os.environ.get("SOHOA_MAX_PAGES", "1000")),
    "MAX_PIXELS": int(os.environ.get("SOHOA_MAX_MEGAPIXELS", "150")) * 1_000_000,
    "MIN_DPI": 200,
    "TARGET_DPI": 300,
    "LANGUAGES": os.environ.get("SOHOA_OCR_LANGUAGES", "vie"),
    "PAGE_BATCH": 4,
}
DATA_UPLOAD_MAX_NUMBER_FILES = 500
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work: embedded SQLite queue by default, Redis when a province runs many workers.
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "sohoa", "url": REDIS_URL}
    # Shared by every web process, so a rate limit holds across them.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "sohoa",
        "filename": str(DATA_DIR / "queue.sqlite3"),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SOHOA_LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"level": os.environ.get("SOHOA_LOG_LEVEL", "WARNING"), "propagate": True}},
}
