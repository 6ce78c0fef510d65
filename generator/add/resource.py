"""What `add resource` and `remove resource` share: a resource rendered into a staging folder
and formatted there with the project's ruff settings, the edits of the files that register it,
its table's name, and the project's chain of Alembic revisions."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator import origin
from generator.errors import UsageError, one_line
from generator.render import copy_template
from generator.template import Expressions, TemplateSpec

VERSIONS = Path("alembic/versions")


def plural(name: str, spec: TemplateSpec) -> str:
    """The English plural of `name`, for its table and URL: copier.yml's default of `resource_plural`."""
    return str(Expressions(spec).value("resource_plural", {"resource": name}))


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


_REVISION = re.compile(r"^revision(?::[^=]*)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?::[^=]*)? = (?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def _revisions(versions: Path) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in sorted(versions.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision and down:
            found[revision.group(1)] = down.group(1)
    return found


def alembic_head(versions: Path) -> str:
    """The one revision no other revises; a project with several heads must merge them first."""
    revisions = _revisions(versions)
    heads = sorted(set(revisions) - {down for down in revisions.values() if down})
    if len(heads) != 1:
        raise UsageError(
            f"{versions} has {len(heads)} Alembic heads ({', '.join(heads) or 'none'}): "
            "a new table follows exactly one (`alembic merge heads` first)"
        )
    return heads[0]


def next_revision(versions: Path, head: str) -> str:
    numbers = [int(revision) for revision in _revisions(versions) if revision.isdigit()]
    candidate = f"{max(numbers, default=0) + 1:04d}"
    return candidate if candidate not in _revisions(versions) else f"{head}_1"


@contextmanager
def staging_folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="trellis-resource-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def render_resource(spec: TemplateSpec, staging: Path, data: Mapping[str, Any], answers: str) -> None:
    source = origin.template_source(spec)
    copy_template(spec, staging, data, interactive=False, paths=origin.RESOURCE_PATHS, answers_file=answers)
    origin.record(staging, answers, source)


def format_files(staging: Path, project: Path, paths: Sequence[str]) -> None:
    """The template lays its code out as ruff format does for names of ordinary length; a long
    resource or field name can still need a line broken elsewhere, and an edited file's new
    import its place. ruff, a dependency of trellis, formats them with the project's settings."""
    sources = [path for path in paths if path.endswith(".py")]
    if not sources or not (project / "pyproject.toml").is_file():
        return
    config = staging / "pyproject.toml"
    shutil.copy2(project / "pyproject.toml", config)
    ruff = str(find_ruff_bin())
    try:
        # The staging folder holds only the files written: ruff would not know the rest of the
        # project's packages for its own, as it does in the project.
        first_party = ["--config", "lint.isort.known-first-party = ['app', 'tests']"]
        for command in (["check", "--fix", "--select", "I", "--quiet", *first_party], ["format", "--quiet"]):
            done = subprocess.run(
                [ruff, *command, "--no-cache", *sources],
                cwd=staging,
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
            if done.returncode != 0:
                raise UsageError(
                    f"ruff {command[0]} refused what was rendered: {one_line(done.stdout + done.stderr)}"
                )
    finally:
        config.unlink()


def edit_files(
    project: Path, staging: Path, edits: Mapping[str, Callable[[str], str]], written: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """Each edit made in `staging`, and formatted there with what was written beside it."""
    originals = {}
    for path in edits:
        if not (project / path).is_file():
            raise UsageError(f"'{project}' has no {path}: cannot register the resource")
        originals[path] = (project / path).read_text(encoding="utf-8")
    for path, edit in edits.items():
        (staging / path).parent.mkdir(parents=True, exist_ok=True)
        (staging / path).write_text(edit(originals[path]), encoding="utf-8")
    format_files(staging, project, [*written, *edits])
    return {path: (originals[path], (staging / path).read_text(encoding="utf-8")) for path in edits}
