"""The matrix's markdown summary: a row per combination, and the output of each failure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.validate.report import clean, duration

if TYPE_CHECKING:
    from generator.matrix import Outcome
    from generator.validate import StepResult


def markdown(outcomes: Sequence[Outcome], *, seconds: float, jobs: int) -> str:
    failed = [outcome for outcome in outcomes if not outcome.passed]
    steps = list(dict.fromkeys(step.name for o in outcomes for step in o.report.steps))
    lines = [
        "# trellis matrix",
        "",
        f"{len(outcomes)} combinations: {len(outcomes) - len(failed)} passed, {len(failed)} failed, "
        f"in {duration(seconds)} with {jobs} jobs.",
        "",
        "| combination | result | time | " + " | ".join(steps) + " | options |",
        "| --- | --- | --- | " + " | ".join("---" for _ in steps) + " | --- |",
    ]
    for outcome in outcomes:
        by_name = {step.name: step for step in outcome.report.steps}
        cells = [_cell(by_name[name]) if name in by_name else "" for name in steps]
        result = "passed" if outcome.passed else "**FAILED**"
        row = [outcome.combination.name, result, duration(outcome.report.seconds), *cells]
        lines.append("| " + " | ".join(row) + f" | `{outcome.combination.label}` |")
    for outcome in failed:
        lines += ["", f"## {outcome.combination.name}", "", f"`{outcome.combination.label}`"]
        lines.append(f"project kept at `{outcome.report.project}`")
        for step in outcome.report.failures:
            lines += ["", f"### {step.name}: {step.detail}", "", *_fenced(clean(step.output))]
    return "\n".join(lines) + "\n"


def _cell(step: StepResult) -> str:
    if step.status == "passed":
        return f"{step.seconds:.1f} s"
    if step.status == "failed":
        return f"**failed** {step.seconds:.1f} s"
    return "-"


def _fenced(text: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [fence + "text", text, fence]
