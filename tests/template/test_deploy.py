"""CI files and Kubernetes manifests of generated projects, checked against their schemas."""

import sys
from pathlib import Path

import pytest
import yaml

from generator.errors import UsageError
from generator.template import load_spec
from tests.projects import Rendered, render_project, run

TOOLS = Path(sys.executable).parent
DATABASES = load_spec().question("database").values
SERVER_DATABASES = [database for database in DATABASES if database in ("postgresql", "mysql")]


def check_schema(project: Path, schema: str, path: str) -> None:
    result = run([str(TOOLS / "check-jsonschema"), "--builtin-schema", schema, path], project)
    assert result.returncode == 0, result.stdout + result.stderr


def check_github_workflow(project: Path) -> None:
    """GitHub's schema, then actionlint: expressions, job needs, shell scripts of `run:` steps."""
    check_schema(project, "vendor.github-workflows", ".github/workflows/ci.yml")
    result = run([str(TOOLS / "actionlint"), ".github/workflows/ci.yml"], project)
    assert result.returncode == 0, result.stdout + result.stderr


class TestCi:
    def test_github_workflow_is_valid_and_keeps_its_expressions(self, rendered: Rendered) -> None:
        project = rendered(ci="github")
        check_github_workflow(project)
        workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
        assert workflow["concurrency"]["group"] == "${{ github.workflow }}-${{ github.ref }}"
        build = next(step for step in workflow["jobs"]["image"]["steps"] if "with" in step)
        assert build["with"]["tags"] == "shop-floor:${{ github.sha }}"
        assert not (project / ".gitlab-ci.yml").exists()

    def test_github_runs_the_checks_then_builds_the_image(self, rendered: Rendered) -> None:
        workflow = yaml.safe_load((rendered(ci="github") / ".github/workflows/ci.yml").read_text())
        steps = [step.get("run") for step in workflow["jobs"]["checks"]["steps"]]
        for command in ("uv sync --locked", "uv run ruff check .", "uv run ruff format --check .",
                        "uv run mypy app tests", "uv run pytest"):  # fmt: skip
            assert command in steps
        assert workflow["jobs"]["checks"]["env"]["UV_PYTHON"] == "3.11"
        image = workflow["jobs"]["image"]
        assert image["needs"] == "checks"
        assert any(step.get("uses", "").startswith("docker/build-push-action@") for step in image["steps"])

    def test_github_starts_redis_for_the_cache(self, rendered: Rendered) -> None:
        project = rendered(ci="github", cache="redis")
        check_github_workflow(project)
        workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
        redis = workflow["jobs"]["checks"]["services"]["redis"]
        assert redis["ports"] == ["6379:6379"]
        assert "redis-cli ping" in redis["options"]

    @pytest.mark.parametrize("database", SERVER_DATABASES)
    def test_database_server_runs_as_a_service_container(self, rendered: Rendered, database: str) -> None:
        github = rendered(ci="github", database=database)
        check_github_workflow(github)
        workflow = yaml.safe_load((github / ".github/workflows/ci.yml").read_text())
        services = workflow["jobs"]["checks"]["services"]
        assert {"postgresql": "postgres", "mysql": "mysql"}[database] in services
        gitlab = rendered(ci="gitlab", database=database)
        pipeline = yaml.safe_load((gitlab / ".gitlab-ci.yml").read_text())
        assert pipeline["checks"]["services"][0]["name"].split(":")[0] in ("postgres", "mysql")
        assert "@" in pipeline["checks"]["variables"]["DATABASE_URL"]

    def test_gitlab_pipeline_is_valid(self, rendered: Rendered) -> None:
        project = rendered(ci="gitlab", cache="redis")
        check_schema(project, "vendor.gitlab-ci", ".gitlab-ci.yml")
        pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
        assert pipeline["stages"] == ["check", "build"]
        assert "uv sync --locked" in pipeline["checks"]["script"]
        assert pipeline["checks"]["variables"]["REDIS_URL"] == "redis://redis:6379/0"
        assert pipeline["build-image"]["needs"] == ["checks"]
        assert not (project / ".github").exists()

    def test_none_leaves_no_ci_files(self, rendered: Rendered) -> None:
        project = rendered(ci="none")
        assert not (project / ".github").exists()
        assert not (project / ".gitlab-ci.yml").exists()


class TestKubernetes:
    @pytest.mark.parametrize("database", [d for d in DATABASES if d not in SERVER_DATABASES])
    def test_is_refused_without_a_database_server(self, tmp_path: Path, database: str) -> None:
        with pytest.raises(UsageError, match="Kubernetes runs several replicas that must share one database"):
            render_project(tmp_path / "svc", {"deploy": "kubernetes", "database": database})
        assert not (tmp_path / "svc").exists()

    def test_none_leaves_no_manifests(self, rendered: Rendered) -> None:
        assert not (rendered() / "k8s").exists()

    @pytest.mark.parametrize("metrics", [True, False])
    def test_manifests_are_valid_against_the_kubernetes_schemas(
        self, rendered: Rendered, metrics: bool
    ) -> None:
        project = rendered(deploy="kubernetes", database=SERVER_DATABASES[0], metrics=metrics)
        manifests = sorted(path.name for path in (project / "k8s").glob("*.yaml"))
        kustomization = yaml.safe_load((project / "k8s" / "kustomization.yaml").read_text())
        manifests.remove("kustomization.yaml")
        assert sorted(kustomization["resources"]) == manifests
        result = run(
            [str(TOOLS / "kubernetes-validate"), "--strict", *kustomization["resources"]], project / "k8s"
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "passed" in result.stdout

    def test_deployment_probes_resources_and_graceful_stop(self, rendered: Rendered) -> None:
        project = rendered(deploy="kubernetes", database=SERVER_DATABASES[0])
        deployment = yaml.safe_load((project / "k8s" / "deployment.yaml").read_text())
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert set(container["resources"]) == {"requests", "limits"}
        assert pod["securityContext"]["runAsNonRoot"] is True
        config = yaml.safe_load((project / "k8s" / "configmap.yaml").read_text())["data"]
        assert pod["terminationGracePeriodSeconds"] > int(config["GRACEFUL_SHUTDOWN_TIMEOUT"]) + 5
        assert deployment["metadata"]["name"] == "shop-floor"

    def test_autoscaler_targets_the_deployment_and_the_job_migrates(self, rendered: Rendered) -> None:
        project = rendered(deploy="kubernetes", database=SERVER_DATABASES[0])
        hpa = yaml.safe_load((project / "k8s" / "hpa.yaml").read_text())
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "shop-floor"}
        assert hpa["spec"]["scaleTargetRef"] == target
        assert hpa["spec"]["minReplicas"] >= 2
        job = yaml.safe_load((project / "k8s" / "migration-job.yaml").read_text())
        assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["alembic", "upgrade", "head"]
        service = yaml.safe_load((project / "k8s" / "service.yaml").read_text())
        assert service["spec"]["selector"] == deployment_labels(project)


def deployment_labels(project: Path) -> dict[str, str]:
    deployment = yaml.safe_load((project / "k8s" / "deployment.yaml").read_text())
    labels: dict[str, str] = deployment["spec"]["selector"]["matchLabels"]
    return labels


def test_a_cache_is_refused_without_a_database(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing for a cache to spare"):
        render_project(tmp_path / "svc", {"cache": "redis", "database": "none"})
    assert not (tmp_path / "svc").exists()
