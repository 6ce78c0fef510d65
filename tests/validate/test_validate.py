import json
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import redis

from generator import validate as validation
from generator.errors import UsageError
from generator.lock import lock_project
from generator.validate import _STAGES, STEP_NAMES, Options, Report, selected_steps, validate
from generator.validate.databases import Servers
from generator.validate.processes import StepFailed
from generator.validate.steps import Context
from tests.projects import render_project, trellis
from tests.versions import commit_all, git


def statuses(report: Report) -> dict[str, str]:
    return {step.name: step.status for step in report.steps}


class TestSelectedSteps:
    def test_every_step_by_default(self) -> None:
        assert selected_steps() == STEP_NAMES

    def test_only_keeps_install_which_the_others_need(self) -> None:
        assert selected_steps(only={"boot", "lint"}) == ("install", "lint", "boot")

    def test_skip_leaves_steps_out(self) -> None:
        assert selected_steps(skip={"contract", "install"}) == (
            "lint",
            "types",
            "tests",
            "migrations",
            "boot",
        )

    def test_unknown_step_is_refused(self) -> None:
        with pytest.raises(UsageError, match="unknown step 'fuzz'"):
            selected_steps(skip={"fuzz"})

    def test_nothing_left_is_refused(self) -> None:
        with pytest.raises(UsageError, match="no step"):
            selected_steps(only={"lint"}, skip={"lint", "install"})


def test_every_step_has_one_place_in_the_stages() -> None:
    placed = [name for stage in _STAGES for lane in stage for name in lane]
    assert sorted(placed) == sorted(STEP_NAMES)


