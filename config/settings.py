"""Settings for 党建 (dangjian), read from the environment.

DANGJIAN_ENV=production turns on the production checks (see check_production below).
"""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("DANGJIAN_ENV", "development")
PRODUCTION = ENV == "production"
import sys

TESTING = os.environ.get("DANGJIAN_TESTING") == "1" or "pytest" in sys.modules

DEFAULT_SECRET_KEY = "dev-insecure-dangjian-secret-key-change-me"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
# Key for SM4 encryption of ID numbers and their blind index; separate from SECRET_KEY so that
# rotating sessions never makes the registry unreadable.
DEFAULT_FIELD_KEY = "dev-insecure-dangjian-field-key"
DANGJIAN_FIELD_KEY = os.environ.get("DANGJIAN_FIELD_KEY", DEFAULT_FIELD_KEY)
DEBUG = os.environ.get("DJANGO_DEBUG", "0" if PRODUCTION else "1") == "1"
DEMO = os.environ.get("DANGJIAN_DEMO", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "treebeard",
    "django_htmx",
    "axes",
    "auditlog",
    "huey.contrib.djhuey",
    "dangjian.core",
    "dangjian.orgs",
    "dangjian.accounts",
]
# Domain apps, in menu order. Each one is added when it exists, so the menu shows only built areas.
DOMAIN_APPS = [
    "members", "recruitment", "meetings", "points", "volunteers", "visits", "petitions",
    "care", "dues", "duties", "study", "elections", "standards", "notify", "reports", "portal", "privacy",
]
# DANGJIAN_EXCLUDE_APPS=a,b leaves apps out (development only: e.g. while one is half-built).
_EXCLUDED = set(filter(None, os.environ.get("DANGJIAN_EXCLUDE_APPS", "").split(",")))
INSTALLED_APPS += [f"dangjian.{a}" for a in DOMAIN_APPS
                   if a not in _EXCLUDED and (BASE_DIR / "dangjian" / a / "apps.py").exists()]

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
    "dangjian.core.middleware.RequestContextMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "dangjian.core.context_processors.shell",
            ],
        },
    },
]

# --- Database: embedded SQLite by default, PostgreSQL through DATABASE_URL ---
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    if db["ENGINE"] == "django.db.backends.postgresql" and not TESTING:
        # Django's own psycopg 3 pool; persistent connections must then stay off.
        db.setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": int(os.environ.get("DB_POOL_MAX", "10"))}
    DATABASES = {"default": db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "data" / "dangjian.sqlite3")),
            "OPTIONS": {
                # WAL + busy_timeout + IMMEDIATE: concurrent readers, writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Write-behind QR sign-in (issue 13; dangjian/meetings/checkin_queue.py): on with a Redis URL ---
# Empty: every check-in is written synchronously. Production Redis should run with appendonly (deploy/). The
# test suite turns it on per test (meetings/tests/queue_helpers.py), not from REDIS_URL.
CHECKIN_QUEUE_URL = os.environ.get("CHECKIN_QUEUE_URL", "" if TESTING else REDIS_URL)
CHECKIN_QUEUE_PREFIX = os.environ.get("CHECKIN_QUEUE_PREFIX", "dj:")

# --- Background jobs: Huey, SQLite storage by default, Redis in production ---
if REDIS_URL:
    # utc=False: crontabs are read in Asia/Shanghai ("01:30" means 01:30 Beijing time).
    HUEY = {"huey_class": "huey.RedisHuey", "name": "dangjian", "url": REDIS_URL, "immediate": TESTING, "utc": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "dangjian",
        "filename": os.environ.get("HUEY_SQLITE_PATH", str(BASE_DIR / "data" / "huey.sqlite3")),
        "immediate": TESTING,
        "utc": False,
    }

# --- Auth ---
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dangjian.accounts.validators.MixedCharactersValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if TESTING else
    ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
)
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
# django-axes: 5 failures lock the username+IP for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dangjian.accounts.lockout.lockout_response"
AXES_VERBOSE = False
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
# How many reverse proxies of ours append to X-Forwarded-For (1 behind one nginx); 0 = ignore the header.
DANGJIAN_TRUSTED_PROXIES = int(os.environ.get("DANGJIAN_TRUSTED_PROXIES", "0"))

