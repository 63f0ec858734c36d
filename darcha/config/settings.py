"""Darcha settings: one module, driven by the environment.

Development defaults (SQLite, DEBUG off unless asked, console notifications) need nothing
installed; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and DARCHA_PRODUCTION=1.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url

from darcha.core import i18n

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("DARCHA_PRODUCTION")
DEBUG = env_bool("DEBUG")
_DEV_SECRET = "darcha-development-only-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DARCHA_PRODUCTION=1")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}
if SECRET_KEY == _DEV_SECRET and set(ALLOWED_HOSTS) - LOOPBACK_HOSTS:
    # The committed development key serves this machine only: anyone could sign sessions and links with it.
    raise RuntimeError(
        "ALLOWED_HOSTS names other machines but SECRET_KEY is the development key: "
        "set DARCHA_PRODUCTION=1 and SECRET_KEY"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",  # sitemap.xml's templates (darcha/config/sitemaps.py)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "darcha.core",
    "darcha.catalog",
    "darcha.notify",
    "darcha.queues",
    "darcha.cases",
    "darcha.preschool",
    "darcha.infoservice",
    "darcha.infoservice.publications",
    "darcha.infoservice.media",
    "darcha.infoservice.surveys",
    "darcha.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "darcha.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages and the public read API from the process's cache (core.pagecache): above the
    # session, CSRF and auth middleware, which a held answer does not need; below the security headers.
    "darcha.core.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "darcha.core.links.RequestAddressMiddleware",  # absolute links from the address the request came in on
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "darcha.config.urls"
WSGI_APPLICATION = "darcha.config.wsgi.application"
ASGI_APPLICATION = "darcha.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "darcha.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'darcha.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue instead of
    # failing to upgrade a read lock (and the audit hash chain sees a stable "last entry").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Never a new connection per request (DESIGN §9): Django's psycopg pool under ASGI.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
            "timeout": 10,
        },
        # A database that does not answer is known within seconds, not after the operating system's timeout.
        "connect_timeout": 3,
        # Server-side binding (psycopg 3): the parameters travel apart from the SQL, and a statement run
        # prepare_threshold times on a connection is prepared there and then only executed — PostgreSQL
        # parses it once per connection, not once per query (−60–70 % of the database's time per request,
        # measured for issue 11). Prepared statements belong to their
        # connection, so the pool keeps its connections (min_size stays open; psycopg_pool recycles one after
        # an hour), and each process keeps at most its pool's max_size of them on the server.
        "server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", True),
        # Django turns psycopg's preparing off unless asked (for poolers that cannot keep prepared statements;
        # this pool is Django's own, in the process): prepared from the fifth run on a connection.
        "prepare_threshold": int(os.environ.get("DB_PREPARE_THRESHOLD", "5")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions (shared between processes: database, or Redis when configured) -------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Rate-limit counters live here, one per client: Django's default of 300 entries would evict them early.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "darcha_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Anonymous public pages held per process (core.pagecache): at most this many answers and bytes; each
# process reads the content versions at most once every PAGE_CACHE_VERSION_SECONDS, so an edit reaches
# every process's pages within that time. A page is 10–35 KB: 16 MB holds the thousand or so most visited.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_ENTRIES = int(os.environ.get("PAGE_CACHE_ENTRIES", "2000"))
PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", str(16 * 1024 * 1024)))
PAGE_CACHE_VERSION_SECONDS = float(os.environ.get("PAGE_CACHE_VERSION_SECONDS", "1"))

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:desk"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins: after this many failures for one username or one address within the window,
# further attempts are refused until the window passes.
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty: the
# client is REMOTE_ADDR, whatever headers it sends.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = i18n.DEFAULT_LANGUAGE
LANGUAGES = [(language.code, language.label) for language in i18n.LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tashkent"
LANGUAGE_COOKIE_NAME = "darcha_language"
# One date format per language everywhere (pages, PDFs, notices): darcha/core/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["darcha.core.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # shared layout assets: css, fonts, vendored htmx
# collectstatic's target; in development files are served straight from the apps (WHITENOISE_USE_FINDERS).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (PROJECT_DIR / "var" / "static" if PRODUCTION else None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploads live outside the web root and are served only through permission-checked views.
# Uploaded documents live here, outside the web root: no URL serves this folder; files are
# served only through permission-checked views (darcha.cases).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
CASES_UPLOAD_MAX_BYTES = int(os.environ.get("CASES_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
# One request's uploads: how many files and their total size (each file at most CASES_UPLOAD_MAX_BYTES).
CASES_UPLOAD_MAX_FILES = int(os.environ.get("CASES_UPLOAD_MAX_FILES", 30))
CASES_UPLOAD_MAX_TOTAL_BYTES = int(os.environ.get("CASES_UPLOAD_MAX_TOTAL_BYTES", 50 * 1024 * 1024))
# Scans that came with a form sent back (an error, a refusal) are kept for its next try this many hours.
CASES_PENDING_UPLOAD_HOURS = int(os.environ.get("CASES_PENDING_UPLOAD_HOURS", 24))
# Tracking: wrong access codes before a number's tracking locks (and for how long), and wrong lookups per
# client (address or Telegram chat) before its wrong lookups are refused. Right lookups are never counted.
CASES_TRACK_NUMBER_FAILURES = int(os.environ.get("CASES_TRACK_NUMBER_FAILURES", 10))
CASES_TRACK_NUMBER_WINDOW = int(os.environ.get("CASES_TRACK_NUMBER_WINDOW", 24 * 3600))
CASES_TRACK_CLIENT_FAILURES = int(os.environ.get("CASES_TRACK_CLIENT_FAILURES", 50))
CASES_TRACK_CLIENT_WINDOW = int(os.environ.get("CASES_TRACK_CLIENT_WINDOW", 3600))
# The rating link sent after handover stays valid this many days.
CASES_RATING_DAYS = int(os.environ.get("CASES_RATING_DAYS", 30))

# Kindergarten admission (darcha.preschool). Policy choices, with the defaults the issue gives.
# A child's age is counted in full years on this day of the school year's start (month, day).
PRESCHOOL_REFERENCE_MONTH = int(os.environ.get("PRESCHOOL_REFERENCE_MONTH", 9))
PRESCHOOL_REFERENCE_DAY = int(os.environ.get("PRESCHOOL_REFERENCE_DAY", 1))
# State kindergartens take 3–7; from this age (full years), for a fee, into an early group when places are free.
PRESCHOOL_STATE_EARLY_FROM_YEARS = int(os.environ.get("PRESCHOOL_STATE_EARLY_FROM_YEARS", 2))
# Kindergartens a family may rank (a campaign may set 1–5; 1 is today's practice).
PRESCHOOL_MAX_CHOICES = int(os.environ.get("PRESCHOOL_MAX_CHOICES", 3))
# A freed seat is offered within this many working days; a referral lapses when not taken up within
# PRESCHOOL_REFERRAL_DAYS working days, and a reminder goes out this many working days before.
PRESCHOOL_OFFER_WITHIN_DAYS = int(os.environ.get("PRESCHOOL_OFFER_WITHIN_DAYS", 1))
PRESCHOOL_REFERRAL_DAYS = int(os.environ.get("PRESCHOOL_REFERRAL_DAYS", 15))
PRESCHOOL_REMINDER_DAYS = int(os.environ.get("PRESCHOOL_REMINDER_DAYS", 3))
# Agencies (organization codes) whose clerks' systems put newborns in the queue (the partner API): the
# registry office, the maternity hospitals' birth form.
PRESCHOOL_BIRTH_PARTNERS = env_list("PRESCHOOL_BIRTH_PARTNERS", "namangan-fhdyo")

# Citizens' appeals (darcha.infoservice). Appeals received on a working day before the office closes
# (HH:MM) are registered that day, later ones the next working day.
APPEALS_OFFICE_CLOSES = os.environ.get("APPEALS_OFFICE_CLOSES", "18:00")
# Partner receptions (organization code=source of their numbers) whose clerks' systems send appeals
# through the import API: the Presidential Virtual Reception, the People's Receptions.
APPEALS_PARTNERS = env_list(
    "APPEALS_PARTNERS", "virtual-reception=virtual_reception,namangan-peoples-reception=peoples_reception"
)
# Repeated or duplicate appeals: near-identical text (Jaccard of word shingles at least this) or the same
# author, within this many days.
APPEALS_SIMILAR_THRESHOLD = float(os.environ.get("APPEALS_SIMILAR_THRESHOLD", "0.75"))
APPEALS_REPEAT_DAYS = int(os.environ.get("APPEALS_REPEAT_DAYS", 365))
# Executors are reminded of an assignment this many working days before its term (the daily
# infoservice.remind job; 0: on the last day only).
APPEALS_REMIND_DAYS = int(os.environ.get("APPEALS_REMIND_DAYS", 2))
# The routing model (topic and executor suggested from the text): trained again every this many hours, from
# the latest appeals with a topic and an executor (fewer than MIN: no model is trained; at most MAX, which
# keeps the training task well inside TASKS_LEASE_SECONDS).
APPEALS_ROUTING_RETRAIN_HOURS = int(os.environ.get("APPEALS_ROUTING_RETRAIN_HOURS", 24 * 7))
APPEALS_ROUTING_MIN_SAMPLES = int(os.environ.get("APPEALS_ROUTING_MIN_SAMPLES", 30))
APPEALS_ROUTING_MAX_SAMPLES = int(os.environ.get("APPEALS_ROUTING_MAX_SAMPLES", 20_000))

# Publications (darcha.infoservice.publications): a scheduled item still not out this many minutes after
# its time is told to the press secretaries (the publications.publish_due job runs every minute); staff
# and public lists show this many a page; images are stored at most this many pixels on their long side.
PUBLICATIONS_MISSED_MINUTES = int(os.environ.get("PUBLICATIONS_MISSED_MINUTES", 5))
PUBLICATIONS_PAGE_SIZE = int(os.environ.get("PUBLICATIONS_PAGE_SIZE", 20))
PUBLICATIONS_IMAGE_MAX_PX = int(os.environ.get("PUBLICATIONS_IMAGE_MAX_PX", 1600))
# Mandatory disclosures: a category is "due soon" this many days before its period ends. Subscriptions: a
# confirmation link works this many days and an unconfirmed address is deleted after as many; a second
# confirmation to one address waits this many minutes; the daily digest goes at this time (Tashkent).
DISCLOSURES_DUE_SOON_DAYS = int(os.environ.get("DISCLOSURES_DUE_SOON_DAYS", 7))
SUBSCRIPTIONS_CONFIRM_DAYS = int(os.environ.get("SUBSCRIPTIONS_CONFIRM_DAYS", 7))
SUBSCRIPTIONS_RESEND_MINUTES = int(os.environ.get("SUBSCRIPTIONS_RESEND_MINUTES", 10))
SUBSCRIPTIONS_DIGEST_AT = os.environ.get("SUBSCRIPTIONS_DIGEST_AT", "08:00")

# Media accreditation (darcha.infoservice.media): how many journalists of one outlet a hokimiyat accredits,
# per outlet kind (a policy choice; over it an application is refused); an accreditation lasts this many
# years, its holder is reminded this many days before it ends; a foreign outlet's is temporary, this many
# days at most (about 3 months).
MEDIA_ACCREDITATION_QUOTAS = {"newspaper": 2, "tv": 4, "radio": 2, "online": 2, "agency": 3, "foreign": 2}
MEDIA_ACCREDITATION_YEARS = int(os.environ.get("MEDIA_ACCREDITATION_YEARS", 1))
MEDIA_RENEWAL_REMINDER_DAYS = int(os.environ.get("MEDIA_RENEWAL_REMINDER_DAYS", 30))
MEDIA_FOREIGN_MAX_DAYS = int(os.environ.get("MEDIA_FOREIGN_MAX_DAYS", 92))

# Kiosk tickets (queues.kiosks): per client address, per registered kiosk terminal and per phone number.
KIOSK_TICKETS_PER_CLIENT = int(os.environ.get("KIOSK_TICKETS_PER_CLIENT", 30))
KIOSK_TICKETS_PER_DEVICE = int(os.environ.get("KIOSK_TICKETS_PER_DEVICE", 300))
KIOSK_TICKETS_WINDOW = int(os.environ.get("KIOSK_TICKETS_WINDOW", 600))
KIOSK_TICKETS_PER_PHONE = int(os.environ.get("KIOSK_TICKETS_PER_PHONE", 5))
KIOSK_PHONE_WINDOW = int(os.environ.get("KIOSK_PHONE_WINDOW", 3600))

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Per-user revocable tokens, hashed at rest (no Basic auth: a password per request is unthrottled CPU).
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "darcha.core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "darcha.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "darcha.core.api.exception_handler",
    # Any DRF throttle that is not core.api's counts REMOTE_ADDR only (never a forged X-Forwarded-For).
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute", "user": "600/minute"},
    "PAGE_SIZE": 50,
}
# knox's own AuthToken is swapped for core.ApiToken; its migrations would still create an unused table
# (with a foreign key to users that blocks truncating them), so they are not run.
MIGRATION_MODULES = {"knox": None}
KNOX_TOKEN_MODEL = "core.ApiToken"  # noqa: S105 (a model name, not a secret)
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "365"))),
    "TOKEN_PREFIX": "darcha_",  # recognisable in a leaked file or log, for secret scanners
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Darcha API",
    "DESCRIPTION": "Public-service center and hokimiyat information service",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Stable names for enums that share a field name (otherwise a hash of their labels, which translations change).
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "darcha.cases.choices.ApplicationStatus",
        "TaskStatusEnum": "darcha.cases.choices.TaskStatus",
        "PersonKindEnum": "darcha.core.choices.PersonKind",
        "TicketStatusEnum": "darcha.queues.choices.TicketStatus",
        "AppointmentStatusEnum": "darcha.queues.models.AppointmentStatus",
        "OperatorStateEnum": "darcha.queues.choices.OperatorState",
        "EnrollmentStatusEnum": "darcha.preschool.choices.EnrollmentStatus",
        "PreschoolChannelEnum": "darcha.preschool.choices.Channel",
        "TeachingLanguageEnum": "darcha.preschool.choices.TeachingLanguage",
        "PlacementStatusEnum": "darcha.preschool.choices.PlacementStatus",
        "ChannelEnum": "darcha.cases.choices.Channel",
        "LanguageEnum": "darcha.core.i18n.LANGUAGE_CHOICES",
        "AppealTypeEnum": "darcha.infoservice.choices.AppealType",
        "RequestKindEnum": "darcha.infoservice.choices.RequestKind",
        "AppealChannelEnum": "darcha.infoservice.choices.Channel",
        "AppealStatusEnum": "darcha.infoservice.choices.AppealStatus",
        "SurveyQuestionKindEnum": "darcha.infoservice.surveys.choices.QuestionKind",
        "SurveyStateEnum": "darcha.infoservice.surveys.choices.PUBLIC_STATES",
        "PublicationKindEnum": "darcha.infoservice.publications.choices.PublicationKind",
    },
}

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Notifications --------------------------------------------------------------------------
# A channel goes through its provider only when selected here and configured; otherwise the
# message is written to the log (console), so a fresh machine needs no provider. Each Message
# records which one was used.
NOTIFY_EMAIL_BACKEND = os.environ.get("NOTIFY_EMAIL_BACKEND", "console")  # console | smtp | file | off
NOTIFY_SMS_BACKEND = os.environ.get("NOTIFY_SMS_BACKEND", "console")  # console | eskiz | file | off
NOTIFY_TELEGRAM_BACKEND = os.environ.get("NOTIFY_TELEGRAM_BACKEND", "console")  # console | telegram | file | off
NOTIFY_TIMEOUT = float(os.environ.get("NOTIFY_TIMEOUT", "10"))  # seconds, per provider request
# Seconds to wait before each retry of a failed delivery: the first attempt, then one per delay.
NOTIFY_RETRY_DELAYS = [int(delay) for delay in env_list("NOTIFY_RETRY_DELAYS", "30,120,600")]
# `file` backends write each message here (one file, mode 0600) for a gateway or a person to send.
NOTIFY_SPOOL_DIR = Path(os.environ.get("NOTIFY_SPOOL_DIR", PROJECT_DIR / "var" / "notify-spool"))
# How long one sending attempt holds its message before another worker may take it over.
NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "120"))
# After this a task left RUNNING by a dead worker runs again (failed after 3 claims): longer than the slowest task.
TASKS_LEASE_SECONDS = int(os.environ.get("TASKS_LEASE_SECONDS", "600"))
NOTIFY_ESKIZ_URL = os.environ.get("NOTIFY_ESKIZ_URL", "https://notify.eskiz.uz")
NOTIFY_ESKIZ_EMAIL = os.environ.get("NOTIFY_ESKIZ_EMAIL", "")
NOTIFY_ESKIZ_PASSWORD = os.environ.get("NOTIFY_ESKIZ_PASSWORD", "")
NOTIFY_ESKIZ_FROM = os.environ.get("NOTIFY_ESKIZ_FROM", "4546")  # sender name (nick) approved by Eskiz
# Public URL of the delivery-report endpoint (darcha.notify.urls, "eskiz/callback/"); empty: none.
NOTIFY_ESKIZ_CALLBACK_URL = os.environ.get("NOTIFY_ESKIZ_CALLBACK_URL", "")
# Ask Eskiz for the delivery status this many seconds after sending (0: rely on the callback).
NOTIFY_ESKIZ_STATUS_CHECK_DELAY = int(os.environ.get("NOTIFY_ESKIZ_STATUS_CHECK_DELAY", "300"))
NOTIFY_TELEGRAM_URL = os.environ.get("NOTIFY_TELEGRAM_URL", "https://api.telegram.org")
NOTIFY_TELEGRAM_TOKEN = os.environ.get("NOTIFY_TELEGRAM_TOKEN", "")
# One-time phone confirmation codes.
NOTIFY_OTP_TTL = int(os.environ.get("NOTIFY_OTP_TTL", "300"))  # seconds a code stays valid
NOTIFY_OTP_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_OTP_MAX_ATTEMPTS", "5"))  # wrong entries before a code is void
NOTIFY_OTP_MAX_SENDS = int(os.environ.get("NOTIFY_OTP_MAX_SENDS", "3"))  # codes per phone per window
NOTIFY_OTP_SEND_WINDOW = int(os.environ.get("NOTIFY_OTP_SEND_WINDOW", "900"))  # seconds
# SMTP server for the e-mail channel (NOTIFY_EMAIL_BACKEND=smtp).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Darcha <noreply@localhost>")

# --- Darcha ---------------------------------------------------------------------------------
# The address citizens' phones reach the server by, for every printed or sent link (QR codes on tickets, receipts
# and results; SMS). Unset: the address the request came in on, or the one `darcha serve` was started with
# (darcha.core.links).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
# The PINFL check digit rule is community-documented, not published: keep it switchable.
DARCHA_PINFL_CHECK_DIGIT = env_bool("DARCHA_PINFL_CHECK_DIGIT", True)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # WeasyPrint and fontTools narrate every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
