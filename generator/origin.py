"""Which template version a project records, and where its owner can fetch that version again.

A project records `_src_path` (the template's public git URL, from `_trellis.repository` in
copier.yml) and `_commit` (a git tag, or a commit of that repository) in its answers file.
`trellis update` fetches both again, on any machine. Copier itself would record the local
path it rendered from and, for a dirty checkout, a temporary commit nobody can fetch later.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

from generator.git import GitError, git, is_git_root
from generator.template import TemplateSpec

DISTRIBUTION = "fastapi-trellis"
TAG_PREFIX = "v"
TEMPLATE_PATHS = ("copier.yml", "template", "resource")
# What rendering a resource reads: the questions and resource/ (its files and their macros).
RESOURCE_PATHS = ("copier.yml", "resource")


@dataclass(frozen=True)
class TemplateSource:
    url: str
    """Recorded as `_src_path`: where `trellis update` fetches the template."""
    commit: str | None
    """Recorded as `_commit`: a tag (`v0.2.0`), `git describe` output or a commit; None if unknown."""
    dirty: bool = False
    """The rendered files carry changes that `commit` does not have."""


def template_source(spec: TemplateSpec) -> TemplateSource:
    """The version of the template `spec` was read from: from git in a checkout, else from the package."""
    root, url = spec.root, spec.repository
    if is_git_root(root):
        commit = _git(root, "describe", "--tags", "--always")
        if commit is not None:
            changes = _git(root, "status", "--porcelain", "--", *TEMPLATE_PATHS)
            return TemplateSource(url, commit, dirty=bool(changes))
    return _packaged_source(url)


def caveats(source: TemplateSource) -> list[str]:
    """What the owner of a project rendered from `source` should know about updating it."""
    if source.commit is None:
        return ["this copy of the template carries no version: `trellis update` cannot update the project"]
    if source.dirty:
        return [
            f"the template has uncommitted changes; the project records {source.commit}, and "
            "`trellis update` will carry those changes over as if they were your own edits"
        ]
    return []


def _packaged_source(url: str) -> TemplateSource:
    """A wheel's version is its git tag (`0.2.0` from `v0.2.0`), or names its commit
    (`0.2.1.dev3+gabc1234`, `.d20260101` when built from uncommitted changes)."""
    try:
        version = Version(importlib.metadata.version(DISTRIBUTION))
    except (importlib.metadata.PackageNotFoundError, InvalidVersion):
        return TemplateSource(url, None)
    if version.local is None and not version.is_devrelease:
        return TemplateSource(url, f"{TAG_PREFIX}{version}")
    parts = (version.local or "").split(".")
    commit = next((part[1:] for part in parts if part.startswith("g") and len(part) > 1), None)
    return TemplateSource(url, commit, dirty=any(part.startswith("d") for part in parts))


def _git(root: Path, *args: str) -> str | None:
    try:
        return git(root, *args).strip()
    except GitError:
        return None


@contextmanager
def rendering_copy(root: Path, paths: tuple[str, ...] = TEMPLATE_PATHS) -> Iterator[Path]:
    """A plain folder to render from. Copier clones a git checkout before rendering; copying
    the files git would see (tracked and untracked, not ignored) gives the same files, faster;
    `paths` can narrow them to what one render reads."""
    if not is_git_root(root):
        yield root
        return
    listed = _git(root, "ls-files", "-z", "-co", "--exclude-standard", "--", *paths)
    if listed is None:
        yield root
        return
    copy = Path(tempfile.mkdtemp(prefix="trellis-template-"))
    try:
        for name in dict.fromkeys(listed.split("\0")):
            source = root / name
            if name and (source.is_file() or source.is_symlink()):
                target = copy / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target, follow_symlinks=False)
        yield copy
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def record(project: Path, answers_file: str, source: TemplateSource) -> None:
    """Write the source into the rendered answers file, formatted as copier writes it."""
    path = project / answers_file
    text = path.read_text(encoding="utf-8")
    header = "".join(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines(keepends=True)))
    answers = yaml.safe_load(text) or {}
    answers["_src_path"] = source.url
    answers.pop("_commit", None)
    if source.commit:
        answers["_commit"] = source.commit
    body = yaml.safe_dump(answers, indent=4, allow_unicode=True, default_flow_style=False)
    path.write_text(header + body, encoding="utf-8")
