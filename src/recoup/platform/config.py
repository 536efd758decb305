"""Read Recoup's settings from the environment, with one clear sentence for every bad value.

Everything an operator can set lives here, so `recoup check`, the settings module and the
README table agree. Nothing in this module imports Django.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url

from recoup.core.business_dates import UnknownZone, zone
from recoup.core.compliance.disclosures import DISCLOSURES, InvalidDisclosure, TimeBarredDisclosure, parse_overrides
from recoup.core.compliance.location import UnknownLocation

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
SQLITE_SCHEMES = frozenset({"sqlite"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


class ConfigurationError(Exception):
    """A setting has a value Recoup cannot run with; the message names the setting and why."""

    def __init__(self, setting: str, reason: str) -> None:
        self.setting = setting
        self.reason = reason
        super().__init__(f"{setting}: {reason}")


@dataclass(frozen=True)
class EmailConfig:
    """Where outgoing mail goes. With no EMAIL_HOST, mail is written to files in the data directory."""

    backend: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    use_tls: bool
    use_ssl: bool
    default_from: str
    file_path: Path


@dataclass(frozen=True)
class ImportLimits:
    """How big an import file may be, checked before it is read and while it is read (docs/import-formats.md)."""

    file_bytes: int = 512 * 1024 * 1024
    """The file as uploaded (RECOUP_IMPORT_MAX_FILE_MB)."""
    uncompressed_bytes: int = 2048 * 1024 * 1024
    """An Excel workbook's parts once unzipped, added up (RECOUP_IMPORT_MAX_UNCOMPRESSED_MB)."""
    whole_parts_bytes: int = 256 * 1024 * 1024
    """An Excel workbook's parts read whole into memory, unzipped and added up: its shared strings, styles
    and everything else but its sheets, which are read a row at a time (RECOUP_IMPORT_MAX_SHARED_MB)."""
    rows: int = 1_000_000
    """Data rows in one file (RECOUP_IMPORT_MAX_ROWS)."""
    cell_chars: int = 10_000
    """Characters in one value, a header included (RECOUP_IMPORT_MAX_CELL_CHARS)."""


IMPORT_LIMIT_SETTINGS = {
    "file_bytes": "RECOUP_IMPORT_MAX_FILE_MB",
    "uncompressed_bytes": "RECOUP_IMPORT_MAX_UNCOMPRESSED_MB",
    "whole_parts_bytes": "RECOUP_IMPORT_MAX_SHARED_MB",
    "rows": "RECOUP_IMPORT_MAX_ROWS",
    "cell_chars": "RECOUP_IMPORT_MAX_CELL_CHARS",
}


