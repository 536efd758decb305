"""Settings come from the environment; each bad value is one sentence naming the setting."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from recoup.platform.config import ConfigurationError, load_config, redact_url


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


def env(data_dir: Path, **values: str) -> dict[str, str]:
    return {"RECOUP_DATA_DIR": str(data_dir), **values}


class TestDefaults:
    def test_defaults_to_a_sqlite_file_in_the_data_directory_in_wal_mode(self, data_dir: Path) -> None:
        config = load_config(env(data_dir), cwd=data_dir)
        assert config.database["ENGINE"] == "django.db.backends.sqlite3"
        assert config.database["NAME"] == str(data_dir / "recoup.sqlite3")
        assert "journal_mode=WAL" in config.database["OPTIONS"]["init_command"]
        assert config.database_is_default

    def test_debug_is_off_and_cookies_are_secure_by_default(self, data_dir: Path) -> None:
        config = load_config(env(data_dir), cwd=data_dir)
        assert config.debug is False
        assert config.secure_cookies is True
        assert config.celery_broker_url is None

    def test_default_data_directory_is_var_under_the_working_directory(self, tmp_path: Path) -> None:
        config = load_config({}, cwd=tmp_path)
        assert config.data_dir == (tmp_path / "var").resolve()
        assert config.data_dir.is_dir()

    def test_without_an_smtp_host_mail_is_kept_in_files(self, data_dir: Path) -> None:
        config = load_config(env(data_dir), cwd=data_dir)
        assert config.email.backend.endswith("filebased.EmailBackend")
        assert config.email.file_path == data_dir / "mail"


class TestSecretKey:
    def test_is_generated_once_into_the_data_directory_and_reused(self, data_dir: Path) -> None:
        first = load_config(env(data_dir), cwd=data_dir).secret_key
        second = load_config(env(data_dir), cwd=data_dir).secret_key
        key_file = data_dir / "secret_key"
        assert first == second
        assert len(first) >= 50
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    def test_environment_value_wins_and_nothing_is_written(self, data_dir: Path) -> None:
        config = load_config(env(data_dir, SECRET_KEY="k" * 40), cwd=data_dir)
        assert config.secret_key == "k" * 40
        assert not (data_dir / "secret_key").exists()

    def test_a_short_key_is_refused(self, data_dir: Path) -> None:
        with pytest.raises(ConfigurationError, match="SECRET_KEY: is shorter than 32"):
            load_config(env(data_dir, SECRET_KEY="short"), cwd=data_dir)


class TestBadValues:
    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"DATABASE_URL": "mysql://root@localhost/recoup"}, "DATABASE_URL: the scheme 'mysql'"),
            ({"DATABASE_URL": "not a url"}, "DATABASE_URL: the scheme '(none)'"),
            (
                {"DATABASE_URL": "postgresql://localhost"},
                "DATABASE_URL: a PostgreSQL URL needs a database",
            ),
            ({"DATABASE_URL": "sqlite:////no/such/folder/x.db"}, "DATABASE_URL: the folder"),
            ({"RECOUP_DEBUG": "maybe"}, "RECOUP_DEBUG: 'maybe' is not a yes/no value"),
            (
                {"RECOUP_HSTS_SECONDS": "a year"},
                "RECOUP_HSTS_SECONDS: 'a year' is not a whole number",
            ),
            ({"RECOUP_HSTS_SECONDS": "-5"}, "RECOUP_HSTS_SECONDS: -5 is below the minimum"),
            ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS: is set but empty"),
            ({"CELERY_BROKER_URL": "kafka://x"}, "CELERY_BROKER_URL: the scheme 'kafka'"),
            ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_SSL: cannot be on together"),
            ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT: 'smtp' is not a whole number"),
            ({"DEFAULT_FROM_EMAIL": "nobody"}, "DEFAULT_FROM_EMAIL: 'nobody' is not an email"),
            ({"RECOUP_LOG_LEVEL": "LOUD"}, "RECOUP_LOG_LEVEL: 'LOUD' is not one of"),
            (
                {"CSRF_TRUSTED_ORIGINS": "example.com"},
                "CSRF_TRUSTED_ORIGINS: 'example.com' must start",
            ),
            (
                {"RECOUP_UNKNOWN_LOCATION": "assume-new-york"},
                "RECOUP_UNKNOWN_LOCATION: 'assume-new-york' is not a policy for a debtor whose location is unknown; "
                "use 'block' or 'widest-overlap'",
            ),
        ],
    )
    def test_is_refused_with_a_sentence_naming_the_setting(
        self, data_dir: Path, values: dict[str, str], message: str
    ) -> None:
        with pytest.raises(ConfigurationError) as caught:
            load_config(env(data_dir, **values), cwd=data_dir)
        assert str(caught.value).startswith(message)
        assert caught.value.setting == message.split(":")[0]

    def test_a_missing_data_directory_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigurationError, match="RECOUP_DATA_DIR: the directory .* does not exist"):
            load_config({"RECOUP_DATA_DIR": str(tmp_path / "absent")}, cwd=tmp_path)


class TestPostgres:
    def test_a_postgres_url_is_parsed_with_a_connect_timeout(self, data_dir: Path) -> None:
        config = load_config(env(data_dir, DATABASE_URL="postgresql://app:pw@db:5432/recoup"), cwd=data_dir)
        assert config.database["ENGINE"] == "django.db.backends.postgresql"
        assert config.database["NAME"] == "recoup"
        assert config.database["OPTIONS"]["connect_timeout"] == 5
        assert config.database_vendor == "postgresql"

    def test_passwords_are_never_shown(self) -> None:
        assert redact_url("postgresql://app:s3cret@db/recoup") == "postgresql://app:***@db/recoup"
        assert redact_url("postgresql://app@db/recoup") == "postgresql://app@db/recoup"


class TestSecurityToggles:
    def test_debug_turns_secure_cookies_off_unless_asked(self, data_dir: Path) -> None:
        assert load_config(env(data_dir, RECOUP_DEBUG="1"), cwd=data_dir).secure_cookies is False
        forced = load_config(env(data_dir, RECOUP_DEBUG="1", RECOUP_SECURE_COOKIES="yes"), cwd=data_dir)
        assert forced.secure_cookies is True

    def test_hsts_and_proxy_are_read(self, data_dir: Path) -> None:
        config = load_config(env(data_dir, RECOUP_HSTS_SECONDS="31536000", RECOUP_BEHIND_PROXY="true"), cwd=data_dir)
        assert config.hsts_seconds == 31536000
        assert config.behind_proxy is True


class TestMessaging:
    def test_texts_go_to_the_development_backend_unless_a_provider_is_configured(self, data_dir: Path) -> None:
        assert load_config(env(data_dir), cwd=data_dir).sms is None
        config = load_config(
            env(
                data_dir,
                RECOUP_SMS_PROVIDER="twilio",
                RECOUP_SMS_ACCOUNT_SID="AC1",
                RECOUP_SMS_AUTH_TOKEN="tok",
                RECOUP_SMS_FROM="+15005550006",
            ),
            cwd=data_dir,
        )
        assert config.sms is not None
        assert (config.sms.api_url, config.sms.from_number) == ("https://api.twilio.com", "+15005550006")
        assert "tok" not in repr(config.sms)

    @pytest.mark.parametrize(
        ("values", "named"),
        [
            ({"RECOUP_SMS_PROVIDER": "carrier-pigeon"}, "RECOUP_SMS_PROVIDER"),
            ({"RECOUP_SMS_PROVIDER": "twilio", "RECOUP_SMS_ACCOUNT_SID": "AC1"}, "RECOUP_SMS_AUTH_TOKEN"),
            ({"RECOUP_PUBLIC_URL": "pay.example.com"}, "RECOUP_PUBLIC_URL"),
        ],
    )
    def test_a_bad_setting_is_named(self, data_dir: Path, values: dict[str, str], named: str) -> None:
        with pytest.raises(ConfigurationError, match=named):
            load_config(env(data_dir, **values), cwd=data_dir)


class TestQueueRates:
    def test_default_rates_order_in_usd(self, data_dir: Path) -> None:
        from decimal import Decimal

        rates = dict(load_config(env(data_dir), cwd=data_dir).queue_rates)
        assert (rates["USD"], rates["GBP"], rates["AUD"]) == (Decimal(1), Decimal("1.27"), Decimal("0.66"))

    def test_rates_are_decimals_and_a_bad_one_is_named(self, data_dir: Path) -> None:
        from decimal import Decimal

        config = load_config(
            env(data_dir, RECOUP_REPORTING_CURRENCY="gbp", RECOUP_QUEUE_RATES="USD=0.79"), cwd=data_dir
        )
        assert (config.reporting_currency, dict(config.queue_rates)) == ("GBP", {"GBP": 1, "USD": Decimal("0.79")})
        with pytest.raises(ConfigurationError, match=r"RECOUP_QUEUE_RATES: 'abc' \(for GBP\) is not a number"):
            load_config(env(data_dir, RECOUP_QUEUE_RATES="GBP=abc"), cwd=data_dir)
        with pytest.raises(ConfigurationError, match="RECOUP_QUEUE_RATES: the rate for AUD must be more than zero"):
            load_config(env(data_dir, RECOUP_QUEUE_RATES="AUD=0"), cwd=data_dir)


class TestUnknownLocation:
    def test_blocks_by_default_and_reads_the_other_policy(self, data_dir: Path) -> None:
        from recoup.core.compliance import UnknownLocation

        assert load_config(env(data_dir), cwd=data_dir).unknown_location is UnknownLocation.BLOCK
        assert load_config(env(data_dir, RECOUP_UNKNOWN_LOCATION=""), cwd=data_dir).unknown_location is (
            UnknownLocation.BLOCK
        )
        chosen = load_config(env(data_dir, RECOUP_UNKNOWN_LOCATION=" Widest-Overlap "), cwd=data_dir)
        assert chosen.unknown_location is UnknownLocation.WIDEST_OVERLAP
