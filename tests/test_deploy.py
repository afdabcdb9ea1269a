"""deploy/: two replicas behind Caddy on PostgreSQL and Redis, checked without Docker.

compose.yaml is read with PyYAML and its `${VAR}` references are resolved the way Compose does,
from a .env made with the commands deploy/.env.example gives; the result must be a configuration
RunCoach accepts. The replicas' health check runs against a local HTTP server; the Caddyfile is
read for its upstreams, sticky sessions and health checks. The real processes (two `runcoach
serve` on one PostgreSQL and one Redis) are tests/e2e/test_replicas_browser.py's.
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import make_url

from runcoach.config import Settings, check_secret, load_storage_secret, load_token_key

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
CADDYFILE = DEPLOY / "Caddyfile"

REPLICAS = ("app1", "app2")
SERVICES = {"postgres", "redis", *REPLICAS, "proxy"}
#: Variables every replica must get from .env, the same for all: without them each replica would
#: generate its own secret and key into its own volume, and sessions and tokens would not carry over.
SHARED = ("RUNCOACH_STORAGE_SECRET", "RUNCOACH_TOKEN_KEY", "RUNCOACH_PUBLIC_URL")
#: Variables a replica may be given that are not RunCoach settings: uvicorn's proxy-header trust.
NOT_SETTINGS = {"FORWARDED_ALLOW_IPS"}

REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
ASSIGNMENT = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


class MissingVariable(LookupError):
    """A `${VAR:?message}` whose variable is unset or empty: Compose refuses to start."""


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """`value` with every ${VAR}, ${VAR:-default} and ${VAR:?message} resolved as Compose does."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"] or "", match["arg"] or ""
        current = env.get(name)
        missing = current is None or (op.startswith(":") and current == "")
        if missing and op.endswith("?"):
            raise MissingVariable(f"{name}: {arg}")
        if missing and op.endswith("-"):
            return arg
        return current or ""

    return REFERENCE.sub(one, value)


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's `environment`, in either of Compose's forms, as a mapping."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def published_container_ports(service: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    for entry in service.get("ports") or []:
        target = entry["target"] if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1]
        ports.add(int(str(target).split("/")[0]))
    return ports


def example_assignments() -> dict[str, tuple[str, bool]]:
    """Every VAR=value line of .env.example: name -> (value, commented out)."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := ASSIGNMENT.match(line.strip()):
            found[match["name"]] = (match["value"], bool(match["commented"]))
    return found


def example_commands() -> dict[str, list[str]]:
    """The command .env.example gives to generate each variable (the `python3 -c` above it)."""
    commands: dict[str, list[str]] = {}
    pending: list[str] | None = None
    for line in ENV_EXAMPLE.read_text().splitlines():
        text = line.strip().lstrip("#").strip()
        if text.startswith("python3 -c "):
            pending = [sys.executable, *shlex.split(text)[1:]]
        elif (match := ASSIGNMENT.match(line.strip())) and pending is not None:
            commands[match["name"]] = pending
            pending = None
    return commands


def generate(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=30).stdout.strip()


def filled_dotenv() -> dict[str, str]:
    """deploy/.env as an operator makes it: .env.example with each empty value generated."""
    commands = example_commands()
    dotenv = {}
    for name, (value, commented) in example_assignments().items():
        if commented:
            continue
        dotenv[name] = value or generate(commands[name])
    return dotenv


def caddy_lines() -> list[list[str]]:
    """The Caddyfile's lines as tokens, comments and blank lines left out."""
    lines = []
    for line in CADDYFILE.read_text().splitlines():
        text = re.sub(r"(^|\s)#.*$", "", line).strip()
        if text:
            lines.append(text.split())
    return lines


