import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_copie.plugin import Copie

from generator.origin import rendering_copy
from generator.template import load_spec
from tests.projects import render_project
from tests.versions import NEW, OLD, Renders, TemplateRepo, make_template_repo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _isolated_copier_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user's own copier defaults must not leak into rendered projects."""
    settings = tmp_path_factory.mktemp("copier") / "settings.yml"
    settings.write_text("{}\n")
    previous = os.environ.get("COPIER_SETTINGS_PATH")
    os.environ["COPIER_SETTINGS_PATH"] = str(settings)
    yield
    if previous is None:
        os.environ.pop("COPIER_SETTINGS_PATH", None)
    else:
        os.environ["COPIER_SETTINGS_PATH"] = previous


@pytest.fixture
def own_copier_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copier mirrors remote templates in a cache keyed by URL: keep each test's apart."""
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))


@pytest.fixture(scope="session")
def template_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template's files as git sees them, without git: copier renders it without a clone."""
    snapshot = tmp_path_factory.mktemp("template")
    with rendering_copy(ROOT) as files:
        shutil.copytree(files, snapshot, dirs_exist_ok=True)
    return snapshot


@pytest.fixture
def copie(tmp_path: Path, _copier_config_file: Path, template_snapshot: Path) -> Copie:
    """pytest-copie's renderer, from the snapshot of the template instead of a clone of the checkout."""
    (tmp_path / "copie").mkdir()
    return Copie(
        default_template_dir=template_snapshot, test_dir=tmp_path / "copie", config_file=_copier_config_file
    )


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """A throwaway public copy of this repository, with tagged versions (tests/versions.py); a
    test that changes it makes its own."""
    return make_template_repo(tmp_path_factory.mktemp("public"))


@pytest.fixture(scope="session")
def checkouts(repo: TemplateRepo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A developer's clone of `repo` at each version; tests render from them, never change them."""
    folder = tmp_path_factory.mktemp("checkouts")
    return {version: repo.checkout(version, folder / version) for version in (OLD, NEW)}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Projects as `trellis new --no-lock` renders them, once per set of answers (and worker),
    named Shop Floor unless told otherwise: for tests that only read them; a test that changes
    a project renders its own."""
    projects: dict[str, Path] = {}
    defaults = {question.name: question.default for question in load_spec().questions}

    def rendered(**answers: Any) -> Path:
        answers = {"project_name": "Shop Floor", **answers}
        # An answer given as its default's value renders the same project as no answer.
        key = json.dumps({k: v for k, v in answers.items() if v != defaults.get(k)}, sort_keys=True)
        if key not in projects:
            projects[key] = render_project(tmp_path_factory.mktemp("rendered") / "svc", answers)
        return projects[key]

    return rendered


@pytest.fixture(scope="session")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Renders:
    """Projects rendered from the checkouts, shared by copying (tests/versions.py)."""
    return Renders(tmp_path_factory.mktemp("renders"))
