"""A generated project on disk, as every verb reads it: its recorded answers, the answers copier
computes from them, the resources added to it, and whether its repository is clean."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import UsageError, one_line
from generator.git import Repository
from generator.template import Expressions, TemplateSpec

# Each resource `trellis add resource` added records its answers in a file of its own.
ANSWERS_PREFIX = ".copier-answers.resource-"


def resource_answers_file(name: str) -> str:
    return f"{ANSWERS_PREFIX}{name}.yml"


@dataclass(frozen=True)
class Project:
    path: Path
    answers: Mapping[str, Any]
    """The recorded answers, over the template's plain defaults for any it lacks."""
    recorded: Mapping[str, Any] = field(default_factory=dict)
    """The answers file as written (`_src_path` and `_commit` included)."""
    database_scheme: str | None = None
    """Dialect and driver of its database URL (copier's computed `default_database_url`), if any."""
    database_server: bool = False
    """Its database lives on a server (copier's computed `database_server`)."""
    sqlalchemy: bool = False
    """It keeps its data through SQLAlchemy (copier's computed `sqlalchemy`)."""

    @classmethod
    def read(cls, path: Path, spec: TemplateSpec) -> Project:
        """Whatever `path` holds: a folder without answers reads as the template's defaults."""
        answers_file = path / spec.answers_file
        loaded = _load(answers_file) if answers_file.is_file() else {}
        recorded = loaded if isinstance(loaded, dict) else {}
        defaults = {
            q.name: q.default for q in spec.questions if not (isinstance(q.default, str) and "{" in q.default)
        }
        answers = {**defaults, **recorded}
        expressions = Expressions(spec)
        url = str(expressions.value("default_database_url", answers))
        return cls(
            path,
            answers,
            recorded,
            database_scheme=url.split("://", 1)[0] if "://" in url else None,
            database_server=bool(expressions.value("database_server", answers)),
            sqlalchemy=bool(expressions.value("sqlalchemy", answers)),
        )

    @classmethod
    def open(cls, path: Path, spec: TemplateSpec) -> Project:
        """A project trellis generated, or a one-line refusal."""
        path = path.expanduser().resolve()
        answers_file = path / spec.answers_file
        if not path.is_dir() or not answers_file.is_file():
            raise UsageError(f"'{path}' is not a trellis project: it has no {spec.answers_file}")
        project = cls.read(path, spec)
        if "database" not in project.recorded or not (path / "app").is_dir():
            raise UsageError(
                f"'{path}' is not a trellis project: {spec.answers_file} records no trellis answers"
            )
        return project

    @property
    def auth(self) -> str:
        return str(self.answers.get("auth", "none"))

    @property
    def python_version(self) -> str | None:
        version = self.answers.get("python_version")
        return None if version is None else str(version)

    @property
    def has_migrations(self) -> bool:
        return (self.path / "alembic.ini").is_file()

    def resources(self) -> dict[str, dict[str, Any]]:
        """The resources added so far: their recorded answers by name."""
        found = {}
        for path in sorted(self.path.glob(resource_answers_file("*"))):
            answers = _load(path)
            if isinstance(answers, dict) and answers.get("resource"):
                found[str(answers["resource"])] = answers
        return found

    def require_clean(self) -> None:
        """Commit first: what a verb changes must show alone in `git status`."""
        repository = Repository.containing(self.path)
        if repository is None:
            raise UsageError(f"'{self.path}' is not in a git repository: commit the project first")
        dirty = repository.changes(self.path)
        if dirty:
            shown = ", ".join(path for _, path in dirty[:3]) + (", ..." if len(dirty) > 3 else "")
            raise UsageError(f"'{self.path}' has uncommitted changes ({shown}): commit or stash them first")


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {one_line(exc, keep='first')}") from None
