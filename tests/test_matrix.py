import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import copier
import pytest
from typer.testing import CliRunner

from generator import matrix
from generator._pairwise import pairs
from generator._report import junit, markdown
from generator.cli import app
from generator.errors import UsageError
from generator.template import TemplateSpec, load_spec
from generator.validate import Options, Report, StepResult

# A template with the shapes the real one grows into: a question asked only for some
# answers, a validator refusing a combination, a disabled choice, a computed value.
OPTIONS_YML = """\
_subdirectory: template
_answers_file: .copier-answers.yml
project_name:
  type: str
  default: Sample
python_version:
  type: str
  default: "3.11"
  choices: ["3.11", "3.12", "3.13"]
database:
  type: str
  default: sqlite
  choices:
    SQLite: sqlite
    PostgreSQL: postgresql
    MySQL: mysql
    None: none
auth:
  type: str
  default: none
  choices: [none, jwt, oauth2]
rbac:
  type: bool
  default: false
  when: "{{ auth != 'none' }}"
  validator: "{% if rbac and auth == 'none' %}RBAC needs auth{% endif %}"
sqlalchemy:
  type: bool
  when: false
  default: "{{ database != 'none' }}"
errors:
  type: str
  default: fastapi
  choices:
    FastAPI: fastapi
    Structured: structured
    Problem:
      value: problem
      validator: "{% if not sqlalchemy %}problem details need a database here{% endif %}"
metrics:
  type: bool
  default: false
"""


