"""The image and compose.yaml of generated projects, checked without a Docker engine (hadolint,
`docker-compose config` and parsing), and what the metrics and cache options bring. That the
server and the app read their production settings is each project's own tests' to prove
(tests/test_server.py, tests/test_production.py), in the slow matrix."""

import ast
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from generator.new import render as render_with_lock
from generator.template import load_spec
from generator.validate.databases import Servers, scratch_databases
from tests.anatomy import (
    calls,
    dependencies,
    documented_environment,
    function,
    imports,
    module,
    settings_fields,
)
from tests.projects import Rendered, install, project_environment, run

TOOLS = Path(sys.executable).parent
DATABASES = load_spec().question("database").values
SERVER_DATABASES = [database for database in DATABASES if database in ("postgresql", "mysql")]


def dockerfile_instructions(project: Path) -> list[tuple[str, str]]:
    text = (project / "Dockerfile").read_text().replace("\\\n", " ")
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def compose_config(project: Path) -> dict[str, Any]:
    env = project_environment({"SECRET_KEY": "a-secret-key-only-for-compose-config-0123456789"})
    result = run([str(TOOLS / "docker-compose"), "config", "--format", "json"], project, env)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@pytest.mark.parametrize("database", DATABASES)
def test_dockerfile_passes_hadolint(rendered: Rendered, database: str) -> None:
    project = rendered(database=database)
    result = run([str(TOOLS / "hadolint"), "--failure-threshold", "info", "Dockerfile"], project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_a_locked_multi_stage_build_run_by_a_non_root_user(rendered: Rendered) -> None:
    instructions = dockerfile_instructions(rendered())
    stages = [argument for name, argument in instructions if name == "FROM"]
    assert len(stages) == 2
    assert all(stage.startswith("python:3.11-slim") for stage in stages)
    runs = " ".join(argument for name, argument in instructions if name == "RUN")
    assert "uv sync --locked --no-dev" in runs
    assert "UV_COMPILE_BYTECODE=1" in " ".join(argument for name, argument in instructions if name == "ENV")
    user = [argument for name, argument in instructions if name == "USER"]
    assert user == ["10001:10001"]
    assert instructions[-1] == ("CMD", '["python", "-m", "app.server"]')
    healthcheck = next(argument for name, argument in instructions if name == "HEALTHCHECK")
    assert "/health" in healthcheck
    assert json.loads(healthcheck.split("CMD", 1)[1])[0] == "python"


def test_image_python_follows_the_python_version(rendered: Rendered) -> None:
    instructions = dockerfile_instructions(rendered(python_version="3.13"))
    assert {argument.split()[0] for name, argument in instructions if name == "FROM"} == {"python:3.13-slim"}


def test_dockerignore_keeps_secrets_and_local_state_out(rendered: Rendered) -> None:
    ignored = (rendered() / ".dockerignore").read_text().splitlines()
    for entry in (".env", ".venv", ".git", "tests", "*.db"):
        assert entry in ignored, entry
    assert "uv.lock" not in ignored
    assert "app" not in ignored


@pytest.mark.parametrize(
    ("database", "cache"),
    [
        (database, cache)
        for database in DATABASES
        for cache in ("none", "redis")
        if (database, cache) != ("none", "redis")
    ],
)
def test_compose_is_valid_and_waits_for_healthy_dependencies(
    rendered: Rendered, database: str, cache: str
) -> None:
    services = compose_config(rendered(database=database, cache=cache))["services"]
    app = services["app"]
    assert app["healthcheck"]["test"][-1].count("/health") == 1
    depends_on = app.get("depends_on", {})
    expected = {"migrate"} if database != "none" else set()
    expected |= {"db"} if database in SERVER_DATABASES else set()
    expected |= {"redis"} if cache == "redis" else set()
    assert set(depends_on) == expected
    for name, condition in depends_on.items():
        wanted = "service_completed_successfully" if name == "migrate" else "service_healthy"
        assert condition["condition"] == wanted, name
    for name in expected - {"migrate"}:
        assert services[name]["healthcheck"]["test"], name
    if database != "none":
        assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert set(services) == {"app"} | expected


def test_compose_keeps_sqlite_on_a_volume_the_app_user_can_write(rendered: Rendered) -> None:
    project = rendered(database="sqlite")
    volume = compose_config(project)["services"]["app"]["volumes"][0]["target"]
    _, env = image_command_and_env(project)
    url = env["DATABASE_URL"]
    assert url.startswith("sqlite+aiosqlite:///")
    assert Path(url.removeprefix("sqlite+aiosqlite:///")) == Path(volume) / "shop_floor.db"
    commands = [shlex.split(argument) for name, argument in dockerfile_instructions(project) if name == "RUN"]
    words = [word for command in commands for word in command]
    owner = words.index("chown")
    assert words[owner + 1 : owner + 3] == ["app:app", volume]
    user = [argument for name, argument in dockerfile_instructions(project) if name == "USER"]
    assert user == ["10001:10001"]


def test_compose_refuses_to_start_an_authenticated_service_without_a_secret_key(rendered: Rendered) -> None:
    project = rendered(auth="jwt")
    env = project_environment()
    env.pop("SECRET_KEY", None)
    result = run([str(TOOLS / "docker-compose"), "config", "--quiet"], project, env)
    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


@pytest.mark.parametrize("metrics", [True, False])
def test_metrics_module_and_dependency_follow_the_option(rendered: Rendered, metrics: bool) -> None:
    project = rendered(metrics=metrics)
    assert ("prometheus-fastapi-instrumentator" in dependencies(project)) is metrics
    assert (project / "app" / "core" / "metrics.py").is_file() is metrics
    assert (project / "tests" / "test_metrics.py").is_file() is metrics
    main = module(project, "app.main")
    instrumented = bool(calls(function(main, "create_app"), "instrument"))
    assert instrumented is metrics
    assert ("app.core.metrics.instrument" in imports(main)) is metrics


@pytest.mark.parametrize("cache", ["none", "redis"])
def test_cache_files_and_dependency_follow_the_option(rendered: Rendered, cache: str) -> None:
    project = rendered(cache=cache)
    redis = cache == "redis"
    assert ("redis" in dependencies(project)) is redis
    assert (project / "app" / "core" / "cache.py").is_file() is redis
    assert (project / "app" / "services" / "cached_post_service.py").is_file() is redis
    assert (project / "tests" / "test_cache.py").is_file() is redis
    assert ("REDIS_URL" in documented_environment(project)) is redis
    assert ("redis_url" in settings_fields(project)) is redis
    # The service a request gets for posts reads through the cache.
    service = function(module(project, "app.services.providers"), "get_post_service").returns
    assert service is not None
    assert ast.unparse(service) == ("CachedPostService" if redis else "PostService")


def image_command_and_env(project: Path) -> tuple[list[str], dict[str, str]]:
    instructions = dockerfile_instructions(project)
    command: list[str] = json.loads(instructions[-1][1])
    env: dict[str, str] = {}
    for name, argument in instructions:
        if name == "ENV":
            env.update(dict(re.findall(r'(\w+)=("[^"]*"|\S+)', argument)))
    return command, {key: value.strip('"') for key, value in env.items()}


def wait_for(url: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_full_preset_is_locked_and_serves_with_the_image_command(tmp_path: Path) -> None:
    """What the matrix does not: install from the lock `trellis new` wrote, as the image does, and
    serve with the image's command and environment (the matrix proves the checks of the preset)."""
    spec = load_spec()
    answers = {**spec.preset("full"), "project_name": "Full Service"}
    rendered = render_with_lock(tmp_path / "full", answers, lock=True, spec=spec)
    assert rendered.warnings == (), rendered.warnings
    project = rendered.path
    locked = run(["uv", "lock", "--locked", "--offline"], project)
    assert locked.returncode == 0, locked.stderr
    install(project)
    command, image_env = image_command_and_env(project)
    port = str(free_port())
    with scratch_databases("postgresql+asyncpg", True, Servers(), tmp_path) as databases:
        env = project_environment({
            **{key: value for key, value in image_env.items() if key != "PATH"},
            # As in the image: the project's virtual environment first on the PATH.
            "PATH": f"{project / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "HOST": "127.0.0.1",
            "PORT": port,
            "DATABASE_URL": databases["DATABASE_URL"],
            "SECRET_KEY": uuid.uuid4().hex * 2,
        })  # fmt: skip
        server = subprocess.Popen(command, cwd=project, env=env, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for(f"http://127.0.0.1:{port}/health") == 200
            assert wait_for(f"http://127.0.0.1:{port}/ready") == 200
            assert wait_for(f"http://127.0.0.1:{port}/docs") == 404  # ENVIRONMENT=production
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        finally:
            if server.poll() is None:
                server.kill()
            _, errors = server.communicate()
    assert "Application shutdown complete" in errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
