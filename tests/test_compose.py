"""docker-compose.yml, Dockerfile and .env.example agree with each other and with Settings.

Everything here is checked without a Docker engine or a graph database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from graph_service.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

SERVICE = "graph-service"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104  (inside a container: reachable through the port map)
NEO4J = "neo4j"

SETTINGS = frozenset(name.upper() for name in Settings.model_fields)
# Settings whose defaults are safe in production, so compose need not set them.
SAFE_DEFAULTS = frozenset(
    {
        "AUTH_PUBLIC_KEY",
        "AUTH_ISSUER",
        "AUTH_AUDIENCE",
        "AUTH_MAX_TOKEN_HOURS",
        "LOG_LEVEL",
        "ENGINE_START_TIMEOUT",
        "QUERY_TIMEOUT",
        "WORKERS",
        "HEALTH_GRACE_SECONDS",
        "IDEMPOTENCY_KEY_HOURS",
        "CIRCLE_MAX",
        "GRAPHQL_MAX_DEPTH",
        "GRAPHQL_MAX_ALIASES",
        "GRAPHQL_MAX_TOKENS",
        "GRAPHQL_MAX_FIELDS",
        "MAX_BODY_BYTES",
        "REQUEST_TIMEOUT",
        "RATE_LIMIT_PER_MINUTE",
        "IP_RATE_LIMIT_PER_MINUTE",
        "CORS_ORIGINS",
        "SIGNIN_LINK_MINUTES",
        "CONNECT_CODE_MINUTES",
        "INVITE_COOLING_OFF_DAYS",
        "COORDINATOR_SESSION_HOURS",
        "COLLEGE_SESSION_HOURS",
        "MEMBER_SESSION_HOURS",
        "CHANGE_LOG_HOURS",
        "CHANGE_POLL_SECONDS",
        "CHANGE_WINDOW_SECONDS",
        "SUBSCRIPTIONS_PER_TOKEN",
        "TRENDS_MIN_COUNT",
        "STOPPED_ATTENDING_FIRST",
        "STOPPED_ATTENDING_AT_LEAST",
        "STOPPED_ATTENDING_LAST",
    }
)
MUST_PROVIDE = frozenset(
    {
        "GRAPH_URI",
        "GRAPH_USER",
        "GRAPH_PASSWORD",
        "GRAPH_DATABASE",
        "ENV",
        "AUTH_SECRET",
        "HOST",
        "PORT",
        "DATA_DIR",
    }
)

# Compose interpolation: ${NAME}, ${NAME:?message}, ${NAME:-default}, ...; $${...} is a literal.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}")
DUMMY_VALUES = {
    "NEO4J_PASSWORD": "dummy-neo4j-password",
    "AUTH_SECRET": "s" * 48,
    "PUBLIC_URL": "https://recovery.example.org",
}


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _service(name: str) -> dict[str, Any]:
    service = _compose()["services"][name]
    assert isinstance(service, dict)
    return service


def _environment(name: str) -> dict[str, str]:
    """A service's environment as a mapping (compose allows a mapping or a KEY=VALUE list)."""
    env = _service(name).get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {key: value for key, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def _published(name: str) -> list[tuple[str | None, int, int]]:
    """(host address or None, host port, container port) for each published port."""
    result: list[tuple[str | None, int, int]] = []
    for port in _service(name).get("ports", []):
        if isinstance(port, dict):
            host_ip = port.get("host_ip")
            result.append((host_ip, int(port["published"]), int(port["target"])))
            continue
        parts = str(port).split("/")[0].split(":")
        if len(parts) == 3:
            result.append((parts[0], int(parts[1]), int(parts[2])))
        elif len(parts) == 2:
            result.append((None, int(parts[0]), int(parts[1])))
    return result


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each Dockerfile instruction, continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text("utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, rest = full.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _dockerfile_args(keyword: str) -> list[str]:
    return [rest for name, rest in _dockerfile() if name == keyword]


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for rest in _dockerfile_args("ENV"):
        for pair in rest.split():
            key, sep, value = pair.partition("=")
            if sep:
                env[key] = value.strip("\"'")
    return env


def _placeholders() -> set[str]:
    return {match["name"] for match in INTERPOLATION.finditer(COMPOSE_FILE.read_text("utf-8"))}


def _substitute(value: str) -> str:
    return INTERPOLATION.sub(lambda match: DUMMY_VALUES[match["name"]], value)


def test_compose_file_parses() -> None:
    data = _compose()
    assert isinstance(data.get("services"), dict)


@pytest.mark.parametrize("name", [NEO4J, SERVICE], ids=[NEO4J, SERVICE])
def test_service_exists_with_healthcheck_and_restart_policy(name: str) -> None:
    service = _service(name)
    healthcheck = service.get("healthcheck")
    assert isinstance(healthcheck, dict) and healthcheck.get("test"), f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False)
    assert service.get("restart") in {"always", "unless-stopped", "on-failure"}


def test_neo4j_image_is_neo4j_5_community() -> None:
    assert _service(NEO4J)["image"] == "neo4j:5-community"


def test_neo4j_password_comes_from_the_env_file() -> None:
    auth = _environment(NEO4J)["NEO4J_AUTH"]
    assert auth.startswith("neo4j/")
    assert INTERPOLATION.fullmatch(auth.removeprefix("neo4j/"))


@pytest.mark.parametrize("target", ["/data", "/logs"], ids=["data", "logs"])
def test_neo4j_keeps_state_in_named_volumes(target: str) -> None:
    named = set(_compose().get("volumes") or {})
    mounts = [str(volume).split(":") for volume in _service(NEO4J).get("volumes", [])]
    assert any(len(m) >= 2 and m[1] == target and m[0] in named for m in mounts), target


def test_service_waits_for_a_healthy_neo4j() -> None:
    depends_on = _service(SERVICE)["depends_on"]
    assert isinstance(depends_on, dict)
    assert depends_on[NEO4J]["condition"] == "service_healthy"


def test_service_healthcheck_probes_healthz_without_curl() -> None:
    test = _service(SERVICE)["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else str(test)
    assert "/healthz" in command
    assert "urllib" in command
    assert "curl" not in command


def test_service_builds_the_local_dockerfile() -> None:
    build = _service(SERVICE)["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert (ROOT / context / "Dockerfile").resolve() == DOCKERFILE


def test_every_setting_without_a_safe_default_is_provided() -> None:
    assert SAFE_DEFAULTS <= SETTINGS, f"not settings: {sorted(SAFE_DEFAULTS - SETTINGS)}"
    required = SETTINGS - SAFE_DEFAULTS
    assert required >= MUST_PROVIDE
    missing = required - set(_environment(SERVICE))
    assert not missing, f"graph-service environment lacks {sorted(missing)}"


def test_every_provided_name_is_a_real_setting() -> None:
    unknown = set(_environment(SERVICE)) - SETTINGS
    assert not unknown, f"not settings of Settings (typo?): {sorted(unknown)}"


@pytest.mark.parametrize("name", ["GRAPH_PASSWORD", "AUTH_SECRET"], ids=str.lower)
def test_secrets_are_required_placeholders(name: str) -> None:
    value = _environment(SERVICE)[name]
    match = INTERPOLATION.fullmatch(value)
    assert match, f"{name} should come from .env, not be written in the compose file"
    assert ":?" in value, f"{name} should use ${{VAR:?message}} so compose fails clearly"


def test_graph_uri_points_at_the_neo4j_service() -> None:
    uri = urlsplit(_environment(SERVICE)["GRAPH_URI"])
    assert uri.scheme in {"bolt", "neo4j"}
    assert uri.hostname == NEO4J
    assert uri.port == 7687


def test_service_runs_in_production() -> None:
    env = _environment(SERVICE)
    assert env["ENV"] == "production"
    assert env["HOST"] == ALL_INTERFACES
    assert env["GRAPH_USER"] == "neo4j"


@pytest.mark.parametrize(
    ("name", "port"), [(SERVICE, 8000), (NEO4J, 7687)], ids=["service-8000", "neo4j-7687"]
)
def test_ports_are_published(name: str, port: int) -> None:
    assert any(target == port for _, _, target in _published(name)), _published(name)


def test_neo4j_ports_are_bound_to_loopback_only() -> None:
    published = _published(NEO4J)
    assert {target for _, _, target in published} >= {7474, 7687}
    assert all(host_ip == "127.0.0.1" for host_ip, _, _ in published), published


def test_service_publishes_the_port_it_listens_on() -> None:
    port = int(_environment(SERVICE)["PORT"])
    assert any(target == port for _, _, target in _published(SERVICE))


def test_dockerfile_base_image_and_command() -> None:
    assert _dockerfile_args("FROM") == ["python:3.11-slim"]
    assert _dockerfile_args("CMD") == ['["graph-service", "serve"]']


def test_dockerfile_installs_without_the_embedded_extra() -> None:
    runs = " ".join(_dockerfile_args("RUN"))
    assert "pip install --no-cache-dir ." in runs
    assert "embedded" not in runs


def test_dockerfile_expose_matches_compose_port() -> None:
    exposed = {
        int(port.split("/")[0]) for rest in _dockerfile_args("EXPOSE") for port in rest.split()
    }
    port = int(_environment(SERVICE)["PORT"])
    assert port in exposed
    assert _dockerfile_env()["PORT"] == str(port)


def test_dockerfile_production_environment() -> None:
    env = _dockerfile_env()
    assert env["ENV"] == "production"
    assert env["HOST"] == ALL_INTERFACES
    assert env["DATA_DIR"] == "/data"


def test_dockerfile_has_a_healthcheck_on_healthz() -> None:
    healthchecks = _dockerfile_args("HEALTHCHECK")
    assert len(healthchecks) == 1
    assert "/healthz" in healthchecks[0]
    assert "urllib" in healthchecks[0]


def test_dockerfile_does_not_run_as_root() -> None:
    users = _dockerfile_args("USER")
    assert users, "the Dockerfile has no USER line"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_env_example_names_every_compose_variable() -> None:
    placeholders = _placeholders()
    assert placeholders >= {"NEO4J_PASSWORD", "AUTH_SECRET"}
    lines = ENV_EXAMPLE.read_text("utf-8").splitlines()
    named = {line.split("=", 1)[0].strip() for line in lines if re.match(r"^\s*\w+=", line)}
    missing = placeholders - named
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_settings_accept_the_compose_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS:  # only the compose values count, not the test runner's environment
        monkeypatch.delenv(name, raising=False)
    assert set(DUMMY_VALUES) >= _placeholders(), "add a dummy value for the new placeholder"
    values = {key.lower(): _substitute(value) for key, value in _environment(SERVICE).items()}
    settings = load_settings(**values)
    assert settings.env == "production"
    assert not settings.embedded
    assert settings.database == "neo4j"
    assert settings.port == 8000
    assert settings.data_dir == Path("/data")
    assert settings.auth_secret is not None
    assert settings.auth_secret.get_secret_value() == DUMMY_VALUES["AUTH_SECRET"]
