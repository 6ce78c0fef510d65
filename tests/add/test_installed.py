"""`trellis add resource` as a user runs it: trellis from its wheel in a fresh `uv tool`
environment, no ruff on PATH, no network; what it writes passes the project's own checks."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.projects import run
from tests.versions import ROOT

pytestmark = pytest.mark.slow


def test_added_resources_pass_the_projects_checks_with_trellis_from_its_wheel(tmp_path: Path) -> None:
    built = run(["uv", "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT)], ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("*.whl"))
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    uv = shutil.which("uv")
    git = shutil.which("git")
    assert uv
    assert git
    install_env = {**os.environ, "UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(bin_dir)}
    installed = subprocess.run(
        [uv, "tool", "install", "--quiet", "--python", sys.executable, str(wheel)],
        capture_output=True,
        text=True,
        env=install_env,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    # PATH holds trellis, git and uv only: whatever formats the output comes with trellis.
    path = os.pathsep.join(dict.fromkeys([str(bin_dir), str(Path(git).parent), str(Path(uv).parent)]))
    assert shutil.which("ruff", path=path) is None
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "UV_", "PYTEST_"))
    }
    env.update(PATH=path, UV_OFFLINE="1", COPIER_SETTINGS_PATH=str(tmp_path / "settings.yml"))
    (tmp_path / "settings.yml").write_text("{}\n")
    project = tmp_path / "svc"

    def trellis(*args: str, offline: bool = True) -> None:
        done = subprocess.run(
            [str(bin_dir / "trellis"), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env if offline else {key: value for key, value in env.items() if key != "UV_OFFLINE"},
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def commit(message: str) -> None:
        for args in (
            ["add", "-A"],
            ["-c", "user.name=t", "-c", "user.email=t@e.com", "commit", "-qm", message],
        ):
            subprocess.run([git, *args], cwd=project, check=True, capture_output=True, env=env)

    trellis("new", str(project), "--yes", "--no-lock")
    subprocess.run([git, "init", "-q"], cwd=project, check=True, env=env)
    commit("Generated project")
    book = ["--field", "title:str:max=120", "--field", "author:ref:users", "--field", "pages:int:ge=1"]
    trellis("add", "resource", "book", str(project), *book, "--yes")
    commit("Add books")
    # Names as long as names may be (40 characters), and a reference to posts, whose fixtures
    # load after those of the resource that refers to them.
    longest = "annotation_of_a_catalogue_entry_revision"
    fields = ["--field", "post:ref:posts", "--field", "a_rather_long_field_name_that_fills_a_ln:str:optional"]
    trellis("add", "resource", longest, str(project), *fields, "--yes")
    commit("Add annotations")
    trellis(
        "add", "resource", "award", str(project), "--field", "book:ref:books", "--field", "year:int", "--yes"
    )
    commit("Add awards")
    trellis("validate", str(project), "--skip", "contract", offline=False)
