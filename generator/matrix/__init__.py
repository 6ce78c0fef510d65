"""`trellis matrix`: render combinations of options and validate each one, several at a time."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator import validate as validation
from generator.add.sample import add_pair
from generator.errors import TrellisError
from generator.matrix.combinations import (
    Combination,
    combinations,
    github_matrix,
    parse_filters,
    parse_shard,
    shard,
)
from generator.matrix.report import markdown
from generator.new import render
from generator.template import TemplateSpec, load_spec
from generator.validate.processes import Processes
from generator.validate.report import junit

__all__ = [
    "Combination",
    "MatrixReport",
    "Outcome",
    "combinations",
    "github_matrix",
    "parse_filters",
    "parse_shard",
    "run_matrix",
    "shard",
]


@dataclass(frozen=True)
class Outcome:
    combination: Combination
    report: validation.Report  # its first step is `render`

    @property
    def passed(self) -> bool:
        return self.report.passed


@dataclass(frozen=True)
class MatrixReport:
    outcomes: tuple[Outcome, ...]
    seconds: float
    jobs: int
    reports: tuple[Path, ...] = ()
    """matrix.md and junit.xml, as written."""

    @property
    def passed(self) -> bool:
        return all(outcome.passed for outcome in self.outcomes)


# Called with (combination, None) when it starts and (combination, outcome) when it is done.
MatrixListener = Callable[[Combination, Outcome | None], None]

# copier changes process-wide state (warning filters, git snapshots of a dirty checkout):
# renders take turns; the validations, where the time goes, run side by side.
_RENDER_LOCK = threading.Lock()


def run_matrix(
    items: Sequence[Combination],
    *,
    jobs: int,
    workdir: Path | None = None,
    report_dir: Path | None = None,
    options: validation.Options | None = None,
    keep: bool = False,
    listener: MatrixListener | None = None,
    spec: TemplateSpec | None = None,
    with_resource: bool = True,
) -> MatrixReport:
    """Validate each combination in WORKDIR/NAME, then write matrix.md and junit.xml to `report_dir`;
    `with_resource` adds the pair of resources of generator/add/sample.py to each first.

    Passed projects are removed unless `keep`; without a `workdir`, a temporary one is made,
    and removed when nothing in it is left to look at."""
    spec = spec or load_spec()
    made = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="trellis-matrix-")) if workdir is None else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    processes = Processes()  # the children of every validation of this run, ended together
    start = time.monotonic()

    def one(combination: Combination) -> Outcome:
        if listener:
            listener(combination, None)
        project = workdir / combination.name
        outcome = _validate_one(combination, project, options, spec, processes, with_resource)
        if outcome.passed and not keep:
            shutil.rmtree(workdir / combination.name, ignore_errors=True)
        if listener:
            listener(combination, outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="trellis-matrix") as pool:
        futures = [pool.submit(one, combination) for combination in items]
        try:
            outcomes = tuple(future.result() for future in futures)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            processes.kill_all()
            raise
    seconds, jobs = time.monotonic() - start, max(1, jobs)
    reports = _write_reports(report_dir, outcomes, seconds, jobs) if report_dir is not None else ()
    report = MatrixReport(outcomes, seconds, jobs, reports)
    if made and report.passed and not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _write_reports(
    folder: Path, outcomes: tuple[Outcome, ...], seconds: float, jobs: int
) -> tuple[Path, ...]:
    folder.mkdir(parents=True, exist_ok=True)
    summary, suites = folder / "matrix.md", folder / "junit.xml"
    summary.write_text(markdown(outcomes, seconds=seconds, jobs=jobs), encoding="utf-8")
    suites.write_text(junit([(o.combination.name, o.report) for o in outcomes]), encoding="utf-8")
    return summary, suites


def _validate_one(
    combination: Combination,
    project: Path,
    options: validation.Options | None,
    spec: TemplateSpec,
    processes: Processes,
    with_resource: bool = True,
) -> Outcome:
    start = time.monotonic()
    try:
        if project.exists():
            shutil.rmtree(project)
        with _RENDER_LOCK:
            render(project, combination.data, spec=spec)
            if with_resource:
                add_pair(project, spec)
    except TrellisError as exc:
        step = validation.StepResult("render", "failed", time.monotonic() - start, exc.message)
        return Outcome(combination, validation.Report(str(project), (step,), step.seconds))
    rendered = validation.StepResult("render", "passed", time.monotonic() - start)
    try:
        report = validation.validate(project, options, processes=processes, spec=spec)
    except TrellisError as exc:  # a server that does not answer, a missing uv
        failed = validation.StepResult("setup", "failed", detail=exc.message)
        report = validation.Report(str(project), (failed,), 0.0)
    steps = (rendered, *report.steps)
    return Outcome(combination, validation.Report(report.project, steps, time.monotonic() - start))
