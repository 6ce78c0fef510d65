from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator import matrix
from generator.cli import app
from generator.template import load_spec
from generator.validate import Options, Report, StepResult


@pytest.mark.slow
@pytest.mark.parametrize("combination", matrix.combinations(load_spec()), ids=lambda c: c.name)
def test_each_combination_of_the_pairwise_matrix_passes(
    tmp_path: Path, combination: matrix.Combination
) -> None:
    """What CI proves on every change: each preset and a pairwise set of the options, with the
    sample resource pair added, on the real database servers. One test per combination, so that
    the workers share them out."""
    report = matrix.run_matrix([combination], workdir=tmp_path, jobs=1, options=Options())
    [outcome] = report.outcomes
    failures = [f"{step.name}: {step.detail}\n{step.output}" for step in outcome.report.failures]
    assert outcome.passed, f"{combination.label}\n" + "\n".join(failures)
    assert [step.name for step in outcome.report.steps][:2] == ["render", "install"]
    assert list(tmp_path.iterdir()) == []  # a project that passed is removed


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
