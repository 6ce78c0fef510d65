"""`trellis validate`: prove that a generated project installs, passes its checks, boots and
honours its own OpenAPI contract. A plain function returning a report; the CLI only prints it."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from generator.errors import TrellisError, UsageError
from generator.project import Project
from generator.template import TemplateSpec, load_spec
from generator.validate import steps
from generator.validate.contract import contract
from generator.validate.databases import Servers, scratch_databases, scratch_redis
from generator.validate.environment import project_environment
from generator.validate.processes import Processes, StepFailed, tail
from generator.validate.steps import Context

STEPS: dict[str, Callable[[Context], None]] = {
    "install": steps.install,
    "lint": steps.lint,
    "types": steps.types,
    "tests": steps.tests,
    "migrations": steps.migrations,
    "boot": steps.boot,
    "contract": contract,
}
STEP_NAMES = tuple(STEPS)
# A step that fails or does not run takes these with it.
_NEEDS = {"contract": "boot"}
# Stages in order; the lanes of a stage run side by side. The checks of the code need only
# the environment, the project's tests have a database of their own, and the steps that
# serve the app share its database, in order.
_STAGES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("install",),),
    (("lint", "types"), ("tests",)),
    (("migrations", "boot", "contract"),),
)

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class StepResult:
    name: str
    status: Status
    seconds: float = 0.0
    detail: str = ""
    output: str = ""


@dataclass(frozen=True)
class Report:
    project: str
    steps: tuple[StepResult, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(step.status != "failed" for step in self.steps)

    @property
    def failures(self) -> list[StepResult]:
        return [step for step in self.steps if step.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "passed": self.passed,
            "seconds": round(self.seconds, 2),
            "steps": [{**asdict(step), "seconds": round(step.seconds, 2)} for step in self.steps],
        }


@dataclass(frozen=True)
class Options:
    skip: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()
    servers: Servers = field(default_factory=Servers)
    examples: int = 10


# Called with (step, None) when a step starts and (step, result) when it is done.
Listener = Callable[[str, StepResult | None], None]


def selected_steps(skip: Iterable[str] = (), only: Iterable[str] = ()) -> tuple[str, ...]:
    """The steps to run: --only ones (with install, which the others need) less --skip ones."""
    skip, only = set(skip), set(only)
    for name in sorted(skip | only):
        if name not in STEPS:
            raise UsageError(f"unknown step '{name}': choose from {', '.join(STEP_NAMES)}")
    chosen = (only | {"install"}) if only else set(STEP_NAMES)
    chosen -= skip
    if not chosen:
        raise UsageError("no step is left to run")
    return tuple(name for name in STEP_NAMES if name in chosen)


def validate(
    project: Path,
    options: Options | None = None,
    listener: Listener | None = None,
    processes: Processes | None = None,
    spec: TemplateSpec | None = None,
) -> Report:
    """Validate `project`; its commands run as `processes` (a matrix shares one), else its own.

    The project's recorded answers, read with the template's computed values, say what it needs."""
    options = options or Options()
    processes = processes or Processes()
    path = project.expanduser().absolute()
    if not (path / "pyproject.toml").is_file():
        raise UsageError(f"'{project}' is not a project: it has no pyproject.toml")
    chosen = selected_steps(options.skip, options.only)
    if "install" in chosen and shutil.which("uv") is None:
        raise TrellisError(
            "uv is not on PATH: validate installs projects with it (https://docs.astral.sh/uv/)"
        )
    facts = Project.read(path, spec or load_spec())
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="trellis-validate-") as scratch_dir:
        scratch = Path(scratch_dir)
        venv = scratch / "venv" if "install" in chosen else path / ".venv"
        if "install" not in chosen and not (venv / "bin" / "python").exists():
            raise UsageError(f"without the install step, validate uses '{venv}', which does not exist")
        redis_env = redis_environment(facts, options, scratch)
        with (
            scratch_databases(
                facts.database_scheme, facts.database_server, options.servers, scratch
            ) as database_env,
            scratch_redis(redis_env.get("REDIS_URL"), redis_prefix(scratch)),
        ):
            env = project_environment(venv, {**database_env, **redis_env, **_outside(scratch)})
            context = Context(facts, venv, env, scratch, options.examples, processes)
            results = _run_steps(context, chosen, listener)
    return Report(str(path), tuple(results), time.monotonic() - start)


def redis_environment(facts: Project, options: Options, scratch: Path) -> dict[str, str]:
    """Redis for a project with cache=redis or worker=taskiq; the running app's cache keys and
    job queue stay apart from those of validations beside it."""
    env: dict[str, str] = {}
    prefix = redis_prefix(scratch)
    if facts.answers.get("cache") == "redis":
        env.update(REDIS_URL=options.servers.redis, CACHE_PREFIX=prefix)
    if facts.answers.get("worker") == "taskiq":
        env.update(REDIS_URL=options.servers.redis, WORKER_QUEUE=prefix)
    return env


def redis_prefix(scratch: Path) -> str:
    """The cache's key prefix and the job queue's name: unique to the validation."""
    return scratch.name


def _outside(scratch: Path) -> dict[str, str]:
    """The tools' caches and byte code in the scratch folder: validate leaves the project as it was."""
    return {
        "RUFF_CACHE_DIR": str(scratch / "ruff"),
        "MYPY_CACHE_DIR": str(scratch / "mypy"),
        "COVERAGE_FILE": str(scratch / ".coverage"),
        "PYTHONPYCACHEPREFIX": str(scratch / "pycache"),
    }


def _run_steps(context: Context, steps: tuple[str, ...], listener: Listener | None) -> list[StepResult]:
    results: dict[str, StepResult] = {}

    def lane(names: tuple[str, ...]) -> None:
        for name in names:
            result = _blocked(name, steps, results, context.project)
            if result is None:
                if listener:
                    listener(name, None)
                result = _run_step(name, context)
            results[name] = result
            if listener:
                listener(name, result)

    for stage in _STAGES:
        if len(stage) == 1:
            lane(stage[0])
            continue
        with ThreadPoolExecutor(len(stage), thread_name_prefix="trellis-validate") as pool:
            try:
                for future in [pool.submit(lane, names) for names in stage]:
                    future.result()
            except BaseException:
                context.processes.kill_all()
                raise
    return [results[name] for name in STEP_NAMES]


def _blocked(
    name: str, steps: tuple[str, ...], done: dict[str, StepResult], project: Project
) -> StepResult | None:
    if name not in steps:
        return StepResult(name, "skipped", detail="not selected")
    install = done.get("install")
    if install is not None and install.status == "failed":
        return StepResult(name, "skipped", detail="install failed")
    needed = done.get(_NEEDS.get(name, ""))
    if needed is not None and needed.status == "failed":
        return StepResult(name, "skipped", detail=f"{needed.name} failed")
    if name == "migrations" and not project.has_migrations:
        return StepResult(name, "skipped", detail="no alembic.ini")
    return None


def _run_step(name: str, shared: Context) -> StepResult:
    context = replace(shared, transcript=[])  # its own output; the state stays shared
    start = time.monotonic()
    try:
        STEPS[name](context)
    except StepFailed as exc:
        return _failed(name, start, str(exc), context)
    except (OSError, TrellisError) as exc:
        return _failed(name, start, f"{type(exc).__name__}: {exc}", context)
    return StepResult(name, "passed", time.monotonic() - start)


def _failed(name: str, start: float, detail: str, context: Context) -> StepResult:
    return StepResult(name, "failed", time.monotonic() - start, detail, tail("".join(context.transcript)))
