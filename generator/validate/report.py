"""Reports of validations: JUnit XML, one suite per project."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.validate import Report

# Characters XML 1.0 cannot hold (terminal control codes in tool output).
_NOT_XML = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
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
                ET.SubElement(case, "failure", message=clean(step.detail)).text = clean(step.output)
            elif step.status == "skipped":
                ET.SubElement(case, "skipped", message=clean(step.detail))
        for key, value in counts.items():
            totals[key] += value
    root.attrib.update({key: str(value) for key, value in totals.items()})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"
