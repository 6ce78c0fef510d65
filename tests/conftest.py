import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.versions import TemplateRepo, make_template_repo

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


@pytest.fixture(scope="session")
def template_dir() -> Path:
    return ROOT


@pytest.fixture
def own_copier_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copier mirrors remote templates in a cache keyed by URL: keep each test's apart."""
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """A throwaway public copy of this repository, with tagged versions (tests/versions.py)."""
    return make_template_repo(tmp_path_factory.mktemp("public"))
