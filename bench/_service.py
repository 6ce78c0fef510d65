"""A generated project rendered, installed and served as its image would serve it."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _load import pinned_to  # noqa: E402

from generator.new import render  # noqa: E402
from generator.template import load_spec  # noqa: E402

BARE_APP = """
from fastapi import FastAPI
from pydantic import BaseModel


class HealthStatus(BaseModel):
    status: str
    checks: dict[str, str] = {}


# Untraced, as in a process of its own, even where a service in the same process (bench/reads.py)
# has set the tracer provider FastAPI's telemetry follows.
app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})


@app.get("/health")
async def health() -> HealthStatus:
    return HealthStatus(status="ok")
"""


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")}
    return {**env, **extra}


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    env = env or _env({})
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{output}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(url: str, *, method: str = "GET", body: Any = None, form: dict[str, str] | None = None,
            token: str | None = None, timeout: float = 5) -> tuple[int, Any]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class Project:
    path: Path
    answers: dict[str, Any]
    database_url: str

    @property
    def python(self) -> str:
        return str(self.path / ".venv" / "bin" / "python")


def prepare(workdir: Path, preset: str, database: str, tracing: str | None = None) -> Project:
    """Render the preset on this database (with this tracing answer instead of the preset's),
    install it from its lock and create its tables."""
    spec = load_spec()
    answers = {**spec.preset(preset), "database": database, "project_name": f"Bench {preset} {database}"}
    if database not in ("postgresql", "mysql"):
        answers["deploy"] = "none"  # Kubernetes manifests need a database server; serving does not
    if tracing is not None:
        answers["tracing"] = tracing
    folder = f"{preset}-{database}" + (f"-{tracing}" if tracing else "")
    path = render(workdir / folder, answers, lock=True, spec=spec).path
    _run(["uv", "sync", "--locked", "--no-dev", "--quiet"], path)
    name = f"bench_{uuid.uuid4().hex[:12]}"
    if database == "postgresql":
        _run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], path)
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    elif database == "mysql":
        _run(["mariadb", "-h", "127.0.0.1", "-uroot", "-e", f"CREATE DATABASE {name}"], path)
        url = f"mysql+asyncmy://root@127.0.0.1:3306/{name}"
    else:
        url = f"sqlite+aiosqlite:///{path / 'bench.db'}"
    project = Project(path, answers, url)
    env = _env({"DATABASE_URL": url})
    if (path / "alembic.ini").exists():
        _run([str(path / ".venv" / "bin" / "alembic"), "upgrade", "head"], path, env)
    else:
        create_all = (
            "import asyncio\nfrom app.core.config import get_settings\nfrom app.db.base import Base\n"
            "from app.db.session import create_engine\nimport app.db.models\n"
            "async def main():\n    engine = create_engine(get_settings())\n"
            "    async with engine.begin() as c:\n        await c.run_sync(Base.metadata.create_all)\n"
            "    await engine.dispose()\nasyncio.run(main())\n"
        )
        _run([project.python, "-c", create_all], path, env)
    return project


def drop_database(project: Project) -> None:
    name = project.database_url.rsplit("/", 1)[1]
    if project.database_url.startswith("postgresql"):
        _run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], project.path)
    elif project.database_url.startswith("mysql"):
        _run(["mariadb", "-h", "127.0.0.1", "-uroot", "-e", f"DROP DATABASE IF EXISTS {name}"], project.path)


@dataclass
class Server:
    process: "subprocess.Popen[bytes]"
    base_url: str

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, *, quiet: float = 0.5, timeout: float = 30) -> bool:
        """Wait until the server has used (almost) no CPU for `quiet` seconds; False if it never did.

        When the load generator stops, requests it already sent are still being served; the
        next measurement on the same core must not share it with them.
        """
        deadline = time.monotonic() + timeout
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.cpu_seconds()
            if now - used < quiet * 0.05:
                return True
            used = now
        return False

    def answers_health(self, timeout: float = 2) -> bool:
        try:
            return request(self.base_url + "/health", timeout=timeout)[0] == 200
        except OSError:
            return False

    def stop(self, grace: float) -> tuple[int, float]:
        """SIGTERM, then the exit code and how long the clean stop took."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=grace + 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, time.monotonic() - started


@contextmanager
def serve(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    port: int,
    log: Path | None = None,
    cpus: frozenset[int] | None = None,
) -> Iterator[Server]:
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, cwd=cwd, env=_env(env), stdout=output, stderr=output, preexec_fn=pinned_to(cpus)
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while not server.answers_health(timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(command)} did not start (exit code {process.poll()})")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if not isinstance(output, int):
            output.close()


def service_env(project: Project, port: int) -> dict[str, str]:
    return {
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
        "GRACEFUL_SHUTDOWN_TIMEOUT": "10",
        "DATABASE_URL": project.database_url,
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "CACHE_PREFIX": f"bench-{uuid.uuid4().hex[:12]}",
        # A traced service makes its spans but exports none: the cost measured is the tracing's.
        "OTEL_EXPORTER_OTLP_ENDPOINT": "",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
    }


def write_bare_app(directory: Path) -> Path:
    (directory / "bare_app.py").write_text(BARE_APP)
    return directory