# --- i18n ---
LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["config.formats"]  # ISO dates first: <input type="date"> shows nothing else
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "data" / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "data" / ("test-media" if TESTING else "media"))))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WHITENOISE_USE_FINDERS = DEBUG or TESTING

if PRODUCTION:
    SESSION_COOKIE_SECURE = os.environ.get("DJANGO_INSECURE_COOKIES") != "1"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

NINJA_PAGINATION_MAX_LIMIT = 200

# --- security (issue 14) -------------------------------------------------------------------------------
# CSP with a per-request nonce ({{ csp_nonce }}), idle timeout and the whole-body upload limit:
# dangjian/core/security.py. Admin TOTP: dangjian/accounts/totp.py.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "dangjian.core.security.UploadLimitMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "dangjian.core.security.SecurityHeadersMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "dangjian.core.security.IdleTimeoutMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("dangjian.core.security.IdleTimeoutMiddleware") + 1,
                  "dangjian.accounts.twofactor.AdminTwoFactorMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("dangjian.core.security.csp_nonce")
# Strict script-src (nonce only, no inline handlers; see security.py). DANGJIAN_CSP_STRICT=0 switches back.
CSP_STRICT_SCRIPTS = os.environ.get("DANGJIAN_CSP_STRICT", "1") != "0"
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))  # seconds; 0 = off
DANGJIAN_MAX_REQUEST_BYTES = int(os.environ.get("DANGJIAN_MAX_REQUEST_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Password policy: ≥ 10 characters, letters with digits or symbols, not common, not like the username; Chinese messages.
AUTH_PASSWORD_VALIDATORS = [{"NAME": f"dangjian.accounts.validators.{name}", "OPTIONS": options} for name, options in [
    ("UserAttributeSimilarityValidator", {}), ("MinimumLengthValidator", {"min_length": 10}),
    ("CommonPasswordValidator", {}), ("NumericPasswordValidator", {}), ("MixedCharactersValidator", {})]]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page (hx-headers), not from the cookie
# TOTP for administrators: required at login once enrolled; enrolment forced in production.
DANGJIAN_REQUIRE_ADMIN_2FA = os.environ.get("DANGJIAN_REQUIRE_ADMIN_2FA", "1" if PRODUCTION else "0") == "1"
# Audit events are kept at least this many days (≥ 183, enforced by privacy.retention); then purged.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
if PRODUCTION:
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
# --- end security (issue 14) ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "ERROR" if TESTING else "WARNING")},
    "loggers": {"axes": {"level": "ERROR" if TESTING else "WARNING"}},
}


def check_production() -> list[str]:
    """Reasons the production settings refuse to start (empty when fine)."""
    problems = []
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("DJANGO_SECRET_KEY 未设置或过短（至少 32 个字符）")
    if DANGJIAN_FIELD_KEY == DEFAULT_FIELD_KEY or len(DANGJIAN_FIELD_KEY) < 32:
        problems.append("DANGJIAN_FIELD_KEY 未设置或过短（至少 32 个字符）")
    if DEBUG:
        problems.append("生产环境不得开启 DEBUG")
    if DEMO:
        problems.append("生产环境不得开启演示模式（DANGJIAN_DEMO）")
    return problems


if PRODUCTION:
    _problems = check_production()
    if _problems:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("生产配置不安全，拒绝启动：" + "；".join(_problems))


# --- replica (issue 13) -------------------------------------------------------------------------------------
# DATABASE_REPLICA_URL=postgres://…:5433/… (a streaming replica, deploy/replica/): reads go to the replica,
# a request sticks to the primary after its first write (dangjian.core.dbrouter). Unset: one database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=0)
    if _replica["ENGINE"] == "django.db.backends.postgresql" and not TESTING:
        _replica.setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": int(os.environ.get("DB_POOL_MAX", "10"))}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["dangjian.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(0, "dangjian.core.dbrouter.StickyPrimaryMiddleware")
