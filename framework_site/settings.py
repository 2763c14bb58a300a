"""Settings for the framework site.

Everything that differs between a laptop and production comes from the environment.
The defaults are safe for local use; production (DJANGO_DEBUG off) refuses to start
without a real secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no setting; accepts 1/0, true/false, yes/no, on/off."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole-number setting; a typo stops the site with the setting's name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {number}.")
    return number


# The databases the project supports; dj-database-url knows many more.
SUPPORTED_DATABASE_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}

# SQLite allows one writer at a time. A transaction that starts as a reader and then
# writes cannot wait for the lock and fails at once with "database is locked", so every
# transaction takes the write lock when it begins (IMMEDIATE) and waits up to 20 seconds
# for it. In WAL mode readers never wait for the writer, nor the writer for readers.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL",
}


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a DATABASES entry, using dj-database-url.

    sqlite:////absolute/path.sqlite3 (or sqlite:///relative.sqlite3) selects SQLite;
    postgres://user:password@host:port/name selects PostgreSQL, with any query
    parameters (such as ?sslmode=require) passed to the driver as options.
    """
    try:
        config = dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    except ValueError as error:  # includes dj-database-url's UnknownSchemeError
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from None
    if config["ENGINE"] not in SUPPORTED_DATABASE_ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start sqlite:// or postgres://, not {url.partition(':')[0]}://"
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = SQLITE_OPTIONS | config.get("OPTIONS", {})
    return dict(config)


DEBUG = env_bool("DJANGO_DEBUG", False)
# A developer's machine or the test suite: no real secrets, no TLS in front.
LOCAL = env_bool("DJANGO_LOCAL", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not LOCAL:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For local use set DJANGO_DEBUG=1 or DJANGO_LOCAL=1 (the Makefile does)."
        )
    # Only ever used on a developer's machine or in the test suite.
    SECRET_KEY = "local-development-key-not-for-production-use-0123456789abcdef"

if not DEBUG and not LOCAL and not env_list("DJANGO_ALLOWED_HOSTS", ""):
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off: the host names the "
        "site answers to, comma-separated (for example framework.example.org). "
        "For local use set DJANGO_DEBUG=1 or DJANGO_LOCAL=1 (the Makefile does)."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
# Only editors sign in, and only to the admin: after signing in with no usable "next"
# address, they land on its index (Django's default, /accounts/profile/, is no page).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

INSTALLED_APPS = [
    # Django's admin with the project's own default site, which answers hostile
    # requests with 4xx and serialises editors' writes (core/admin_guards.py).
    "core.admin_apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # The sitemap's view and template (framework/sitemaps.py).
    "django.contrib.sitemaps",
    "axes",
    "csp",
    "mptt",
    "simple_history",
    "core",
    "roles",
    "competences",
    "pathways",
    "framework",
    "interchange",
    "workforce",
]

MIDDLEWARE = [
    # The security headers first, so that every response made further in carries them:
    # redirects, static files, refusals and error pages as well as pages.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.serving.RequestSizeLimitMiddleware",
    "core.serving.StaticFilesMiddleware",
    # The version row, read at most once per request, for the page cache and the rest.
    "core.versioning.VersionMiddleware",
    # Cached pages are answered here, before the rest of the stack; every answer that
    # passes back out through it is compressed for clients that accept br or gzip.
    "core.page_cache.PageCacheMiddleware",
    "core.middleware.StripControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, so a public page answers any other method with 405 rather
    # than with the CSRF failure page.
    "core.middleware.SafeMethodsOnlyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets every historical record name the editor who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, so that its lockout page passes out through the security headers above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "framework_site.urls"

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
                "core.context_processors.site",
                "core.context_processors.framework_version",
            ],
            "libraries": {
                "addresses": "core.addresses",
                "capture": "core.capture",
                "navigation": "core.navigation",
            },
        },
    },
]

WSGI_APPLICATION = "framework_site.wsgi.application"
ASGI_APPLICATION = "framework_site.asgi.application"

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": dict(SQLITE_OPTIONS),
            # Every request reads the version row, so a connection is kept for a minute
            # rather than opened (and set to WAL) per request, as with DATABASE_URL.
            "CONN_MAX_AGE": int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whatever is cached must be seen by every process serving the site, or a process could
# answer from an entry another has replaced. With REDIS_URL, Redis is shared by every app
# server; without it, files in one folder are shared by the processes of one machine.
# Never a per-process (local memory) cache: see "Decisions" in the README. Both backends
# fail safe (core/cache.py): a cache that does not answer is a miss, never an error page.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "REDIS_URL must start redis://, rediss:// or unix://, "
            f"not {REDIS_URL.partition(':')[0]}:"
        )
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that has gone away fails a request within seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSafeFileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR") or str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

# What depends only on the content (a role's competence tables, the roles that rest on a
# standard) goes in the "content" cache: the same store, under keys that name the content
# generation (core/content_cache.py). In development, where templates change under a
# running server, and with DJANGO_CONTENT_CACHE off (to measure pages rendered from
# scratch), it is Django's dummy cache, which keeps nothing.
CONTENT_CACHE = env_bool("DJANGO_CONTENT_CACHE", True)
CACHES["content"] = (
    CACHES["default"]
    if CONTENT_CACHE and not DEBUG
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2 first: new passwords use it. The PBKDF2 hashers stay so that passwords saved
# before the change still work; Django rehashes them with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Failed admin sign-ins (django-axes). Axes' backend comes first, so a locked-out client
# is refused before any password is hashed. A lockout holds one username from one
# client address, so a person who forgets their password, or someone guessing, never
# locks out anyone else. Failures are counted in the database, which every app server
# shares, and a successful sign-in clears them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
# How many proxies in front of the site append to X-Forwarded-For: 0 means clients
# connect directly and REMOTE_ADDR is their address; 1 means the address the proxy
# added last. Anything a client writes into the header itself is ignored.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# Static files: our own, plus the compiled NHS.UK frontend that `make install` copies out
# of the npm package into build/frontend.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
FRONTEND_BUILD = BASE_DIR / "build" / "frontend"
STATICFILES_DIRS = [BASE_DIR / "static", FRONTEND_BUILD / "static"]
# The NHS.UK CSS asks for its icons at /assets/images/..., so those are served from the root.
WHITENOISE_ROOT = FRONTEND_BUILD / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "core.storage.StaticStorage"
            if env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are fetched only by browsers' developer tools; compressing them took most
# of collectstatic's time, for no reader's benefit.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Django's database sessions, except that a cookie that cannot be a session key (a NUL,
# which PostgreSQL refuses in a query, or anything over the key's 40 characters) is no
# session at all, as a made-up key would be.
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The only uploads are gap files (the team's training needs and "start from your last
# result"): held in memory and never written to disk, with each file's bytes dropped past
# its size limit (pathways/gap_files.py). Form fields without files stay small.
FILE_UPLOAD_HANDLERS = ["pathways.gap_files.GapFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The most fields a form or query string may carry: a role's admin page sends about six
# per required competence (over 600 for the largest role), and a self-assessment's
# address one per competence; twice the largest, with room for the framework to grow.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# The largest request body taken at all (framework_site/serving.py), refused with 413
# before it is read: above the framework import's 20 MB and the gap files' 2 MB, so those
# pages can still say for themselves that a file is too large.
MAX_REQUEST_BYTES = int(os.environ.get("DJANGO_MAX_REQUEST_BYTES", str(25 * 1024 * 1024)))

if not DEBUG and not LOCAL:
    # Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# Every script and style is a static file, so the policy needs no nonces and cached
# pages stay valid. Fonts come from the NHS asset host that the NHS.UK CSS names.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Log lines are JSON objects (framework_site/json_logging.py) for log collectors, or
# plain text for people reading a terminal; plain text is the default under DEBUG.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")

# Every handler carries the filter that keeps self-assessment answers (which travel in
# the address) out of the logs. Django's own "django" and "django.server" loggers are
# set here too, so its default handlers, which lack the filter, are replaced.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "hide_answers": {"()": "core.log_filters.HideAssessmentAnswers"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "text": {"format": "%(message)s"},
        "json": {"()": "core.json_logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["hide_answers"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["hide_answers"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "hide_answers"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

SERVICE_NAME = _("Non-custodial Career and Competence Framework")
# The published edition the content follows; documents and downloads carry it.
FRAMEWORK_EDITION = "2023"
FRAMEWORK_PUBLISHER = "NHS England"
# Open data carries this licence; the address is the licence owner's own page.
FRAMEWORK_LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
# Whole public pages are kept in the shared cache, keyed on the content generation that
# every content change replaces (framework_site/page_cache.py).
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", True)
PAGE_CACHE_SECONDS = 24 * 60 * 60
# The open data page's whole-framework files are built on a background thread after each
# content change, not on the first request for them (interchange/downloads.py).
BUILD_DOWNLOADS_AFTER_CHANGE = env_bool("DJANGO_BUILD_DOWNLOADS_AFTER_CHANGE", True)
# The project's own code: its digest names a release in page cache keys and ETags.
PROJECT_APPS = [
    "framework_site",
    "core",
    "competences",
    "roles",
    "pathways",
    "framework",
    "interchange",
    "workforce",
]
# The largest framework file the import accepts, from the command line or the admin.
FRAMEWORK_IMPORT_MAX_BYTES = 20 * 1024 * 1024
# The site's public address, used where an export must name its items with absolute
# addresses (CASE URIs). Exports are identical wherever they are made from.
PUBLIC_URL = os.environ.get("DJANGO_PUBLIC_URL", "http://localhost:8000").rstrip("/")
