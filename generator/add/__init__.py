"""`trellis add resource`: render resource/template/ into a generated project and register it
there, all or nothing.

The resource template lives in this repository beside template/ (copier.yml picks it with a
templated `_subdirectory`), so a resource records the same `_src_path` and `_commit` as the
project, in an answers file of its own, and `copier update -a` brings it to a newer version.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator import origin
from generator.add import register
from generator.add.change import Change
from generator.add.fields import check_identifiers, check_name, parse_field
from generator.errors import UsageError, one_line
from generator.project import Project, resource_answers_file
from generator.render import copy_template
from generator.template import Expressions, TemplateSpec, load_spec

# The resources every project has; an added one may refer to them.
BUILT_IN = {"users": ("User", "user"), "posts": ("Post", "post")}
VERSIONS = Path("alembic/versions")


@dataclass(frozen=True)
class Added:
    project: Path
    name: str
    plural: str
    change: Change

    @property
    def created(self) -> tuple[str, ...]:
        return tuple(sorted(self.change.created))

    @property
    def edited(self) -> tuple[str, ...]:
        return tuple(sorted(self.change.edited))


def add_resource(
    project: Path,
    name: str,
    field_specs: Sequence[str],
    *,
    owned: bool = False,
    owner: str = "owner",
    pretend: bool = False,
    spec: TemplateSpec | None = None,
) -> Added:
    """Render `name` into a staging folder, register it and format what changed, then move it
    into the project; with `pretend`, only say what that would do."""
    spec = spec or load_spec()
    generated = Project.open(project, spec)
    project, recorded, added = generated.path, generated.recorded, generated.resources()
    check_name(name, "resource name")
    table = plural(name, spec)
    check_name(table, "resource plural")
    targets = {
        **BUILT_IN,
        **{
            str(a["resource_plural"]): (class_name(str(a["resource"])), str(a["resource"]))
            for a in added.values()
        },
    }
    singulars = {singular for _, singular in targets.values()}
    if {name, table} & {*targets, *singulars, "auth", "health"}:
        raise UsageError(f"'{name}' exists in {project}: choose another name")
    if owned and recorded.get("auth", "none") == "none":
        raise UsageError("--owned needs authentication: the project was rendered with auth none")
    if owner != "owner":
        if not owned:
            raise UsageError("--owner names the column of --owned: give --owned too")
        check_name(owner, "owner")
    fields = [parse_field(field, targets) for field in field_specs]
    names = [field["name"] for field in fields] + ([f"{owner}_id"] if owned else [])
    duplicates = sorted({field for field in names if names.count(field) > 1})
    if duplicates:
        raise UsageError(f"field '{duplicates[0]}' is given twice")
    check_identifiers(table, fields, owner=owner if owned else None)
    generated.require_clean()
    data: dict[str, Any] = {key: value for key, value in recorded.items() if not key.startswith("_")}
    data.update(
        resource=name,
        resource_plural=table,
        resource_fields=fields,
        resource_owned=owned,
        resource_owner=owner,
    )
    if recorded.get("database", "none") != "none":
        head = alembic_head(project / VERSIONS)
        data.update(resource_revision=next_revision(project / VERSIONS, head), resource_down_revision=head)
    references = [
        (field["target"], field["name"], bool(field["optional"]))
        for field in fields
        if field["type"] == "ref"
    ]
    if owned:
        references.append(("users", f"{owner}_id", False))
    with staging_folder() as staging:
        render_resource(spec, staging, data, resource_answers_file(name))
        change = _plan(project, staging, name, table, class_name(name), recorded, references)
    if not pretend:
        change.apply()
    return Added(project, name, table, change)


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


def _plan(
    project: Path,
    staging: Path,
    name: str,
    table: str,
    model: str,
    recorded: Mapping[str, Any],
    references: Sequence[register.Reference],
) -> Change:
    created = sorted(str(path.relative_to(staging)) for path in staging.rglob("*") if path.is_file())
    clashes = [path for path in created if (project / path).exists()]
    if clashes:
        raise UsageError(f"'{name}' would overwrite {clashes[0]} in {project}: choose another name")
    edits: dict[str, Callable[[str], str]] = {
        register.ROUTER: lambda text: register.register_router(text, table),
        register.MODELS: lambda text: register.register_model(text, name, model),
        register.PROVIDERS: lambda text: register.register_provider(text, name, table, model),
        register.DEPENDENCIES: lambda text: register.register_alias(text, name, model),
    }
    if recorded.get("database", "none") == "none":
        edits[register.STORE] = lambda text: register.register_store(text, table, model, references)
    edited = edit_files(project, staging, edits, created)
    return Change(project, {path: (staging / path).read_bytes() for path in created}, edited)


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
