"""The pair of resources `trellis matrix` (unless `--without-resource`), bench/add.py and the tests add: one
with a field of every type, and one that refers to it, owned by its author when there is auth."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.add import add_resource
from generator.errors import TrellisError
from generator.git import GitError, git, is_git_root
from generator.template import TemplateSpec, load_spec

EVERY_TYPE = (
    "title:str:max=200:unique",
    "pages:int:ge=1:le=5000",
    "summary:text:optional",
    "published:bool",
    "price:decimal",
    "rating:float:ge=0:le=5",
    "released:date:optional",
    "seen_at:datetime:index",
    "code:uuid:unique",
    "genre:enum:choices=fiction|science|poetry:index",
    "author:ref:users:optional",
)
REFERRING = ("book:ref:books", "body:text", "score:int:ge=1:le=5:index", "reviewed_on:date:optional")
_IDENTITY = ("-c", "user.name=trellis", "-c", "user.email=trellis@localhost", "-c", "commit.gpgsign=false")


def add_pair(project: Path, spec: TemplateSpec | None = None) -> None:
    """Add `book` and `review` to `project`, committing the project first and each resource after."""
    spec = spec or load_spec()
    answers = yaml.safe_load((project / spec.answers_file).read_text(encoding="utf-8")) or {}
    if not is_git_root(project):
        try:
            git(project, "init", "--quiet")
        except GitError as exc:
            raise TrellisError(f"cannot make {project} a git repository: {exc}") from None
    _commit(project, "Generated project")
    add_resource(project, "book", EVERY_TYPE, spec=spec)
    _commit(project, "Add books")
    add_resource(project, "review", REFERRING, owned=answers.get("auth", "none") != "none", spec=spec)
    _commit(project, "Add reviews")


def _commit(project: Path, message: str) -> None:
    try:
        git(project, "add", "-A")
        git(project, *_IDENTITY, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", message)
    except GitError as exc:
        raise TrellisError(f"cannot commit {project}: {exc}") from None
