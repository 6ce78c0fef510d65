"""Reports of validations: JUnit XML (one suite per project) and a markdown summary."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.matrix import Outcome
    from generator.validate import Report, StepResult

# Characters XML 1.0 cannot hold (terminal control codes in tool output).
_NOT_XML = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def junit(suites: Sequence[tuple[str, Report]]) -> str:
    root = ET.Element("testsuites", name="trellis")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for name, report in suites:
        counts = {
            "tests": len(report.steps),
            "failures": sum(step.status == "failed" for step in report.steps),
            "skipped": sum(step.status == "skipped" for step in report.steps),
        }
        attributes = {"name": name, "time": f"{report.seconds:.2f}"} | {k: str(v) for k, v in counts.items()}
        suite = ET.SubElement(root, "testsuite", attributes)
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="project", value=report.project)
        for step in report.steps:
            case = ET.SubElement(
                suite, "testcase", classname=name, name=step.name, time=f"{step.seconds:.2f}"
            )
            if step.status == "failed":
                ET.SubElement(case, "failure", message=_clean(step.detail)).text = _clean(step.output)
            elif step.status == "skipped":
                ET.SubElement(case, "skipped", message=_clean(step.detail))
        for key, value in counts.items():
            totals[key] += value
    root.attrib.update({key: str(value) for key, value in totals.items()})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


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
            lines += ["", f"### {step.name}: {step.detail}", "", *_fenced(_clean(step.output))]
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