@pytest.fixture(scope="module")
def options_spec(tmp_path_factory: pytest.TempPathFactory) -> TemplateSpec:
    root = tmp_path_factory.mktemp("options-template")
    (root / "copier.yml").write_text(OPTIONS_YML)
    (root / "template").mkdir()
    (root / "template" / "answers.txt.jinja").write_text("{{ database }} {{ auth }}\n")
    (root / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    (root / "presets").mkdir()
    (root / "presets" / "minimal.yml").write_text("database: none\n")
    (root / "presets" / "full.yml").write_text(
        "database: postgresql\nauth: jwt\nrbac: true\nerrors: problem\n"
    )
    return load_spec(root)


def every_pair(combinations: list[dict[str, Any]]) -> set[tuple[tuple[str, Any], ...]]:
    return set().union(*(pairs(answers) for answers in combinations))


def options_of(items: list[matrix.Combination]) -> list[dict[str, Any]]:
    return [dict(item.options) for item in items]


class TestCombinations:
    def test_presets_come_first_under_their_names(self, options_spec: TemplateSpec) -> None:
        items = matrix.combinations(options_spec)
        assert [item.name for item in items[:2]] == ["full", "minimal"]
        assert items[0].options["rbac"] is True
        assert all(item.name.startswith("pairwise-") for item in items[2:])

    def test_every_pair_of_values_of_two_questions_appears(self, options_spec: TemplateSpec) -> None:
        everything = options_of(matrix.combinations(options_spec, full=True))
        pairwise = options_of(matrix.combinations(options_spec))
        assert every_pair(pairwise) == every_pair(everything)
        assert len(pairwise) < len(everything) / 5

    def test_every_pair_appears_for_the_real_template(self) -> None:
        spec = load_spec()
        everything = options_of(matrix.combinations(spec, full=True))
        assert every_pair(options_of(matrix.combinations(spec))) == every_pair(everything)

    def test_refused_combinations_are_never_emitted(self, options_spec: TemplateSpec) -> None:
        for options in options_of(matrix.combinations(options_spec, full=True)):
            assert not (options["database"] == "none" and options["errors"] == "problem"), options
            assert ("rbac" in options) == (options["auth"] != "none"), options

    def test_the_real_template_never_gets_rbac_without_auth(self) -> None:
        spec = load_spec()
        if "rbac" not in {question.name for question in spec.questions}:
            pytest.skip("this template has no rbac question")
        for options in options_of(matrix.combinations(spec, full=True)):
            assert ("rbac" in options) == (options["auth"] != "none"), options

    def test_the_full_product_is_every_accepted_combination(self, options_spec: TemplateSpec) -> None:
        # 3 pythons x 2 metrics x (3 sql databases x 3 errors + none x 2 errors) x (none + 2 auths x 2 rbac)
        assert len(matrix.combinations(options_spec, full=True)) == 3 * 2 * 11 * 5

    def test_copier_accepts_what_is_emitted_and_refuses_what_is_not(
        self, options_spec: TemplateSpec, tmp_path: Path
    ) -> None:
        for number, item in enumerate(matrix.combinations(options_spec)):
            copier.run_copy(
                str(options_spec.root), str(tmp_path / str(number)), data=dict(item.data), defaults=True
            )
        with pytest.raises(ValueError, match="problem details need a database"):
            copier.run_copy(
                str(options_spec.root),
                str(tmp_path / "x"),
                data={"database": "none", "errors": "problem"},
                defaults=True,
            )

    def test_the_set_is_the_same_every_time(self, options_spec: TemplateSpec) -> None:
        assert matrix.combinations(options_spec) == matrix.combinations(options_spec)

    def test_only_keeps_one_value_and_still_covers_the_other_pairs(self, options_spec: TemplateSpec) -> None:
        only = matrix.parse_filters(options_spec, ["database=postgresql", "auth=jwt", "auth=oauth2"])
        items = matrix.combinations(options_spec, only=only)
        assert items[0].name == "full"
        assert {item.options["database"] for item in items} == {"postgresql"}
        assert {item.options["auth"] for item in items} == {"jwt", "oauth2"}
        everything = options_of(matrix.combinations(options_spec, full=True, only=only))
        assert every_pair(options_of(items)) == every_pair(everything)

    @pytest.mark.parametrize(
        ("item", "message"),
        [
            ("database", "key=value"),
            ("colour=blue", "colour"),
            ("database=oracle", "oracle"),
            ("project_name=x", "free"),
        ],
    )
    def test_bad_filters_are_refused(self, options_spec: TemplateSpec, item: str, message: str) -> None:
        with pytest.raises(UsageError, match=message):
            matrix.parse_filters(options_spec, [item])


class TestShards:
    @pytest.mark.parametrize("count", [1, 2, 3, 5, 40])
    def test_shards_partition_the_set(self, options_spec: TemplateSpec, count: int) -> None:
        items = matrix.combinations(options_spec)
        slices = [matrix.shard(items, index, count) for index in range(1, count + 1)]
        names = [item.name for piece in slices for item in piece]
        assert sorted(names) == sorted(item.name for item in items)
        assert len(names) == len(set(names))
        assert max(map(len, slices)) - min(map(len, slices)) <= 1
        assert slices == [
            matrix.shard(matrix.combinations(options_spec), i, count) for i in range(1, count + 1)
        ]

    @pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
    def test_bad_shards_are_refused(self, text: str) -> None:
        with pytest.raises(UsageError, match="I/N"):
            matrix.parse_shard(text)

    def test_github_matrix_lists_every_shard_and_every_combination(self, options_spec: TemplateSpec) -> None:
        items = matrix.combinations(options_spec)
        include = matrix.github_matrix(items, 3)["include"]
        assert [entry["shard"] for entry in include] == ["1/3", "2/3", "3/3"]
        listed = [name for entry in include for name in entry["combinations"].split()]
        assert sorted(listed) == sorted(item.name for item in items)

    def test_github_matrix_makes_no_empty_shard(self, options_spec: TemplateSpec) -> None:
        items = matrix.combinations(options_spec)[:2]
        assert [entry["shard"] for entry in matrix.github_matrix(items, 5)["include"]] == ["1/2", "2/2"]


def trellis(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, text=True, check=False
    )


class TestCommand:
    def test_list_prints_presets_and_the_pairwise_set(self) -> None:
        result = trellis("matrix", "--list")
        assert result.returncode == 0, result.stderr
        names = [line.split()[0] for line in result.stdout.splitlines()]
        assert names == [item.name for item in matrix.combinations(load_spec())]
        assert set(load_spec().presets) <= set(names)

    def test_list_of_one_shard(self) -> None:
        everything = trellis("matrix", "--list").stdout.splitlines()
        assert trellis("matrix", "--list", "--shard", "2/2").stdout.splitlines() == everything[1::2]

    def test_github_matrix_is_json(self) -> None:
        result = trellis("matrix", "--github-matrix", "--shards", "2")
        assert result.returncode == 0, result.stderr
        assert [entry["shard"] for entry in json.loads(result.stdout)["include"]] == ["1/2", "2/2"]

    @pytest.mark.parametrize(
        ("args", "fragment"), [(("--shard", "3/2"), "I/N"), (("--only", "colour=blue"), "colour")]
    )
    def test_bad_input_is_one_line(self, args: tuple[str, ...], fragment: str) -> None:
        result = trellis("matrix", "--list", *args)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr


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


def test_pairs_hold_values_alone_and_in_twos() -> None:
    assert pairs({"a": 1, "b": 2}) == {(("a", 1),), (("b", 2),), (("a", 1), ("b", 2))}


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
