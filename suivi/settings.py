"""Suivi settings: one module, driven by environment variables.

With no environment at all, Suivi runs on SQLite under ./var so that one command starts it.
Production sets SUIVI_DATABASE_URL (postgres://...), SUIVI_SECRET_KEY and SUIVI_ALLOWED_HOSTS.
"""

import hashlib
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SUIVI_DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_from_url(url: str) -> dict:
    """Turn sqlite:///path or postgres://user:pass@host:port/name into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path) or str(DATA_DIR / "suivi.sqlite3")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "suivi",
            "USER": unquote(parsed.username or "postgres"),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            "CONN_MAX_AGE": 60,
            # PostgreSQL's default (4) assumes spinning disks and makes the planner read whole
            # delivery tables where an index finds a project's rows; servers today use SSDs.
            "OPTIONS": {
                "options": "-c random_page_cost="
                + os.environ.get("SUIVI_PG_RANDOM_PAGE_COST", "1.1")
            },
        }
    raise ValueError(f"Unsupported SUIVI_DATABASE_URL scheme: {parsed.scheme!r}")


DEBUG = env_bool("SUIVI_DEBUG", True)
SECRET_KEY = os.environ.get("SUIVI_SECRET_KEY", "insecure-development-key-change-me")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("SUIVI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SUIVI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "suivi.accounts",
    "suivi.places",
    "suivi.audit",
    "suivi.projects",
    "suivi.registry",
    "suivi.delivery",
    "suivi.partners",
    "suivi.imports",
    "suivi.reports",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "suivi.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "suivi.urls"
WSGI_APPLICATION = "suivi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "suivi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "suivi.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("SUIVI_DATABASE_URL", f"sqlite:///{DATA_DIR / 'suivi.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Computed figures are kept here (see suivi/reports/indicators.py). Embedded: files under
# DATA_DIR/cache, shared by the server and the worker. Production: one Redis shared by the web and
# worker processes, SUIVI_CACHE_URL=redis://...; locmem:// keeps them in each process's memory.
CACHE_URL = os.environ.get("SUIVI_CACHE_URL", "")
# What is kept belongs to one database: another database (a test run, a benchmark, a restored
# copy) shares no key with it, whatever cache they share.
_database = DATABASES["default"]
CACHE_PREFIX = (
    os.environ.get("SUIVI_CACHE_PREFIX")
    or "suivi-"
    + hashlib.sha256(
        f"{_database['ENGINE']}|{_database.get('HOST', '')}|{_database.get('PORT', '')}|"
        f"{_database['NAME']}".encode()
    ).hexdigest()[:12]
)
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "suivi.lib.filecache.FileCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": CACHE_PREFIX,
            # A country's portfolio keeps some 35,000 totals (200 projects, 15 indicators, 10
            # open periods and the life of project), most of them under a kilobyte.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }
# How long a computed figure is kept at most; any audited change of the organisation's data
# makes it unreachable sooner. 0 computes every figure on every read.
SUIVI_FIGURES_CACHE_SECONDS = int(os.environ.get("SUIVI_FIGURES_CACHE_SECONDS", 6 * 3600))
# The worker (manage.py work), when nothing waits, computes ahead the figures the report pages
# read at most this often (seconds); 0: never.
SUIVI_FIGURES_WARM_EVERY = int(os.environ.get("SUIVI_FIGURES_WARM_EVERY", 60))

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "suivi" / "locale"]
TIME_ZONE = os.environ.get("SUIVI_TIME_ZONE", "Africa/Bamako")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "suivi" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("SUIVI_MEDIA_ROOT", DATA_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Evidence files and attachments above this size are refused with a clear message.
SUIVI_MAX_UPLOAD_BYTES = int(os.environ.get("SUIVI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SUIVI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SUIVI_LOG_LEVEL", "WARNING")},
}