class TestBadInput:
    def test_a_directory_without_a_project_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match=r"no pyproject\.toml"):
            validate(tmp_path)

    def test_command_line_errors_are_one_line(self, tmp_path: Path) -> None:
        for args in [(str(tmp_path),), (str(tmp_path / "missing"),), (str(tmp_path), "--skip", "fuzz")]:
            result = trellis("validate", *args)
            assert result.returncode == 2, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert result.stderr.startswith("trellis: error: ")

    def test_skipping_install_needs_the_projects_own_environment(self, tmp_path: Path) -> None:
        (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
        with pytest.raises(UsageError, match=r"\.venv"):
            validate(tmp_path, Options(skip=frozenset({"install"})))


# Slow: real projects, installed from uv's cache, checked end to end.

BREAKS = {
    "lint": ("app/main.py", "\nimport os\n", "F401"),
    "tests": (
        "tests/test_broken_on_purpose.py",
        "def test_broken_on_purpose() -> None:\n    assert 1 == 2\n",
        "test_broken_on_purpose",
    ),
    "boot": (
        "app/main.py",
        "\n\ndef create_app() -> FastAPI:  # type: ignore[no-redef]\n"
        "    raise RuntimeError('broken on purpose')\n",
        "broken on purpose",
    ),
    "contract": (
        "app/main.py",
        "\n\n_create_app = create_app\n\n\ndef create_app() -> FastAPI:  # type: ignore[no-redef]\n"
        "    app = _create_app()\n\n    @app.get('/broken-on-purpose')\n"
        "    async def broken() -> dict[str, str]:\n        raise RuntimeError('broken on purpose')\n\n"
        "    return app\n",
        "GET /broken-on-purpose",
    ),
}


def committed(project: Path) -> str:
    """Commit the project; its `git status`, ignored files included, to compare with later."""
    commit_all(project, "Generated")
    return tree_status(project)


def tree_status(project: Path) -> str:
    return git(project, "status", "--porcelain", "--ignored", "--untracked-files=all")


@pytest.mark.slow
def test_a_rendered_default_project_passes_and_is_left_as_it_was(tmp_path: Path) -> None:
    project = render_project(tmp_path / "svc")  # no uv.lock: validate must not write one
    assert not (project / "uv.lock").exists()
    before = committed(project)
    report = validate(project)
    failures = {step.name: f"{step.detail}\n{step.output}" for step in report.failures}
    assert report.passed, failures
    ran = {name for name, status in statuses(report).items() if status == "passed"}
    assert ran >= {"install", "lint", "types", "tests", "boot", "contract"}
    assert ("migrations" in ran) == (project / "alembic.ini").is_file()
    assert tree_status(project) == before


@pytest.mark.slow
def test_a_stale_lock_fails_install_as_ci_would_and_stays_as_it_was(tmp_path: Path) -> None:
    project = render_project(tmp_path / "svc")
    lock_project(project)
    committed(project)
    lock = (project / "uv.lock").read_bytes()
    pyproject = project / "pyproject.toml"
    added = pyproject.read_text().replace("dependencies = [\n", 'dependencies = [\n    "idna>=3",\n')
    pyproject.write_text(added)
    before = tree_status(project)
    result = trellis("validate", str(project), "--only", "install", "--json")
    assert result.returncode == 1, result.stderr
    install = json.loads(result.stdout)["steps"][0]
    assert install["status"] == "failed"
    assert install["detail"] == "uv.lock is out of date with pyproject.toml: run `uv lock` in the project"
    assert (project / "uv.lock").read_bytes() == lock
    assert tree_status(project) == before


@pytest.mark.slow
@pytest.mark.parametrize("step", sorted(BREAKS))
def test_a_broken_project_fails_the_right_step_with_its_output(tmp_path: Path, step: str) -> None:
    project = render_project(tmp_path / "svc")
    path, text, evidence = BREAKS[step]
    with (project / path).open("a") as file:
        file.write(text)
    report = validate(project, Options(only=frozenset({step})))
    assert statuses(report)[step] == "failed"
    [failed] = report.failures
    assert evidence in failed.detail + failed.output, failed.output
    assert statuses(report)["install"] == "passed"


ADMINS_ONLY = (
    "\n\nfrom app.dependencies import AdminUser\n\n_create_app = create_app\n\n\n"
    "def create_app() -> FastAPI:  # type: ignore[no-redef]\n    app = _create_app()\n\n"
    "    @app.patch('/admins-only/{number}', responses={401: {}, 403: {}})\n"
    "    async def admins_only(_: AdminUser, number: int) -> dict[str, int]:\n"
    "        raise RuntimeError('broken for admins')\n\n    return app\n"
)


@pytest.mark.slow
def test_the_contract_signs_in_as_the_admin_where_users_are_refused(tmp_path: Path) -> None:
    project = render_project(tmp_path / "svc", {"database": "sqlite", "auth": "jwt", "rbac": True})
    with (project / "app" / "main.py").open("a") as file:
        file.write(ADMINS_ONLY)
    report = validate(project, Options(only=frozenset({"contract"})))
    [failed] = report.failures
    # Only the admin's requests get past the role check to the error.
    assert "PATCH /admins-only/{number}" in failed.output, failed.output


@pytest.mark.slow
def test_a_failed_install_skips_every_later_step(tmp_path: Path) -> None:
    project = render_project(tmp_path / "svc")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('requires-python = ">=', 'requires-python = ">=3.99,>=')
    )
    result = trellis("validate", str(project), "--json", "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [step["status"] for step in report["steps"]] == ["failed"] + ["skipped"] * (len(STEP_NAMES) - 1)
    assert "3.99" in report["steps"][0]["output"]
    [install] = ElementTree.parse(tmp_path / "junit.xml").getroot().iter("failure")
    assert str(install.get("message")).startswith("uv sync failed")


def installed_project(path: Path, answers: str | None = None) -> None:
    """The least a project needs for validate to run its steps without the install step: a
    pyproject.toml, an environment (this interpreter) and, if given, recorded answers."""
    (path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    if answers is not None:
        (path / ".copier-answers.yml").write_text(answers)
    (path / ".venv" / "bin").mkdir(parents=True)
    (path / ".venv" / "bin" / "python").symlink_to(sys.executable)


def test_a_cached_project_gets_the_given_redis_server_and_a_key_prefix_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the project's steps see; the matrix proves that the default server passes."""
    installed_project(tmp_path, "database: none\ncache: redis\n")
    seen: list[dict[str, str]] = []
    monkeypatch.setitem(validation.STEPS, "tests", lambda ctx: seen.append(ctx.env))
    servers = Servers(redis="redis://127.0.0.1:6390/3")
    report = validate(tmp_path, Options(skip=frozenset(STEP_NAMES) - {"tests"}, servers=servers))
    assert report.passed, report.failures
    [env] = seen
    assert env["REDIS_URL"] == "redis://127.0.0.1:6390/3"
    assert env["CACHE_PREFIX"].startswith("trellis-validate-")


def test_what_the_project_wrote_to_redis_under_its_prefix_is_gone_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_project(tmp_path, "database: sqlite\ncache: redis\nworker: taskiq\n")
    client = redis.Redis.from_url(Servers().redis)
    prefixes: list[str] = []

    def writes(ctx: Context) -> None:  # as the app's cache and the worker's queue do
        prefixes.append(ctx.env["CACHE_PREFIX"])
        client.set(f"{ctx.env['CACHE_PREFIX']}:generation", 1)
        client.xadd(ctx.env["WORKER_QUEUE"], {"job": "analyse_post"})
        client.set(f"other-{ctx.env['CACHE_PREFIX']}", 1)

    monkeypatch.setitem(validation.STEPS, "tests", writes)
    with client:
        report = validate(tmp_path, Options(skip=frozenset(STEP_NAMES) - {"tests"}))
        assert report.passed, report.failures
        [prefix] = prefixes
        assert list(client.scan_iter(match=f"{prefix}*")) == []
        assert client.delete(f"other-{prefix}") == 1  # a key outside the prefix is kept


def test_an_interrupted_validation_leaves_later_ones_in_the_process_unaffected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_project(tmp_path)
    lint_and_tests = Options(skip=frozenset(STEP_NAMES) - {"lint", "tests"})

    def runs(ctx: Context) -> None:
        if not ctx.run(sys.executable, "-c", "pass").ok:
            raise StepFailed("did not run")

    def interrupted(ctx: Context) -> None:
        raise KeyboardInterrupt

    monkeypatch.setitem(validation.STEPS, "tests", runs)
    monkeypatch.setitem(validation.STEPS, "lint", interrupted)
    with pytest.raises(KeyboardInterrupt):
        validate(tmp_path, lint_and_tests)
    monkeypatch.setitem(validation.STEPS, "lint", runs)
    report = validate(tmp_path, lint_and_tests)
    assert report.passed, report.failures
    assert statuses(report)["lint"] == statuses(report)["tests"] == "passed"
