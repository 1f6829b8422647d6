"""Pressroom settings, read from environment variables.

Development works with no configuration at all (SQLite, local-memory cache, debug on).
Production sets DJANGO_DEBUG=0 and must then provide DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS, or the site refuses to start.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pressroom.content_security import policy_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    """Read a whole-number environment variable, refusing anything else with a clear message."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, got {value!r}.")
    return number


def env_list(name, default):
    """Read a comma-separated environment variable."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off the site refuses to start "
            "without a secret key: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` "
            "and put it in the environment."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. With DJANGO_DEBUG off, list the site's host names, "
        "comma-separated, e.g. DJANGO_ALLOWED_HOSTS=press.example.ru"
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "django_prose_editor",
    "csp",
    "django_otp",
    "accounts.apps.TOTPConfig",  # django_otp.plugins.otp_totp, named in Russian
    "axes",
    "articles",
    "accounts",
    "audit",
]

MIDDLEWARE = [
    # Anonymous public pages from the shared cache: a hit skips everything below. The
    # headers the next two add (security, CSP) are stored with the page.
    "articles.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "pressroom.content_security.PolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage in a view answers the 503 page (pressroom.errors for the rest).
    "pressroom.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AuditRequestMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pressroom.urls"
WSGI_APPLICATION = "pressroom.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file inside the project for development.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that reads the socket instead of running SELECT 1.
    DATABASES["default"]["ENGINE"] = "pressroom.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite keeps its connection per thread; WAL lets the dev server read while importing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but a stopped Redis means misses, not 500s.
            "BACKEND": "pressroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pressroom",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page cache (articles/pagecache.py): how long an anonymous public page is kept at
# most (0 turns it off), and the max-age that nginx's micro-cache and browsers are given.
PRESSROOM_PAGE_CACHE_SECONDS = env_int("PRESSROOM_PAGE_CACHE_SECONDS", 300)
PRESSROOM_HTTP_MAX_AGE = env_int("PRESSROOM_HTTP_MAX_AGE", 10)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: the interface is Russian; code and msgids are English.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Yekaterinburg")
USE_I18N = True
USE_TZ = True

# Static files and media. Media goes through Django's storage API only, so that
# S3-compatible storage (django-storages) works by configuration.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Originals of uploaded photos keep their metadata; they live outside MEDIA_ROOT so that
# no public URL reaches them.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "articles.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# Tags: comma-separated input; our Tag model folds case and transliterates slugs.
TAGGIT_TAGS_FROM_STRING = "articles.models.tag.parse_tag_string"
TAGGIT_STRING_FROM_TAGS = "articles.models.tag.join_tag_names"

# Site identity, shown in the header, feeds and metadata.
PRESSROOM_SITE_NAME = os.environ.get("PRESSROOM_SITE_NAME", "Пресс-служба губернатора")
PRESSROOM_PUBLISHER = os.environ.get(
    "PRESSROOM_PUBLISHER", "Пресс-служба губернатора Оренбургской области"
)

LOGIN_URL = "admin:login"

# Accounts (accounts/, README "Accounts and sign-in"). django-axes checks every login
# against the failures of the same user name from the same address; its backend comes
# first so that a locked-out pair is refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = max(1, env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5))
# At least a minute: a zero cool-off would make axes lock out for good.
AXES_COOLOFF_TIME = datetime.timedelta(
    seconds=max(60, env_int("DJANGO_LOGIN_COOLOFF_SECONDS", 30 * 60))
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"  # a Russian page, status 429
# The client address: X-Forwarded-For only behind our own proxy (which must append the
# address it saw, as nginx's $proxy_add_x_forwarded_for does), else the socket's address.
# With DJANGO_PROXY_COUNT proxies in front, the client is the Nth address from the right;
# anything further left was written by the client and is ignored.
if env_bool("DJANGO_BEHIND_PROXY", False):
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_PROXY_COUNT = max(1, env_int("DJANGO_PROXY_COUNT", 1)) - 1
    IPWARE_STRICT = False  # a longer (client-prefixed) chain is normal, not an attack
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Two-factor sign-in (django-otp, TOTP): the issuer names the site in authenticator apps.
OTP_TOTP_ISSUER = PRESSROOM_SITE_NAME
# Administrators may delete a lost device but never read anyone's key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Security headers and cookies. With debug off the site is HTTPS-only; with debug on it
# keeps working over plain http on 127.0.0.1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Only the admin uses sessions: they end after 8 hours or when the browser closes.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True) if not DEBUG else False
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000) if not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Trust X-Forwarded-Proto only behind a proxy that terminates TLS and overwrites it:
# otherwise any client could claim its plain-http request is secure.
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (pressroom/content_security.py): enforced, or only reported by
# browsers while DJANGO_CSP_REPORT_ONLY is on, to DJANGO_CSP_REPORT_URI when set.
CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = policy_settings(
    media_url=MEDIA_URL,
    report_only=env_bool("DJANGO_CSP_REPORT_ONLY", False),
    report_uri=os.environ.get("DJANGO_CSP_REPORT_URI", "").strip(),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
