"""This repository's own CI workflow: valid for GitHub, and fanning the matrix out as trellis plans it."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from generator.matrix import combinations, github_matrix
from generator.template import load_spec

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def test_the_workflow_is_valid_against_githubs_schema() -> None:
    check = Path(sys.executable).with_name("check-jsonschema")
    command = [str(check), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_passes_actionlint() -> None:
    actionlint = Path(sys.executable).with_name("actionlint")
    result = subprocess.run([str(actionlint), str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_shard_of_the_plan_runs_on_its_own_runner_with_the_servers() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    plan = jobs["plan"]["steps"][-1]["run"]
    count = int(re.findall(r"--shards (\d+)", plan)[0])
    shards = github_matrix(combinations(load_spec()), count)["include"]
    assert len(shards) == count
    matrix = jobs["matrix"]
    assert matrix["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert {"postgres", "mariadb", "redis"} <= set(matrix["services"])
    runs = " ".join(step.get("run", "") for step in matrix["steps"])
    assert '--shard "${{ matrix.shard }}"' in runs
    json.dumps(shards)  # what the plan job prints


def test_lint_types_and_the_fast_tests_run_on_every_push_and_pull_request() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert set(workflow[True]) >= {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    commands = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    for command in ("uv run ruff check .", "uv run ruff format --check .", "uv run mypy"):
        assert command in commands
    assert any(c.startswith('uv run pytest -m "not slow"') for c in commands)
