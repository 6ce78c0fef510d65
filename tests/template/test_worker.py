"""The worker option: refused without a database, and what it adds to a project (modules,
dependencies, migration, compose, Kubernetes, CI), checked by parsing and running them."""

import ast
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from generator.errors import UsageError
from generator.project import Project
from generator.template import load_spec
from generator.validate import Options, redis_environment
from tests.projects import (
    assert_one_line_error,
    check_project,
    project_environment,
    render_project,
    run,
    trellis,
)

TOOLS = Path(sys.executable).parent
REFUSAL = "The worker's jobs read and write the database"
WORKER_COMMAND = ["taskiq", "worker", "app.worker:broker"]
PROBE = ["python", "-m", "app.jobs.health"]
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Any:
    rendered: dict[str, Path] = {}

    def render(**answers: Any) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in rendered:
            destination = tmp_path_factory.mktemp("project") / "svc"
            rendered[key] = render_project(destination, {"project_name": "Shop Floor", **answers})
        return rendered[key]

    return render


def dependencies(project: Path) -> set[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return {requirement.split(">")[0].split("[")[0] for requirement in pyproject["project"]["dependencies"]}


def compose_services(project: Path) -> dict[str, Any]:
    env = project_environment({"SECRET_KEY": "a-secret-key-only-for-compose-config-0123456789"})
    result = run([str(TOOLS / "docker-compose"), "config", "--format", "json"], project, env)
    assert result.returncode == 0, result.stderr
    services: dict[str, Any] = json.loads(result.stdout)["services"]
    return services


def defined_names(module: Path) -> set[str]:
    tree = ast.parse(module.read_text())
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    } | {node.name for node in tree.body if isinstance(node, DEFINITIONS)}


