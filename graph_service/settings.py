"""Settings, read once from the environment."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from graph_service.errors import ConfigurationError

BOLT_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
EMBEDDED_DATABASE = "graph"
MIN_SECRET_LENGTH = 32
# An origin as browsers send it: scheme, host and optional port, no path, no trailing slash.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    graph_uri: str | None = Field(default=None, description="Bolt URI; unset starts the engine")
    graph_user: str = "neo4j"
    graph_password: SecretStr | None = None
    graph_database: str | None = None
    data_dir: Path = Path("data")
    env: Literal["development", "production"] = "development"
    auth_secret: SecretStr | None = None
    auth_public_key: str | None = Field(default=None, description="PEM key to accept RS256")
    auth_issuer: str | None = Field(default=None, description="required `iss` of tokens")
    auth_audience: str | None = Field(default=None, description="required in tokens' `aud`")
    auth_max_token_hours: float = Field(
        default=720, gt=0, le=24 * 366, description="longest token lifetime accepted"
    )
    host: str = "127.0.0.1"
    workers: int | None = Field(default=None, ge=1, le=64, description="worker processes")
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    engine_start_timeout: float = Field(default=60.0, gt=0)
    query_timeout: float = Field(default=10.0, gt=0)
    health_grace_seconds: float = Field(
        default=60.0, gt=0, description="graph unreachable this long: /healthz fails"
    )
    idempotency_key_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    circle_max: int = Field(default=5, ge=1, le=50)
    trends_min_count: int = Field(
        default=5, ge=2, le=100, description="smaller counts in the trends report show as <N"
    )
    # STOPPED_ATTENDING: came to at least AT_LEAST of the FIRST sessions of a window of the kinds
    # they come to, then to none of the LAST (README, "Who has stopped coming").
    stopped_attending_first: int = Field(default=8, ge=1, le=100)
    stopped_attending_at_least: int = Field(default=3, ge=1, le=100)
    stopped_attending_last: int = Field(default=4, ge=1, le=100)
    graphql_max_depth: int = Field(default=10, ge=1, le=100)
    graphql_max_aliases: int = Field(default=15, ge=0, le=1000)
    graphql_max_tokens: int = Field(default=2000, ge=10, le=100_000)
    graphql_max_fields: int = Field(default=300, ge=1, le=100_000)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    request_timeout: float = Field(default=30.0, gt=0, description="seconds per request")
    rate_limit_per_minute: int = Field(default=600, ge=0, description="per token; 0: off")
    ip_rate_limit_per_minute: int = Field(default=1200, ge=0, description="per IP; 0: off")
    public_url: str | None = Field(
        default=None, description="the address people open (sign-in links); default HOST:PORT"
    )
    signin_link_minutes: int = Field(default=15, ge=1, le=24 * 60)
    connect_code_minutes: int = Field(
        default=24 * 60, ge=1, le=7 * 24 * 60, description="how long a connect code works"
    )
    invite_cooling_off_days: int = Field(
        default=30, ge=0, le=365, description="days before a declined invitation may be repeated"
    )
    coordinator_session_hours: float = Field(default=12, gt=0, le=24 * 30)
    college_session_hours: float = Field(default=12, gt=0, le=24 * 30)
    member_session_hours: float = Field(default=7 * 24, gt=0, le=24 * 90)
    subscriptions_per_token: int = Field(
        default=5, ge=1, le=100, description="open subscriptions (and live pages) per caller"
    )
    change_poll_seconds: float = Field(
        default=0.5, gt=0, le=60, description="how often the change log is read"
    )
    change_window_seconds: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="how far back each read of the change log looks again (commit lag, clocks)",
    )
    change_log_hours: float = Field(
        default=24.0, gt=0, le=24 * 30, description="how long changes stay in the log"
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated origins; empty: CORS closed"
    )

    @field_validator(
        "graph_uri",
        "graph_database",
        "auth_public_key",
        "auth_issuer",
        "auth_audience",
        "public_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("auth_secret", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not ORIGIN.match(origin):
                raise ValueError(
                    "each origin must look like https://app.example.org or "
                    f"http://localhost:5173 (no path, no trailing slash); got {origin!r}"
                )
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.rstrip("/")
            if not ORIGIN.match(value):
                raise ValueError(
                    "PUBLIC_URL must look like https://recovery.example.org (no path); "
                    f"got {value!r}"
                )
        return value

    @field_validator("graph_uri")
    @classmethod
    def _bolt_scheme(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in BOLT_SCHEMES:
            schemes = ", ".join(sorted(BOLT_SCHEMES))
            raise ValueError(f"GRAPH_URI must use one of the schemes {schemes}; got {value!r}")
        return value

    @field_validator("auth_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"AUTH_SECRET must be at least {MIN_SECRET_LENGTH} characters long")
        return value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        secret = self.auth_secret.get_secret_value() if self.auth_secret else ""
        if self.env == "production" and secret.startswith("change-me"):
            raise ValueError("AUTH_SECRET is still the placeholder from .env.example")
        if self.env == "production" and self.auth_secret is None and not self.auth_public_key:
            raise ValueError(
                "AUTH_SECRET must be set when ENV=production (generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @model_validator(mode="after")
    def _stopped_attending_can_be_met(self) -> Settings:
        if self.stopped_attending_at_least > self.stopped_attending_first:
            raise ValueError(
                "STOPPED_ATTENDING_AT_LEAST must not be more than STOPPED_ATTENDING_FIRST "
                "(nobody could come to more of the first sessions than there are)"
            )
        return self

    @property
    def embedded(self) -> bool:
        """True when the service starts its own Bolt engine."""
        return self.graph_uri is None

    @property
    def database(self) -> str | None:
        """The database to use: the embedded engine's, or GRAPH_DATABASE (None: default)."""
        return self.graph_database or (EMBEDDED_DATABASE if self.embedded else None)

    @property
    def base_url(self) -> str:
        """Where people reach the service: PUBLIC_URL, else the address it listens on."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def session_hours(self) -> dict[str, float]:
        """How long a web session lasts, by role name."""
        return {
            "coordinator": self.coordinator_session_hours,
            "college": self.college_session_hours,
            "member": self.member_session_hours,
        }

    @property
    def development(self) -> bool:
        """True outside production."""
        return self.env == "development"

    @property
    def worker_count(self) -> int:
        """Worker processes to serve with: WORKERS, else 1 in development and one per core."""
        if self.workers is not None:
            return self.workers
        return 1 if self.development else max(1, os.cpu_count() or 1)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; a clear ConfigurationError when they are wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise ConfigurationError(f"invalid configuration: {problems}") from None


def _describe(error: object) -> str:
    assert isinstance(error, dict)
    field = ".".join(str(part) for part in error.get("loc", ()) if part)
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{field.upper()}: {message}" if field else message


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return load_settings()
