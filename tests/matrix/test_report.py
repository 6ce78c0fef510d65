import xml.etree.ElementTree as ET

from generator import matrix
from generator.matrix.report import markdown
from generator.validate import Report, StepResult
from generator.validate.report import junit


def outcome(name: str, *steps: StepResult) -> matrix.Outcome:
    combination = matrix.Combination(name, {"database": "sqlite"}, {"database": "sqlite"})
    return matrix.Outcome(combination, Report(f"/work/{name}", steps, 3.0))


class TestReports:
    def test_markdown_has_a_row_per_combination_and_the_failure_tail(self) -> None:
        outcomes = [
            outcome("standard", StepResult("render", "passed", 0.4), StepResult("lint", "passed", 1.0)),
            outcome(
                "pairwise-01", StepResult("lint", "failed", 1.0, "ruff check failed", "app/x.py:1: F401\n")
            ),
        ]
        text = markdown(outcomes, seconds=65, jobs=2)
        assert "2 combinations: 1 passed, 1 failed, in 1 min 5 s with 2 jobs." in text
        assert "| standard | passed |" in text
        assert "| pairwise-01 | **FAILED** |" in text
        assert "### lint: ruff check failed" in text
        assert "app/x.py:1: F401" in text

    def test_junit_has_a_suite_per_combination(self) -> None:
        failed = StepResult("boot", "failed", 2.0, "the app exited", "Traceback\x1b[31m boom\x00\n")
        suites = [
            ("standard", Report("/w/standard", (StepResult("boot", "passed", 1.0),), 1.0)),
            (
                "pairwise-01",
                Report("/w/p1", (failed, StepResult("contract", "skipped", 0, "boot failed")), 2.0),
            ),
        ]
        root = ET.fromstring(junit(suites))
        assert root.attrib["tests"] == "3"
        assert root.attrib["failures"] == "1"
        assert root.attrib["skipped"] == "1"
        failure = root.find("testsuite[@name='pairwise-01']/testcase[@name='boot']/failure")
        assert failure is not None
        assert failure.attrib["message"] == "the app exited"
        assert failure.text == "Traceback boom\n"
