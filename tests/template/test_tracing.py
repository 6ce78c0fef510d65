"""The tracing option: what it adds to a project's files, dependencies, compose.yaml and
Kubernetes manifests (the project's own tests check the traces; the matrix runs them)."""

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.projects import project_environment, render_project, run

TOOLS = Path(sys.executable).parent
TRACING_FILES = ("app/core/tracing.py", "tests/test_tracing.py", "tests/fixtures/tracing.py")


def render(tmp_path: Path, **answers: Any) -> Path:
    return render_project(tmp_path / "svc", {"project_name": "Shop Floor", **answers})


def dependencies(project: Path) -> set[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return {canonicalize_name(Requirement(line).name) for line in pyproject["project"]["dependencies"]}


@pytest.mark.parametrize(
    ("tracing", "database", "cache", "instrumentations"),
    [
        ("none", "sqlite", "redis", set()),
        ("opentelemetry", "none", "none", set()),
        ("opentelemetry", "sqlite", "none", {"opentelemetry-instrumentation-sqlalchemy"}),
        (
            "opentelemetry",
            "postgresql",
            "redis",
            {"opentelemetry-instrumentation-sqlalchemy", "opentelemetry-instrumentation-redis"},
        ),
    ],
)
def test_files_and_dependencies_follow_the_option(
    tmp_path: Path, tracing: str, database: str, cache: str, instrumentations: set[str]
) -> None:
    project = render(tmp_path, tracing=tracing, database=database, cache=cache)
    traced = tracing == "opentelemetry"
    for path in TRACING_FILES:
        assert (project / path).is_file() is traced, path
    opentelemetry = {name for name in dependencies(project) if name.startswith("opentelemetry")}
    sdk = {"opentelemetry-sdk", "opentelemetry-exporter-otlp-proto-http"} if traced else set()
    assert opentelemetry == sdk | instrumentations


@pytest.mark.parametrize(
    ("worker", "tracing"), [("taskiq", "opentelemetry"), ("taskiq", "none"), ("none", "opentelemetry")]
)
def test_jobs_are_traced_only_with_both_options(tmp_path: Path, worker: str, tracing: str) -> None:
    project = render(tmp_path, worker=worker, tracing=tracing)
    both = worker == "taskiq" and tracing == "opentelemetry"
    assert (project / "tests" / "test_job_traces.py").is_file() is both
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    extras = {
        extra
        for line in pyproject["project"]["dependencies"]
        if (requirement := Requirement(line)).name == "taskiq"
        for extra in requirement.extras
    }
    assert extras == ({"opentelemetry"} if both else set())


def test_compose_passes_the_collector_endpoint_and_names_the_services(tmp_path: Path) -> None:
    project = render(tmp_path, tracing="opentelemetry", worker="taskiq")
    env = project_environment({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318"})
    result = run([str(TOOLS / "docker-compose"), "config", "--format", "json"], project, env)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for service, name in [("app", "shop-floor"), ("worker", "shop-floor-worker")]:
        environment = services[service]["environment"]
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert environment["OTEL_SERVICE_NAME"] == name


def test_compose_without_an_endpoint_exports_nowhere(tmp_path: Path) -> None:
    project = render(tmp_path, tracing="opentelemetry")
    env = project_environment()
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    result = run([str(TOOLS / "docker-compose"), "config", "--format", "json"], project, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["services"]["app"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == ""


@pytest.mark.parametrize("tracing", ["none", "opentelemetry"])
def test_kubernetes_names_the_service_of_its_spans(tmp_path: Path, tracing: str) -> None:
    project = render(tmp_path, tracing=tracing, deploy="kubernetes", database="postgresql", worker="taskiq")
    kustomization = yaml.safe_load((project / "k8s" / "kustomization.yaml").read_text())
    result = run(
        [str(TOOLS / "kubernetes-validate"), "--strict", *kustomization["resources"]], project / "k8s"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((project / "k8s" / "configmap.yaml").read_text())["data"]
    assert config.get("OTEL_SERVICE_NAME") == ("shop-floor" if tracing == "opentelemetry" else None)
    worker = yaml.safe_load((project / "k8s" / "worker-deployment.yaml").read_text())
    [container] = worker["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container.get("env", [])}
    assert env.get("OTEL_SERVICE_NAME") == ("shop-floor-worker" if tracing == "opentelemetry" else None)