class TestRefusal:
    def test_plain_copier_refuses_a_worker_without_a_database(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match=REFUSAL):
            copier.run_copy(
                str(load_spec().root),
                str(tmp_path / "svc"),
                data={"database": "none", "worker": "taskiq"},
                defaults=True,
                vcs_ref="HEAD",
                quiet=True,
            )
        assert not (tmp_path / "svc").exists()

    def test_trellis_refuses_a_worker_without_a_database_in_one_line(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--worker=taskiq", "--db=none")
        assert_one_line_error(result, 2, REFUSAL)
        assert list(tmp_path.iterdir()) == []

    def test_render_refuses_it_and_leaves_nothing_behind(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match=REFUSAL):
            render_project(tmp_path / "svc", {"worker": "taskiq", "database": "none"})
        assert not (tmp_path / "svc").exists()

    def test_options_say_what_a_worker_needs(self) -> None:
        result = trellis("options", "--json")
        assert result.returncode == 0, result.stderr
        [worker] = [
            question for question in json.loads(result.stdout)["questions"] if question["name"] == "worker"
        ]
        assert worker["default"] == "none"
        assert worker["choice_needs"] == {"taskiq": "a database"}


class TestProject:
    @pytest.mark.parametrize("worker", ["none", "taskiq"])
    def test_modules_dependencies_and_migration_follow_the_option(self, render: Any, worker: str) -> None:
        project = render(worker=worker)
        taskiq = worker == "taskiq"
        assert ({"taskiq", "taskiq-redis"} <= dependencies(project)) is taskiq
        assert (project / "app" / "worker.py").is_file() is taskiq
        assert (project / "app" / "jobs").is_dir() is taskiq
        assert (project / "alembic" / "versions" / "0002_post_reading_stats.py").is_file() is taskiq
        assert (project / "tests" / "test_jobs.py").is_file() is taskiq
        assert ("WORKER_QUEUE" in dotenv_names(project)) is taskiq

    def test_the_entry_point_names_a_broker_and_the_jobs_are_registered_by_name(self, render: Any) -> None:
        project = render(worker="taskiq")
        assert "broker" in defined_names(project / "app" / "worker.py")
        assert {"create_broker", "prepare", "JOBS"} <= defined_names(project / "app" / "jobs" / "broker.py")
        assert "analyse_post" in defined_names(project / "app" / "jobs" / "post_stats.py")

    def test_the_migration_follows_the_initial_one(self, render: Any) -> None:
        versions = render(worker="taskiq") / "alembic" / "versions"
        names = defined_names(versions / "0002_post_reading_stats.py")
        assert {"upgrade", "downgrade"} <= names
        module = ast.parse((versions / "0002_post_reading_stats.py").read_text())
        values = {
            node.target.id: ast.literal_eval(node.value)
            for node in module.body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value
        }
        assert (values["revision"], values["down_revision"]) == ("0002", "0001")


def dotenv_names(project: Path) -> set[str]:
    lines = (project / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}


class TestCompose:
    @pytest.mark.parametrize(
        ("database", "cache"), [("sqlite", "none"), ("postgresql", "redis"), ("mysql", "none")]
    )
    def test_the_worker_runs_beside_the_app_and_waits_for_its_dependencies(
        self, render: Any, database: str, cache: str
    ) -> None:
        services = compose_services(render(worker="taskiq", database=database, cache=cache))
        worker = services["worker"]
        assert worker["command"] == WORKER_COMMAND
        assert worker["healthcheck"]["test"] == ["CMD", *PROBE]
        expected = {"migrate", "redis"} | ({"db"} if database != "sqlite" else set())
        assert set(worker["depends_on"]) == expected
        assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
        assert worker["environment"]["REDIS_URL"] == services["app"]["environment"]["REDIS_URL"]
        assert worker["environment"].get("DATABASE_URL") == services["app"]["environment"].get("DATABASE_URL")
        assert "redis" in services["app"]["depends_on"]
        redis = services["redis"]["command"]
        assert redis[redis.index("--appendonly") + 1] == "yes"
        assert redis[redis.index("--maxmemory-policy") + 1] == "volatile-lru"

    def test_no_worker_no_worker_service(self, render: Any) -> None:
        assert "worker" not in compose_services(render(database="postgresql"))


class TestKubernetes:
    def test_the_worker_deployment_is_applied_and_valid(self, render: Any) -> None:
        project = render(worker="taskiq", deploy="kubernetes", database="postgresql")
        k8s = project / "k8s"
        kustomization = yaml.safe_load((k8s / "kustomization.yaml").read_text())
        assert "worker-deployment.yaml" in kustomization["resources"]
        result = run([str(TOOLS / "kubernetes-validate"), "--strict", "worker-deployment.yaml"], k8s)
        assert result.returncode == 0, result.stdout + result.stderr
        deployment = yaml.safe_load((k8s / "worker-deployment.yaml").read_text())
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"][:3] == WORKER_COMMAND
        assert container["livenessProbe"]["exec"]["command"] == PROBE
        app = yaml.safe_load((k8s / "deployment.yaml").read_text())
        assert container["envFrom"] == app["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        # Apart from the app's: its Service and autoscaler never select the worker's pods.
        app_labels = app["spec"]["selector"]["matchLabels"]
        assert deployment["spec"]["selector"]["matchLabels"] != app_labels

    def test_without_a_worker_there_is_no_worker_deployment(self, render: Any) -> None:
        k8s = render(deploy="kubernetes", database="postgresql") / "k8s"
        assert not (k8s / "worker-deployment.yaml").exists()


class TestCi:
    def test_github_starts_redis_for_the_worker_tests(self, render: Any) -> None:
        project = render(worker="taskiq", ci="github")
        workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
        checks = workflow["jobs"]["checks"]
        assert checks["services"]["redis"]["ports"] == ["6379:6379"]
        assert checks["env"]["REDIS_URL"] == "redis://127.0.0.1:6379/0"

    def test_gitlab_starts_redis_for_the_worker_tests(self, render: Any) -> None:
        project = render(worker="taskiq", ci="gitlab")
        pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
        assert [service["name"] for service in pipeline["checks"]["services"]] == ["redis:8"]
        assert pipeline["checks"]["variables"]["REDIS_URL"] == "redis://redis:6379/0"


class TestValidate:
    @pytest.mark.parametrize(
        ("answers", "expected"),
        [
            ({"worker": "taskiq"}, {"REDIS_URL", "WORKER_QUEUE"}),
            ({"cache": "redis"}, {"REDIS_URL", "CACHE_PREFIX"}),
            ({"cache": "redis", "worker": "taskiq"}, {"REDIS_URL", "CACHE_PREFIX", "WORKER_QUEUE"}),
            ({}, set()),
        ],
    )
    def test_validate_gives_the_project_redis_and_a_queue_of_its_own(
        self, tmp_path: Path, answers: dict[str, str], expected: set[str]
    ) -> None:
        env = redis_environment(Project(tmp_path, answers), Options(), tmp_path / "scratch-1")
        assert set(env) == expected
        assert all(env[name] == "scratch-1" for name in expected - {"REDIS_URL"})


@pytest.mark.slow
def test_a_project_with_a_worker_and_a_cache_passes_its_own_checks(tmp_path: Path) -> None:
    """Its jobs in-process, and through the Redis of REDIS_URL (this machine's by default)."""
    check_project(render_project(tmp_path / "svc", {"worker": "taskiq", "cache": "redis"}))
