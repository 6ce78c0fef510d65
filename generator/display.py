"""What validate and matrix show while they run: a live view at a terminal, plain lines elsewhere."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from generator.validate.report import duration

if TYPE_CHECKING:
    from generator.matrix import Combination, MatrixListener, MatrixReport, Outcome
    from generator.validate import Listener, Report, StepResult

_MARKS = {"passed": ("ok", "green"), "failed": ("FAILED", "bold red"), "skipped": ("skipped", "dim")}


def is_terminal() -> bool:
    return Console().is_terminal


def step_line(result: StepResult) -> str:
    mark = _MARKS[result.status][0]
    timing = f"{result.seconds:6.1f} s" if result.status != "skipped" else " " * 8
    detail = f"  {result.detail}" if result.detail else ""
    return f"{result.name:<11}{mark:<8}{timing}{detail}"


@contextmanager
def validate_display(steps: tuple[str, ...], live: bool) -> Iterator[Listener]:
    if not live:

        def plain(name: str, result: StepResult | None) -> None:
            if result is not None and name in steps:
                typer.echo(step_line(result))

        yield plain
        return
    view = _LiveSteps(steps)
    with Live(view, refresh_per_second=8, transient=False):
        yield view.update


class _LiveSteps:
    def __init__(self, steps: tuple[str, ...]) -> None:
        self.steps = steps
        self.results: dict[str, StepResult] = {}
        self.started: dict[str, float] = {}

    def update(self, name: str, result: StepResult | None) -> None:
        if result is None:
            self.started[name] = time.monotonic()
        else:
            self.results[name] = result

    def __rich__(self) -> Table:
        table = Table.grid(padding=(0, 2))
        for name in self.steps:
            if name in self.results:
                result = self.results[name]
                word, style = _MARKS[result.status]
                timing = f"{result.seconds:.1f} s" if result.status != "skipped" else ""
                table.add_row(Text(name, style), Text(word, style), timing, Text(result.detail, "dim"))
            elif name in self.started:
                elapsed = f"{time.monotonic() - self.started[name]:.0f} s"
                table.add_row(name, Spinner("dots", style="cyan"), elapsed, "")
            else:
                table.add_row(Text(name, "dim"), "", "", "")
        return table


def print_failures(report: Report) -> None:
    for step in report.failures:
        typer.echo(f"\n--- {step.name}: {step.detail} ---")
        if step.output:
            typer.echo(step.output.rstrip())
    verdict = "passed" if report.passed else "FAILED: " + ", ".join(s.name for s in report.failures)
    typer.echo(f"\n{verdict} ({duration(report.seconds)}) {report.project}")


@contextmanager
def matrix_display(total: int, live: bool) -> Iterator[MatrixListener]:
    lock = threading.Lock()
    done = 0
    running: list[str] = []

    def line(outcome: Outcome) -> str:
        nonlocal done
        done += 1
        failed = ", ".join(f"{s.name} ({s.detail})" for s in outcome.report.failures)
        verdict = "passed" if outcome.passed else f"FAILED {failed}"
        name = outcome.combination.name
        return f"[{done}/{total}] {name} {verdict} in {duration(outcome.report.seconds)}"

    if not live:

        def plain(combination: Combination, outcome: Outcome | None) -> None:
            if outcome is not None:
                with lock:
                    typer.echo(line(outcome))

        yield plain
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("starting", total=total)

        def live_update(combination: Combination, outcome: Outcome | None) -> None:
            with lock:
                if outcome is None:
                    running.append(combination.name)
                else:
                    running.remove(combination.name)
                    style = "green" if outcome.passed else "bold red"
                    progress.console.print(Text(line(outcome), style))
                    progress.advance(task)
                progress.update(task, description=", ".join(running) or "done")

        yield live_update


def print_summary(report: MatrixReport, live: bool) -> None:
    rows = []
    for outcome in report.outcomes:
        failed = ", ".join(step.name for step in outcome.report.failures)
        result = "passed" if outcome.passed else f"FAILED {failed}"
        rows.append(
            (outcome.combination.name, result, duration(outcome.report.seconds), outcome.combination.label)
        )
    passed = sum(outcome.passed for outcome in report.outcomes)
    verdict = (
        f"{passed} passed, {len(rows) - passed} failed in {duration(report.seconds)} ({report.jobs} jobs)"
    )
    if live:
        table = Table("combination", "result", "time", "options", title="trellis matrix")
        for name, result, seconds, label in rows:
            table.add_row(name, Text(result, "green" if result == "passed" else "bold red"), seconds, label)
        Console().print(table)
    else:
        for row in rows:
            typer.echo("  ".join(row))
    typer.echo(verdict)