def parse_import_limits(environ: Mapping[str, str]) -> ImportLimits:
    """RECOUP_IMPORT_MAX_FILE_MB, _UNCOMPRESSED_MB, _SHARED_MB, _ROWS and _CELL_CHARS: whole numbers, at least 1."""
    default = ImportLimits()
    mb = 1024 * 1024
    return ImportLimits(
        file_bytes=parse_int(environ, "RECOUP_IMPORT_MAX_FILE_MB", default=default.file_bytes // mb, minimum=1) * mb,
        uncompressed_bytes=parse_int(
            environ, "RECOUP_IMPORT_MAX_UNCOMPRESSED_MB", default=default.uncompressed_bytes // mb, minimum=1
        )
        * mb,
        whole_parts_bytes=parse_int(
            environ, "RECOUP_IMPORT_MAX_SHARED_MB", default=default.whole_parts_bytes // mb, minimum=1
        )
        * mb,
        rows=parse_int(environ, "RECOUP_IMPORT_MAX_ROWS", default=default.rows, minimum=1),
        cell_chars=parse_int(environ, "RECOUP_IMPORT_MAX_CELL_CHARS", default=default.cell_chars, minimum=1),
    )


@dataclass(frozen=True)
class Config:
    """Every setting Recoup reads from its environment, parsed and checked."""

    data_dir: Path
    database: dict[str, Any]
    database_url: str
    database_is_default: bool
    secret_key: str = field(repr=False)
    debug: bool
    allowed_hosts: tuple[str, ...]
    csrf_trusted_origins: tuple[str, ...]
    celery_broker_url: str | None
    email: EmailConfig
    secure_cookies: bool
    hsts_seconds: int
    ssl_redirect: bool
    behind_proxy: bool
    log_level: str
    collector_name: str = ""
    """The collecting firm's name as validation notices print it (RECOUP_COLLECTOR_NAME)."""
    collector_address: str = ""
    """Where consumers send disputes, lines separated by '|' (RECOUP_COLLECTOR_ADDRESS)."""
    public_url: str = "http://localhost:8000"
    """Where debtors reach the site, for links in messages such as unsubscribe (RECOUP_PUBLIC_URL)."""
    collector_phone: str = ""
    """The phone number messages give debtors (RECOUP_COLLECTOR_PHONE)."""
    sms: SmsConfig | None = None
    """The SMS provider (RECOUP_SMS_*); None: the development backend, which sends nothing."""
    bounce_secret: str = field(default="", repr=False)
    """The shared secret the mail provider's bounce webhook sends (RECOUP_BOUNCE_SECRET); empty: no hook."""
    reporting_currency: str = "USD"
    """The currency the queue compares balances in (RECOUP_REPORTING_CURRENCY)."""
    queue_rates: tuple[tuple[str, Decimal], ...] = ()
    """Units of the reporting currency per unit of each other currency (RECOUP_QUEUE_RATES), for ordering."""
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    """How big an import file may be (RECOUP_IMPORT_MAX_*)."""
    unknown_location: UnknownLocation = UnknownLocation.BLOCK
    """What the gate does when nothing indicates where a debtor is (RECOUP_UNKNOWN_LOCATION, docs/compliance.md)."""
    time_zone: str = "UTC"
    """The office zone (RECOUP_TIME_ZONE): staff pages' "today", and the business zone of a creditor with none."""
    time_barred_disclosures: Mapping[tuple[str, str], TimeBarredDisclosure] = field(
        default_factory=lambda: dict(DISCLOSURES), compare=False
    )
    """The time-barred disclosures by (country, region): Recoup's, reworded or added to by the JSON file
    RECOUP_TIME_BARRED_DISCLOSURES names (docs/compliance.md)."""

    @property
    def database_vendor(self) -> str:
        return "sqlite" if self.database["ENGINE"].endswith("sqlite3") else "postgresql"

    @property
    def database_url_redacted(self) -> str:
        return redact_url(self.database_url)


def redact_url(url: str) -> str:
    """Return the URL with any password replaced by ***, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def parse_bool(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(name, f"'{raw}' is not a yes/no value; use 1 or 0 (true/false, yes/no)")


def parse_int(environ: Mapping[str, str], name: str, *, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(name, f"'{raw}' is not a whole number") from None
    if value < minimum:
        raise ConfigurationError(name, f"{value} is below the minimum of {minimum}")
    return value


def parse_list(environ: Mapping[str, str], name: str, *, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = environ.get(name)
    if raw is None:
        return default
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if not items:
        raise ConfigurationError(name, "is set but empty; give a comma-separated list")
    return items


def resolve_data_dir(environ: Mapping[str, str], cwd: Path) -> Path:
    """The data directory: ./var by default (created), or RECOUP_DATA_DIR, which must exist."""
    raw = environ.get("RECOUP_DATA_DIR")
    if raw is None or raw.strip() == "":
        data_dir = (cwd / "var").resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        return data_dir
    data_dir = Path(raw).expanduser()
    if not data_dir.is_absolute():
        data_dir = (cwd / data_dir).resolve()
    if not data_dir.is_dir():
        raise ConfigurationError(
            "RECOUP_DATA_DIR",
            f"the directory {data_dir} does not exist; create it or unset the setting",
        )
    if not os.access(data_dir, os.W_OK):
        raise ConfigurationError("RECOUP_DATA_DIR", f"the directory {data_dir} is not writable")
    return data_dir


def parse_database(environ: Mapping[str, str], data_dir: Path) -> tuple[dict[str, Any], str, bool]:
    raw = environ.get("DATABASE_URL", "").strip()
    is_default = raw == ""
    url = f"sqlite:///{data_dir / 'recoup.sqlite3'}" if is_default else raw
    scheme = urlsplit(url).scheme.lower()
    if scheme in SQLITE_SCHEMES:
        try:
            database: dict[str, Any] = dict(dj_database_url.parse(url))
        except ValueError as exc:
            raise ConfigurationError("DATABASE_URL", f"cannot be read ({exc})") from None
        name = str(database.get("NAME") or "")
        if name in ("", ":memory:"):
            raise ConfigurationError(
                "DATABASE_URL",
                "a SQLite URL needs a file path, such as sqlite:////srv/recoup/db.sqlite3",
            )
        if not Path(name).parent.is_dir():
            raise ConfigurationError("DATABASE_URL", f"the folder for the SQLite file {name} does not exist")
        database["OPTIONS"] = {
            # WAL lets the web server read while a job writes; IMMEDIATE takes the write lock at
            # the start of a transaction so two writers queue instead of failing half-way.
            "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif scheme in POSTGRES_SCHEMES:
        database = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        if not database.get("NAME"):
            raise ConfigurationError(
                "DATABASE_URL",
                "a PostgreSQL URL needs a database name, such as postgresql://host/recoup",
            )
        database["OPTIONS"] = {"connect_timeout": 5}
    else:
        shown = scheme or "(none)"
        raise ConfigurationError(
            "DATABASE_URL",
            f"the scheme '{shown}' is not supported; use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user@host:5432/name",
        )
    return database, url, is_default


def load_secret_key(environ: Mapping[str, str], data_dir: Path) -> str:
    """SECRET_KEY from the environment, else from data_dir/secret_key, generated once."""
    raw = environ.get("SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ConfigurationError("SECRET_KEY", "is shorter than 32 characters; use a long random value")
        return raw
    key_file = data_dir / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            raise ConfigurationError("SECRET_KEY", f"the key in {key_file} is too short; delete the file")
        return key
    key = secrets.token_urlsafe(50)
    # Write to a temporary name and rename, so a crash never leaves an empty key file behind.
    tmp = key_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    os.replace(tmp, key_file)
    return key


def parse_email(environ: Mapping[str, str], data_dir: Path) -> EmailConfig:
    host = environ.get("EMAIL_HOST", "").strip()
    use_tls = parse_bool(environ, "EMAIL_USE_TLS", default=False)
    use_ssl = parse_bool(environ, "EMAIL_USE_SSL", default=False)
    if use_tls and use_ssl:
        raise ConfigurationError("EMAIL_USE_SSL", "cannot be on together with EMAIL_USE_TLS; choose one")
    default_from = environ.get("DEFAULT_FROM_EMAIL", "Recoup <recoup@localhost>").strip()
    if "@" not in default_from:
        raise ConfigurationError("DEFAULT_FROM_EMAIL", f"'{default_from}' is not an email address")
    backend = (
        "django.core.mail.backends.smtp.EmailBackend" if host else "django.core.mail.backends.filebased.EmailBackend"
    )
    return EmailConfig(
        backend=backend,
        host=host or "localhost",
        port=parse_int(environ, "EMAIL_PORT", default=465 if use_ssl else (587 if use_tls else 25), minimum=1),
        user=environ.get("EMAIL_HOST_USER", ""),
        password=environ.get("EMAIL_HOST_PASSWORD", ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        default_from=default_from,
        file_path=data_dir / "mail",
    )


def parse_broker(environ: Mapping[str, str]) -> str | None:
    raw = environ.get("CELERY_BROKER_URL", "").strip()
    if not raw:
        return None
    scheme = urlsplit(raw).scheme.lower()
    if scheme not in {"redis", "rediss", "amqp", "amqps", "pyamqp"}:
        raise ConfigurationError(
            "CELERY_BROKER_URL",
            f"the scheme '{scheme or '(none)'}' is not supported; use redis:// or amqp://",
        )
    return raw


def load_config(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Config:
    """Parse every setting; raise ConfigurationError naming the first bad one."""
    env = os.environ if environ is None else environ
    data_dir = resolve_data_dir(env, cwd or Path.cwd())
    database, database_url, database_is_default = parse_database(env, data_dir)
    debug = parse_bool(env, "RECOUP_DEBUG", default=False)
    log_level = env.get("RECOUP_LOG_LEVEL", "INFO").strip().upper()
    if log_level not in LOG_LEVELS:
        raise ConfigurationError("RECOUP_LOG_LEVEL", f"'{log_level}' is not one of {', '.join(sorted(LOG_LEVELS))}")
    origins = parse_list(env, "CSRF_TRUSTED_ORIGINS", default=())
    for origin in origins:
        if urlsplit(origin).scheme not in {"http", "https"}:
            raise ConfigurationError("CSRF_TRUSTED_ORIGINS", f"'{origin}' must start with https:// or http://")
    return Config(
        data_dir=data_dir,
        database=database,
        database_url=database_url,
        database_is_default=database_is_default,
        secret_key=load_secret_key(env, data_dir),
        debug=debug,
        allowed_hosts=parse_list(env, "ALLOWED_HOSTS", default=DEFAULT_ALLOWED_HOSTS),
        csrf_trusted_origins=origins,
        celery_broker_url=parse_broker(env),
        email=parse_email(env, data_dir),
        secure_cookies=parse_bool(env, "RECOUP_SECURE_COOKIES", default=not debug),
        hsts_seconds=parse_int(env, "RECOUP_HSTS_SECONDS", default=0),
        ssl_redirect=parse_bool(env, "RECOUP_SSL_REDIRECT", default=False),
        behind_proxy=parse_bool(env, "RECOUP_BEHIND_PROXY", default=False),
        log_level=log_level,
        collector_name=env.get("RECOUP_COLLECTOR_NAME", "").strip(),
        collector_address=env.get("RECOUP_COLLECTOR_ADDRESS", "").strip(),
        public_url=_public_url(env),
        collector_phone=env.get("RECOUP_COLLECTOR_PHONE", "").strip(),
        sms=parse_sms(env),
        bounce_secret=_bounce_secret(env),
        reporting_currency=_reporting_currency(env),
        queue_rates=parse_rates(env, _reporting_currency(env)),
        import_limits=parse_import_limits(env),
        unknown_location=parse_unknown_location(env),
        time_zone=parse_time_zone(env),
        time_barred_disclosures=parse_time_barred_disclosures(env),
    )


def parse_time_barred_disclosures(environ: Mapping[str, str]) -> dict[tuple[str, str], TimeBarredDisclosure]:
    """RECOUP_TIME_BARRED_DISCLOSURES: the path of a JSON file with the firm's wording of the time-barred
    disclosures (`core.compliance.disclosures.parse_overrides`); unset, Recoup's own table."""
    name = "RECOUP_TIME_BARRED_DISCLOSURES"
    raw = environ.get(name, "").strip()
    if not raw:
        return dict(DISCLOSURES)
    path = Path(raw).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(name, f"no file at {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(name, f"cannot read {path}: {error}") from None
    try:
        return parse_overrides(text)
    except InvalidDisclosure as error:
        raise ConfigurationError(name, f"{path}: {error}") from None


def parse_time_zone(environ: Mapping[str, str]) -> str:
    """RECOUP_TIME_ZONE: an IANA zone such as Europe/London; UTC when unset."""
    raw = environ.get("RECOUP_TIME_ZONE", "").strip()
    if not raw:
        return "UTC"
    try:
        zone(raw)
    except UnknownZone as error:
        raise ConfigurationError("RECOUP_TIME_ZONE", str(error)) from None
    return raw


def parse_unknown_location(environ: Mapping[str, str]) -> UnknownLocation:
    """RECOUP_UNKNOWN_LOCATION: `block` (the default) or `widest-overlap`."""
    raw = environ.get("RECOUP_UNKNOWN_LOCATION", "").strip().lower()
    if not raw:
        return UnknownLocation.BLOCK
    try:
        return UnknownLocation(raw)
    except ValueError:
        choices = " or ".join(f"'{policy.value}'" for policy in UnknownLocation)
        raise ConfigurationError(
            "RECOUP_UNKNOWN_LOCATION",
            f"'{raw}' is not a policy for a debtor whose location is unknown; use {choices}",
        ) from None


# Approximate rates for ordering the queue only (never for money that moves): units of USD per unit.
DEFAULT_QUEUE_RATES = "GBP=1.27,EUR=1.08,CAD=0.73,AUD=0.66,NZD=0.60"


def _reporting_currency(environ: Mapping[str, str]) -> str:
    code = environ.get("RECOUP_REPORTING_CURRENCY", "").strip().upper() or "USD"
    if len(code) != 3 or not code.isalpha():
        raise ConfigurationError("RECOUP_REPORTING_CURRENCY", f"'{code}' is not a currency code such as USD")
    return code


def parse_rates(environ: Mapping[str, str], reporting: str) -> tuple[tuple[str, Decimal], ...]:
    """RECOUP_QUEUE_RATES: "GBP=1.27,AUD=0.66", units of the reporting currency per unit of each.

    The reporting currency itself is always 1. Unset: DEFAULT_QUEUE_RATES (when reporting in USD)."""
    name = "RECOUP_QUEUE_RATES"
    raw = environ.get(name)
    if raw is None:
        raw = DEFAULT_QUEUE_RATES if reporting == "USD" else ""
    rates: dict[str, Decimal] = {reporting: Decimal(1)}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        code, sep, text = item.partition("=")
        code = code.strip().upper()
        if not sep or len(code) != 3 or not code.isalpha():
            raise ConfigurationError(name, f"'{item}' is not CODE=RATE, such as GBP=1.27")
        try:
            rate = Decimal(text.strip())
        except InvalidOperation:
            raise ConfigurationError(name, f"'{text.strip()}' (for {code}) is not a number") from None
        if not rate.is_finite() or rate <= 0:
            raise ConfigurationError(name, f"the rate for {code} must be more than zero")
        if code == reporting and rate != 1:
            raise ConfigurationError(name, f"{code} is the reporting currency; its rate is 1")
        rates[code] = rate
    return tuple(sorted(rates.items()))


def _bounce_secret(environ: Mapping[str, str]) -> str:
    secret = environ.get("RECOUP_BOUNCE_SECRET", "").strip()
    if secret and len(secret) < 24:
        raise ConfigurationError("RECOUP_BOUNCE_SECRET", "must be at least 24 characters (a random string)")
    return secret


@dataclass(frozen=True)
class SmsConfig:
    """A Twilio-compatible SMS API: where it is, the account and its secret, the number we send from."""

    api_url: str
    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str = ""


def parse_sms(environ: Mapping[str, str]) -> SmsConfig | None:
    """RECOUP_SMS_PROVIDER=twilio needs the account, the token and the sending number; unset or
    "development" records texts in the outbox without sending them."""
    provider = environ.get("RECOUP_SMS_PROVIDER", "").strip().lower()
    if provider in ("", "development"):
        return None
    if provider != "twilio":
        raise ConfigurationError("RECOUP_SMS_PROVIDER", f"'{provider}' is not twilio or development")
    values = {}
    for name in ("RECOUP_SMS_ACCOUNT_SID", "RECOUP_SMS_AUTH_TOKEN", "RECOUP_SMS_FROM"):
        values[name] = environ.get(name, "").strip()
        if not values[name]:
            raise ConfigurationError(name, "must be set when RECOUP_SMS_PROVIDER is twilio")
    url = environ.get("RECOUP_SMS_API_URL", "").strip().rstrip("/") or "https://api.twilio.com"
    if urlsplit(url).scheme not in {"https", "http"}:
        raise ConfigurationError("RECOUP_SMS_API_URL", f"'{url}' must start with https://")
    return SmsConfig(
        api_url=url,
        account_sid=values["RECOUP_SMS_ACCOUNT_SID"],
        auth_token=values["RECOUP_SMS_AUTH_TOKEN"],
        from_number=values["RECOUP_SMS_FROM"],
    )


# What a member of staff reads when a letter or notice cannot be made for want of the sender's identity.
NO_COLLECTOR_IDENTITY = (
    "Letters cannot be made yet: the name and postal address they are sent from are not set up. "
    "Ask an administrator to set them (docs/operations.md, 'Letters: who they are from')."
)


def _public_url(environ: Mapping[str, str]) -> str:
    url = environ.get("RECOUP_PUBLIC_URL", "").strip().rstrip("/") or "http://localhost:8000"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError("RECOUP_PUBLIC_URL", f"'{url}' must be an address such as https://pay.example.com")
    return url
