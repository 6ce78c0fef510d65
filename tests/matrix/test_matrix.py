import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator import matrix
from generator.cli import app
from generator.template import load_spec
from generator.validate import Options, Report, StepResult


def trellis(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.slow
def test_the_pairwise_matrix_passes(tmp_path: Path) -> None:
    """What CI proves on every change: each preset and a pairwise set of the options."""
    items = matrix.combinations(load_spec())
    jobs = max(1, min(2, os.cpu_count() or 1))
    report = matrix.run_matrix(items, workdir=tmp_path, jobs=jobs, options=Options())
    failures = {
        outcome.combination.name: [
            f"{step.name}: {step.detail}\n{step.output}" for step in outcome.report.failures
        ]
        for outcome in report.outcomes
        if not outcome.passed
    }
    assert not failures, "\n".join(f"{name} ({', '.join(fails)})" for name, fails in failures.items())
    assert [outcome.combination for outcome in report.outcomes] == items
    assert sorted(path.name for path in tmp_path.iterdir()) == []


@pytest.mark.parametrize("keep", [True, False])
def test_keep_keeps_the_projects_that_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: bool
) -> None:
    def passes(combination: matrix.Combination, project: Path, *args: object) -> matrix.Outcome:
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text("")
        step = StepResult("render", "passed")
        return matrix.Outcome(combination, Report(str(project), (step,), 0.0))

    monkeypatch.setattr(matrix, "_validate_one", passes)
    workdir = tmp_path / "work"
    args = ["matrix", "--only", "database=sqlite", "--workdir", str(workdir), "-j", "1"]
    args += ["--report-dir", str(tmp_path / "report"), "--keep" if keep else "--no-keep"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    kept = sorted(path.name for path in workdir.iterdir())
    if keep:
        assert kept
        assert all((workdir / name / "pyproject.toml").is_file() for name in kept)
    else:
        assert kept == []
