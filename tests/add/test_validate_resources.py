"""A project of each database and each auth mode, with the pair of resources added, passes
every step of `trellis validate`: the contract step fuzzes the new endpoints too."""

from pathlib import Path

import pytest

from generator.add.sample import add_pair
from generator.validate import validate
from tests.projects import render_project

# Each database once and each auth mode at least once; rbac and each error format too.
COMBINATIONS = [
    {"database": "sqlite", "auth": "jwt", "rbac": True, "errors": "problem"},
    {"database": "postgresql", "auth": "oauth2", "errors": "structured"},
    {"database": "mysql", "auth": "none", "errors": "fastapi"},
    {"database": "none", "auth": "jwt", "errors": "problem"},
    {"database": "sqlite", "auth": "none", "errors": "structured"},
]


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers", COMBINATIONS, ids=lambda answers: f"{answers['database']}-{answers['auth']}"
)
def test_a_project_with_added_resources_passes_validate(tmp_path: Path, answers: dict[str, object]) -> None:
    project = render_project(tmp_path / "service", answers)
    add_pair(project)
    assert (project / "tests/test_api/test_reviews.py").is_file()
    report = validate(project)
    failures = {step.name: f"{step.detail}\n{step.output[-3000:]}" for step in report.failures}
    assert report.passed, failures
    ran = {step.name for step in report.steps if step.status == "passed"}
    assert {"tests", "boot", "contract"} <= ran
    assert ("migrations" in ran) == (answers["database"] != "none")