def reverse_proxy() -> tuple[list[str], dict[str, list[str]]]:
    """The one reverse_proxy's upstreams and its subdirectives (name -> arguments)."""
    lines = caddy_lines()
    starts = [i for i, tokens in enumerate(lines) if tokens[0] == "reverse_proxy"]
    assert len(starts) == 1, f"expected one reverse_proxy in the Caddyfile, found {len(starts)}"
    first = lines[starts[0]]
    assert first[-1] == "{", "reverse_proxy needs its block (load balancing, health checks)"
    upstreams, options, depth = first[1:-1], {}, 1
    for tokens in lines[starts[0] + 1 :]:
        if tokens == ["}"]:
            depth -= 1
            if depth == 0:
                break
            continue
        if depth == 1:
            options[tokens[0]] = [t for t in tokens[1:] if t != "{"]
        depth += tokens[-1] == "{"
    return upstreams, options


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


@pytest.fixture(scope="module")
def dotenv() -> dict[str, str]:
    return filled_dotenv()


@pytest.fixture(scope="module")
def resolved(services: dict[str, dict[str, Any]], dotenv: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The services after Compose's interpolation with the filled-in .env."""
    return {name: interpolate(service, dotenv) for name, service in services.items()}


def container_env(service: dict[str, Any], dotenv: dict[str, str]) -> dict[str, str]:
    """What a replica's process sees: its env_file (.env), then `environment` over it."""
    files = service.get("env_file") or []
    assert files == [".env"], "the replicas read deploy/.env (optional settings), nothing else"
    return dotenv | environment(service)


# --------------------------------------------------------------------------- compose.yaml


def test_the_stack_is_postgres_redis_two_replicas_and_a_proxy(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES
    assert str(services["postgres"]["image"]).split(":")[1].split(".")[0] in {"16", "17"}
    assert str(services["redis"]["image"]).startswith("redis:7")
    assert str(services["proxy"]["image"]).startswith("caddy:2")


def test_every_service_has_a_health_check_and_a_restart_policy(services: dict[str, Any]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, f"{name}: {check['test']!r}"
        assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, f"{name} never restarts"


def test_postgres_and_redis_are_checked_with_their_own_clients(services: dict[str, Any]) -> None:
    postgres = " ".join(services["postgres"]["healthcheck"]["test"])
    assert "pg_isready" in postgres
    env = environment(services["postgres"])
    assert f"-U {env['POSTGRES_USER']}" in postgres and f"-d {env['POSTGRES_DB']}" in postgres
    redis = " ".join(services["redis"]["healthcheck"]["test"])
    assert "redis-cli ping" in redis and "PONG" in redis  # an error reply (LOADING) is not healthy
    assert any(
        str(volume).endswith(":/var/lib/postgresql/data") for volume in services["postgres"]["volumes"]
    ), "PostgreSQL's data needs a named volume"


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_check(test: list[str], port: int) -> int:
    assert test[0] == "CMD" and test[1] == "python", "the image has python, not curl"
    env = {"RUNCOACH_PORT": str(port), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, *test[2:]], env=env, timeout=30).returncode


def test_the_replicas_health_check_passes_only_on_a_200_from_health(
    services: dict[str, Any], health_server: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    test = services["app1"]["healthcheck"]["test"]
    assert test == services["app2"]["healthcheck"]["test"]
    port = health_server.server_address[1]
    assert run_check(test, port) == 0
    monkeypatch.setattr(_Health, "status", 503)  # starting, or the database is down
    assert run_check(test, port) == 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    assert run_check(test, closed) == 1  # nothing listening


def test_the_replicas_are_built_from_the_repository_dockerfile(services: dict[str, Any]) -> None:
    for name in REPLICAS:
        build = services[name]["build"]
        assert (DEPLOY / build["context"]).resolve() == ROOT, name
        assert (ROOT / build.get("dockerfile", "Dockerfile")).resolve() == ROOT / "Dockerfile"
    assert services["app1"]["build"] == services["app2"]["build"]


def test_the_image_installs_what_replicas_need() -> None:
    """asyncpg for PostgreSQL, redis for NiceGUI's shared sessions (without it a replica with
    NICEGUI_REDIS_URL fails at start: "Redis is not installed")."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    extras = [
        extra.strip()
        for found in re.findall(r"pip install[^\n]*\"\.\[([^\]]+)\]\"", dockerfile)
        for extra in found.split(",")
    ]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    names = {re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}
    assert {"asyncpg", "redis"} <= names, f"the Dockerfile installs extras {extras}: {sorted(names)}"


def test_the_replicas_share_one_configuration_from_env(services: dict[str, Any]) -> None:
    first, second = environment(services["app1"]), environment(services["app2"])
    assert first == second
    for name in SHARED:
        reference = REFERENCE.fullmatch(first[name])
        assert reference and reference["name"] == name, f"{name} must come from .env, not be written here"
    # Different data volumes: nothing a replica writes there is meant to be shared.
    assert services["app1"]["volumes"] != services["app2"]["volumes"]


def test_compose_refuses_to_start_without_the_shared_secrets(
    services: dict[str, Any], dotenv: dict[str, str]
) -> None:
    interpolate(services, dotenv)  # complete: resolves
    for name in ("POSTGRES_PASSWORD", "RUNCOACH_STORAGE_SECRET", "RUNCOACH_TOKEN_KEY"):
        for missing in ({k: v for k, v in dotenv.items() if k != name}, dotenv | {name: ""}):
            with pytest.raises(MissingVariable, match=name):
                interpolate(services, missing)


def test_the_replicas_use_the_compose_postgres_and_redis(resolved: dict[str, Any]) -> None:
    postgres = environment(resolved["postgres"])
    for name in REPLICAS:
        env = environment(resolved[name])
        url = make_url(env["RUNCOACH_DATABASE_URL"])
        assert url.drivername == "postgresql+asyncpg"
        assert (url.host, url.port or 5432) == ("postgres", 5432)
        assert (url.username, url.password, url.database) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            postgres["POSTGRES_DB"],
        )
        redis = re.fullmatch(r"redis://(?P<host>[^:/]+)(:(?P<port>\d+))?/\d+", env["RUNCOACH_REDIS_URL"])
        assert redis, env["RUNCOACH_REDIS_URL"]
        assert (redis["host"], int(redis["port"] or 6379)) == ("redis", 6379)
        assert set(resolved[name]["depends_on"]) == {"postgres", "redis"}
        for dependency in resolved[name]["depends_on"].values():
            assert dependency["condition"] == "service_healthy"


def test_the_resolved_configuration_is_one_runcoach_accepts(
    resolved: dict[str, Any], dotenv: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in container_env(resolved["app1"], dotenv).items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.public_url == dotenv["RUNCOACH_PUBLIC_URL"]
    assert load_storage_secret(settings) == dotenv["RUNCOACH_STORAGE_SECRET"]
    assert load_token_key(settings) == dotenv["RUNCOACH_TOKEN_KEY"]
    assert not settings.data_dir.exists()  # nothing was generated: the values came from .env
    assert settings.anthropic_api_key is None  # optional settings stay unset, not empty


def test_every_runcoach_variable_is_a_real_setting(services: dict[str, Any]) -> None:
    assert Settings.model_config.get("env_prefix") == "RUNCOACH_"
    fields = set(Settings.model_fields)
    names = set(environment(services["app1"])) | set(example_assignments())
    names |= {match["name"] for match in REFERENCE.finditer(COMPOSE_FILE.read_text())}
    for name in sorted(names):
        if name.startswith("RUNCOACH_"):
            assert name.removeprefix("RUNCOACH_").lower() in fields, f"{name} is not a RunCoach setting"
    for name in environment(services["app1"]):
        assert name.startswith(("RUNCOACH_", "NICEGUI_")) or name in NOT_SETTINGS, name


def test_only_the_proxy_publishes_a_port(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert bool(service.get("ports")) == (name == "proxy"), name
    app_port = int(environment(services["app1"])["RUNCOACH_PORT"])
    assert str(app_port) in [str(port) for port in services["app1"].get("expose", [])]


def test_the_proxy_starts_after_both_healthy_replicas(services: dict[str, Any]) -> None:
    depends = services["proxy"]["depends_on"]
    assert set(depends) == set(REPLICAS)
    assert all(item["condition"] == "service_healthy" for item in depends.values())


# --------------------------------------------------------------------------- .env.example


def test_env_example_lists_every_variable_compose_references() -> None:
    referenced = {match["name"] for match in REFERENCE.finditer(COMPOSE_FILE.read_text())}
    assert set(SHARED) | {"POSTGRES_PASSWORD"} <= referenced
    listed = example_assignments()
    assert referenced <= set(listed), f"missing from .env.example: {sorted(referenced - set(listed))}"
    for name in referenced:
        assert not listed[name][1], f"{name} is commented out in .env.example"


def test_env_example_commands_make_values_runcoach_accepts() -> None:
    commands = example_commands()
    assert {"POSTGRES_PASSWORD", "RUNCOACH_STORAGE_SECRET", "RUNCOACH_TOKEN_KEY"} <= set(commands)
    secret = generate(commands["RUNCOACH_STORAGE_SECRET"])
    assert check_secret(secret) == secret
    assert generate(commands["RUNCOACH_STORAGE_SECRET"]) != secret  # random, not a fixed example
    key = generate(commands["RUNCOACH_TOKEN_KEY"])
    assert len(key) == 44
    fernet = Fernet(key.encode())
    assert fernet.decrypt(fernet.encrypt(b"token")) == b"token"
    password = generate(commands["POSTGRES_PASSWORD"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", password), "it goes into a URL unescaped"


def test_env_example_ships_no_secret() -> None:
    listed = example_assignments()
    for name in ("POSTGRES_PASSWORD", "RUNCOACH_STORAGE_SECRET", "RUNCOACH_TOKEN_KEY"):
        assert listed[name] == ("", False), f"{name} must be empty in the example"
    assert ".env" in (ROOT / ".gitignore").read_text().split()  # deploy/.env stays out of git


# --------------------------------------------------------------------------- Caddyfile


def test_the_proxy_mounts_this_caddyfile(services: dict[str, Any]) -> None:
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]


def test_the_proxy_balances_over_both_replicas_on_their_port(services: dict[str, Any]) -> None:
    upstreams, _ = reverse_proxy()
    port = environment(services["app1"])["RUNCOACH_PORT"]
    # No path matcher either: pages, the API and /_nicegui_ws/socket.io all reach the replicas.
    assert sorted(upstreams) == [f"{name}:{port}" for name in REPLICAS]


def test_the_proxy_keeps_each_browser_on_one_replica(services: dict[str, Any]) -> None:
    """A page's NiceGUI client lives in the process that rendered it: its socket.io connection
    (and every long-polling request) must reach that process."""
    _, options = reverse_proxy()
    assert options.get("lb_policy", [""])[0] == "cookie", f"not sticky: lb_policy {options.get('lb_policy')}"


def test_the_proxy_checks_the_replicas_health(services: dict[str, Any]) -> None:
    _, options = reverse_proxy()
    assert options.get("health_uri") == ["/health"]
    assert "health_interval" in options
    assert options.get("health_status", ["200"])[0] in {"200", "2xx"}


def test_the_proxy_listens_where_compose_publishes_and_checks(services: dict[str, Any]) -> None:
    addresses, depth = [], 0
    for tokens in caddy_lines():
        if depth == 0 and tokens[-1] == "{":
            addresses.append(tokens[:-1])
        depth += (tokens[-1] == "{") - (tokens == ["}"])
    assert addresses == [[":8080"]], "one site, on the port compose publishes"
    assert published_container_ports(services["proxy"]) == {8080}
    assert "http://127.0.0.1:8080/health" in services["proxy"]["healthcheck"]["test"]
