"""Throwaway copies of this template repository holding an older and a newer tagged version.

The newer version is the template as it is in this checkout (uncommitted edits too). The
older one differs from it in ways an update must carry over: a heading the newer version
renamed, a file it added, and a file it deleted.
"""

import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.lock import lock_project
from generator.new import render
from generator.template import load_spec

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "v0.1.0", "v0.2.0"
COPIED = ("copier.yml", "template", "resource", "presets", ".gitignore")

OLD_HEADING, NEW_HEADING = "## Testing", "## Test it"
ADDED_SOURCE, ADDED = "app/main.py.jinja", "app/main.py"
REMOVED = "app/core/legacy.py"

GIT = (
    "git",
    "-c",
    "user.name=Trellis Tests",
    "-c",
    "user.email=tests@example.com",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "tag.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
)


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)} failed in {cwd}:\n{result.stderr}"
    return result.stdout


@dataclass(frozen=True)
class TemplateRepo:
    root: Path

    @property
    def url(self) -> str:
        return self.root.as_uri()

    def checkout(self, version: str, into: Path) -> Path:
        """A separate checkout at `version`, as a developer's clone of the repository."""
        git(into.parent, "clone", "--quiet", str(self.root), into.name)
        git(into, "checkout", "--quiet", version)
        return into

    def tag(self, version: str, change: Callable[[Path], object]) -> None:
        """Commit a further version on top of the newest one."""
        change(self.root)
        git(self.root, "add", "-A")
        git(self.root, "commit", "--quiet", "-m", f"Template {version}")
        git(self.root, "tag", version)


def make_template_repo(folder: Path, name: str = "fastapi-trellis.git") -> TemplateRepo:
    """A git repository with tags OLD and NEW whose copier.yml names the repository itself
    as the public source, standing in for the real URL."""
    repo = folder / name
    listed = git(ROOT, "ls-files", "-z", "-co", "--exclude-standard", "--", *COPIED)
    for entry in filter(None, listed.split("\0")):
        source = ROOT / entry
        if source.is_file():
            (repo / entry).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / entry)
    config = repo / "copier.yml"
    lines = config.read_text().splitlines(keepends=True)
    repository = [i for i, line in enumerate(lines) if line.strip().startswith("repository:")]
    assert len(repository) == 1, "copier.yml must set _trellis.repository once"
    lines[repository[0]] = f"  repository: {repo.as_uri()}\n"
    config.write_text("".join(lines))
    git(repo, "init", "--quiet")

    readme = repo / "template" / "README.md.jinja"
    added = repo / "template" / ADDED_SOURCE
    assert NEW_HEADING in readme.read_text(), "the older version's anchor moved"
    assert added.is_file(), "the older version's anchor moved"
    newest_readme, newest_added = readme.read_text(), added.read_text()
    readme.write_text(newest_readme.replace(NEW_HEADING, OLD_HEADING, 1))
    added.unlink()
    (repo / "template" / REMOVED).write_text('"""Kept for older projects; removed later."""\n')
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", f"Template {OLD}")
    git(repo, "tag", OLD)

    readme.write_text(newest_readme)
    added.write_text(newest_added)
    (repo / "template" / REMOVED).unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", f"Template {NEW}")
    git(repo, "tag", NEW)
    return TemplateRepo(repo)


def render_at(checkout: Path, destination: Path, answers: Mapping[str, Any] | None = None) -> Path:
    """`trellis new` from a checkout of the template repository."""
    return render(destination, dict(answers or {}), spec=load_spec(checkout)).path


class Renders:
    """Projects rendered from a checkout, once per checkout and answers; each caller gets a copy
    of its own to change, as if rendered for it (a committed one's copy holds its git history)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.projects: dict[str, Path] = {}

    def rendered(self, checkout: Path, destination: Path, answers: Mapping[str, Any] | None = None) -> Path:
        """As `render_at`."""
        return self._copy("rendered", checkout, destination, answers or {})

    def generated(self, checkout: Path, destination: Path, **answers: Any) -> Path:
        """A project as its owner gets it: rendered, then committed."""
        return self._copy("generated", checkout, destination, answers)

    def locked(self, checkout: Path, destination: Path, **answers: Any) -> Path:
        """Rendered, locked by `uv lock`, then committed."""
        return self._copy("locked", checkout, destination, answers)

    def _copy(self, state: str, checkout: Path, destination: Path, answers: Mapping[str, Any]) -> Path:
        key = json.dumps([state, str(checkout), dict(answers)], sort_keys=True)
        if key not in self.projects:
            project = render_at(checkout, self.folder / str(len(self.projects)) / "svc", answers)
            if state == "locked":
                lock_project(project)
            if state != "rendered":
                commit_all(project, "Generated project")
            self.projects[key] = project
        shutil.copytree(self.projects[key], destination, symlinks=True)
        return destination


def commit_all(project: Path, message: str) -> None:
    if not (project / ".git").exists():
        git(project, "init", "--quiet")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "--allow-empty", "-m", message)


def tree(project: Path) -> dict[str, bytes]:
    """Every file of a project but git's own, by relative path."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }
