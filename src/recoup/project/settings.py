"""Django settings, built from the environment by recoup.platform.config (see the README table)."""

from __future__ import annotations

import django_stubs_ext

from recoup.platform.config import load_config

# Lets admin and querysets be written with type parameters (ModelAdmin[Account]) at run time.
django_stubs_ext.monkeypatch()

CONFIG = load_config()

DATA_DIR = CONFIG.data_dir
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(CONFIG.csrf_trusted_origins)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "recoup.audit",
    "recoup.users",
    "recoup.parties",
    "recoup.accounts",
    "recoup.imports",
    "recoup.compliance",
    "recoup.arrangements",
    "recoup.workspace",
    "recoup.communications",
    "recoup.strategies",
    "recoup.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "recoup.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recoup.web.middleware.RefuseNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "recoup.project.urls"
WSGI_APPLICATION = "recoup.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recoup.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = CONFIG.time_zone  # the office zone (RECOUP_TIME_ZONE; docs/decisions/0005-business-dates.md)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it; WhiteNoise expects it to exist
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Security. Cookies are secure unless debugging (browsers treat http://127.0.0.1 and localhost as
# secure contexts, so the embedded default still signs in); HSTS is ready to switch on behind TLS.
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working shift
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.hsts_seconds > 0
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = CONFIG.ssl_redirect
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CONFIG.behind_proxy else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

EMAIL_BACKEND = CONFIG.email.backend
EMAIL_HOST = CONFIG.email.host
EMAIL_PORT = CONFIG.email.port
EMAIL_HOST_USER = CONFIG.email.user
EMAIL_HOST_PASSWORD = CONFIG.email.password
EMAIL_USE_TLS = CONFIG.email.use_tls
EMAIL_USE_SSL = CONFIG.email.use_ssl
EMAIL_FILE_PATH = CONFIG.email.file_path
DEFAULT_FROM_EMAIL = CONFIG.email.default_from
SERVER_EMAIL = CONFIG.email.default_from

# Who the collector is, for validation notices (empty: notices are blocked until it is set).
COLLECTOR_NAME = CONFIG.collector_name
COLLECTOR_ADDRESS = CONFIG.collector_address
COLLECTOR_PHONE = CONFIG.collector_phone
# Where debtors reach the site: links in messages (unsubscribe) start with it.
PUBLIC_URL = CONFIG.public_url
# The SMS provider (None: texts are recorded in the outbox and not sent; see docs/communications.md).
SMS_PROVIDER = CONFIG.sms
# The mail provider's bounce webhook sends this secret (empty: the hook is off).
BOUNCE_SECRET = CONFIG.bounce_secret
# The queue orders balances in this currency at these rates (RECOUP_REPORTING_CURRENCY, RECOUP_QUEUE_RATES).
REPORTING_CURRENCY = CONFIG.reporting_currency
QUEUE_RATES = dict(CONFIG.queue_rates)
# How big an import file may be: file, unzipped workbook, its parts read whole, rows, characters in a value
# (RECOUP_IMPORT_MAX_*).
IMPORT_LIMITS = CONFIG.import_limits
# What the compliance gate does when nothing indicates where a debtor is: "block" (the default: contact
# that depends on their local time is refused) or "widest-overlap" (RECOUP_UNKNOWN_LOCATION, docs/compliance.md).
UNKNOWN_LOCATION = CONFIG.unknown_location.value
# The time-barred disclosures (US-16) by (country, region): Recoup's table, reworded or added to by the
# firm's JSON file (RECOUP_TIME_BARRED_DISCLOSURES, docs/compliance.md).
TIME_BARRED_DISCLOSURES = CONFIG.time_barred_disclosures

CELERY_BROKER_URL = CONFIG.celery_broker_url
# Shared between the web processes and the workers: Redis when the broker is Redis, else files in the
# data directory (the embedded default runs everything on one machine).
if CELERY_BROKER_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "recoup",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "recoup.platform.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if DEBUG else "json"},
    },
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "faker": {"level": "WARNING"},
        "ofxtools": {"level": "WARNING"},
        # WeasyPrint narrates every step of every letter at INFO; only its warnings are worth a log line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
