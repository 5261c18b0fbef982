"""Settings: read from the environment, refused clearly when they cannot work."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from graph_service.auth import signing_secret
from graph_service.errors import ConfigurationError
from graph_service.settings import load_settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ENV": "production"}, "AUTH_SECRET must be set when ENV=production"),
        ({"AUTH_SECRET": "short"}, "AUTH_SECRET: AUTH_SECRET must be at least 32"),
        ({"GRAPH_URI": "http://localhost:7474"}, "GRAPH_URI must use one of the schemes"),
        ({"PORT": "0"}, "PORT"),
        ({"ENV": "staging"}, "ENV"),
        (
            {"ENV": "production", "AUTH_SECRET": "change-me-to-a-long-random-secret"},
            "still the placeholder",
        ),
        (
            {"STOPPED_ATTENDING_FIRST": "3", "STOPPED_ATTENDING_AT_LEAST": "4"},
            "STOPPED_ATTENDING_AT_LEAST must not be more than STOPPED_ATTENDING_FIRST",
        ),
        ({"STOPPED_ATTENDING_LAST": "0"}, "STOPPED_ATTENDING_LAST"),
    ],
    ids=[
        "production-no-secret",
        "short-secret",
        "http-uri",
        "port-zero",
        "unknown-env",
        "placeholder-secret",
        "stopped-attending-at-least-above-first",
        "stopped-attending-last-zero",
    ],
)
def test_bad_settings_are_clear_errors(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRAPH_URI", "neo4j://db.internal:7687")
    monkeypatch.setenv("GRAPH_DATABASE", "recovery")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "9000")
    settings = load_settings()
    assert (settings.embedded, settings.database, settings.port) == (False, "recovery", 9000)
    assert settings.data_dir == tmp_path


def test_embedded_when_graph_uri_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_URI", "")
    settings = load_settings()
    assert settings.embedded and settings.database == "graph"


def test_development_secret_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", env="development")
    first = signing_secret(settings)
    assert len(first) >= 32
    assert signing_secret(settings) == first
    mode = stat.S_IMODE((tmp_path / "data" / "auth-secret").stat().st_mode)
    assert mode == 0o600
