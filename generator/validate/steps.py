"""The steps of `trellis validate` up to boot, each a function of a Context that raises StepFailed."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.lock import LOCK_FILE
from generator.project import Project
from generator.validate.environment import interpreter
from generator.validate.processes import Completed, Processes, StepFailed, tail
from generator.validate.server import App, serving


@dataclass
class Context:
    project: Project
    venv: Path
    env: dict[str, str]
    scratch: Path
    examples: int
    processes: Processes = field(default_factory=Processes)
    transcript: list[str] = field(default_factory=list)
    # Shared by the steps of one validation: {"migrated": True} once the database is at head.
    state: dict[str, bool] = field(default_factory=dict)

    def tool(self, name: str) -> str:
        path = self.venv / "bin" / name
        if not path.exists():
            raise StepFailed(f"{name} is not installed in the project's environment")
        return str(path)

    def run(
        self, *command: str, timeout: float = 600, cwd: Path | None = None, label: str | None = None
    ) -> Completed:
        completed = self.processes.run(command, cwd or self.project.path, self.env, timeout)
        self.transcript.append(completed.transcript(label))
        return completed

    def require(self, *command: str, timeout: float = 600) -> Completed:
        completed = self.run(*command, timeout=timeout)
        if completed.returncode is None:
            raise StepFailed(f"{_short(command)} did not finish within {timeout:.0f} s")
        if not completed.ok:
            raise StepFailed(f"{_short(command)} failed (exit {completed.returncode})")
        return completed

    def note(self, text: str) -> None:
        self.transcript.append(text.rstrip() + "\n")


def _short(command: tuple[str, ...]) -> str:
    """`uv sync`, `alembic upgrade`, `pytest`: the program, and its subcommand when it has one."""
    program = Path(command[0]).name
    return f"{program} {command[1]}" if len(command) > 1 and command[1].isalpha() else program


# Folders left out of the copy a project without a lock is resolved in.
_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*_cache", ".coverage*", "*.db")


def install(ctx: Context) -> None:
    """`uv sync` as the project's CI runs it: `--locked` when it has a uv.lock, so a stale lock
    fails here as it would there. Without a lock, uv resolves a copy of the project, since it
    writes the uv.lock it resolved beside the pyproject.toml."""
    version = ctx.project.python_version
    python = interpreter(version) if version else None
    command = ["uv", "sync", "--no-progress"]
    if python or version:
        command += ["--python", python or str(version)]
    if (ctx.project.path / LOCK_FILE).is_file():
        done = ctx.run(*command, "--locked", timeout=900)
        if done.returncode is not None and not done.ok and "--locked" in done.output:
            raise StepFailed(f"{LOCK_FILE} is out of date with pyproject.toml: run `uv lock` in the project")
    else:
        copy = ctx.scratch / "unlocked"
        shutil.copytree(ctx.project.path, copy, ignore=_NOT_COPIED, symlinks=True)
        done = ctx.run(*command, timeout=900, cwd=copy)
    if done.returncode is None:
        raise StepFailed("uv sync did not finish within 900 s")
    if not done.ok:
        raise StepFailed(f"uv sync failed (exit {done.returncode})")


def lint(ctx: Context) -> None:
    check = ctx.run(ctx.tool("ruff"), "check", ".")
    form = ctx.run(ctx.tool("ruff"), "format", "--check", ".")
    failed = [name for name, done in (("ruff check", check), ("ruff format --check", form)) if not done.ok]
    if failed:
        raise StepFailed(" and ".join(failed) + " failed")


def types(ctx: Context) -> None:
    paths = [name for name in ("app", "tests") if (ctx.project.path / name).is_dir()]
    ctx.require(ctx.tool("mypy"), "--strict", *paths)


def tests(ctx: Context) -> None:
    ctx.require(ctx.tool("pytest"), "-q", "-p", "no:cacheprovider", timeout=1200)


# One Python process for the four commands: each `alembic` start imports the whole app.
_MIGRATIONS = """
import sys
from alembic.config import main
for command in (["upgrade", "head"], ["check"], ["downgrade", "base"], ["upgrade", "head"]):
    print("$ alembic", *command, flush=True)
    main(argv=command, prog="alembic")
"""


def migrations(ctx: Context) -> None:
    """Upgrade to head, check for drift, downgrade to base, upgrade again."""
    ctx.tool("alembic")
    done = ctx.run(ctx.tool("python"), "-c", _MIGRATIONS, timeout=600, label="alembic: four commands")
    if not done.ok:
        ran = re.findall(r"^\$ (alembic .+)$", done.output, re.MULTILINE)
        what = ran[-1] if ran else "alembic"
        raise StepFailed(f"{what} failed" + ("" if done.returncode is None else f" (exit {done.returncode})"))
    ctx.state["migrated"] = True


def boot(ctx: Context) -> None:
    with served(ctx) as app:
        ctx.note(f"ready: {app.base_url}/health answered 200 in {app.wait_ready():.1f} s")
        schema = app.request("GET", "/openapi.json")
        paths = schema.json_object().get("paths")
        if schema.status != 200 or not isinstance(paths, dict):
            raise StepFailed(f"/openapi.json answered {schema.status} without an OpenAPI document")
        ctx.note(f"/openapi.json: 200, {len(paths)} paths")
        docs = app.request("GET", "/docs")
        if docs.status != 200 or docs.content_type != "text/html":
            raise StepFailed(f"/docs answered {docs.status} ({docs.content_type})")
        ctx.note("/docs: 200")
        ctx.note(f"exited {app.stop():.1f} s after SIGTERM")


@contextlib.contextmanager
def served(ctx: Context) -> Iterator[App]:
    """The app on a free port, its database migrated first; its log tail joins a failure."""
    if ctx.project.has_migrations and not ctx.state.get("migrated"):
        ctx.require(ctx.tool("alembic"), "upgrade", "head", timeout=300)
        ctx.state["migrated"] = True
    with serving(ctx.venv / "bin", ctx.project.path, ctx.env, ctx.scratch / "app.log", ctx.processes) as app:
        try:
            yield app
        except BaseException:
            ctx.note(f"--- the app's log ---\n{log_excerpt(app.log_text())}")
            raise


_LOG_RECORD = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]|\{|INFO|WARNING|ERROR|DEBUG|CRITICAL)")


def log_excerpt(log: str, lines: int = 25) -> str:
    """The end of the app's last traceback when it has one (access lines hide it), else its last lines."""
    start = log.rfind("Traceback (most recent call last)")
    if start == -1:
        return tail(log, lines=10)
    block: list[str] = []
    for line in log[start:].splitlines():
        if block and _LOG_RECORD.match(line):
            break
        block.append(line)
    return "\n".join(block[-lines:])
