"""`trellis remove resource`: take out what `trellis add resource` wrote and registered, as
Rails' `destroy` undoes `generate`, refusing when any of it changed since unless forced."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.add import register
from generator.add.change import Change
from generator.add.resource import (
    VERSIONS,
    alembic_head,
    class_name,
    edit_files,
    format_files,
    next_revision,
    render_resource,
    staging_folder,
)
from generator.errors import UsageError
from generator.project import Project, resource_answers_file
from generator.template import TemplateSpec, load_spec


@dataclass(frozen=True)
class Removed:
    project: Path
    name: str
    change: Change
    changed: tuple[str, ...]
    """Files that differed from what `add` wrote (removed all the same with `force`)."""


def remove_resource(
    project: Path,
    name: str,
    *,
    force: bool = False,
    drop_table: bool = False,
    pretend: bool = False,
    spec: TemplateSpec | None = None,
) -> Removed:
    spec = spec or load_spec()
    generated = Project.open(project, spec)
    project, added = generated.path, generated.resources()
    if name not in added:
        known = ", ".join(sorted(added)) or "none"
        raise UsageError(f"no resource '{name}' was added to {project} (added: {known})")
    answers = added[name]
    table = str(answers["resource_plural"])
    referring = sorted(
        (str(its["resource_plural"]), other)
        for other, its in added.items()
        if any(f.get("type") == "ref" and f.get("target") == table for f in its.get("resource_fields") or [])
    )
    if referring:
        names = ", ".join(plural for plural, _ in referring)
        raise UsageError(f"{names} refer to {table}: remove {referring[0][1]} first")
    generated.require_clean()
    revision = answers.get("resource_revision") or None
    if revision and not drop_table and alembic_head(project / VERSIONS) != revision:
        raise UsageError(
            f"a later migration follows {revision}, which creates {table}: remove what added it "
            "first, or keep the migration and add one that drops the table (--drop-table)"
        )
    data: dict[str, Any] = {key: value for key, value in answers.items() if not key.startswith("_")}
    model = class_name(name)
    with staging_folder() as staging:
        render_resource(spec, staging, data, resource_answers_file(name))
        written = sorted(str(path.relative_to(staging)) for path in staging.rglob("*") if path.is_file())
        format_files(staging, project, written)
        ours = [path for path in written if path != resource_answers_file(name)]
        changed = tuple(path for path in ours if not _same(project / path, staging / path))
        if changed and not force:
            raise UsageError(
                f"{changed[0]} changed since `add resource` wrote it"
                + (f" (and {len(changed) - 1} more)" if len(changed) > 1 else "")
                + ": commit it elsewhere, or remove anyway with --force"
            )
        deleted = [path for path in ours if (project / path).is_file()]
        migration = next((path for path in deleted if path.startswith(f"{VERSIONS}/")), None)
        created: dict[str, bytes] = {}
        if migration and drop_table:
            deleted.remove(migration)
            drop = _drop_migration(project, table, (project / migration).read_text(encoding="utf-8"))
            created[drop[0]] = drop[1].encode()
        edits: dict[str, Callable[[str], str]] = {
            register.ROUTER: lambda text: register.unregister_router(text, table),
            register.MODELS: lambda text: register.unregister_model(text, name, model),
            register.PROVIDERS: lambda text: register.unregister_provider(text, name, table),
            register.DEPENDENCIES: lambda text: register.unregister_alias(text, name, model),
        }
        if not generated.sqlalchemy:
            edits[register.STORE] = lambda text: register.unregister_store(text, table, model)
        for path in list(edits):
            if not (project / path).is_file():
                del edits[path]
        edited = edit_files(project, staging, edits, [])
    change = Change(project, created, edited, (*deleted, resource_answers_file(name)))
    if not pretend:
        change.apply()
    return Removed(project, name, change, changed)


def _drop_migration(project: Path, table: str, create: str) -> tuple[str, str]:
    """A migration after the head that drops the table; its downgrade makes it again as the
    migration that created it did."""
    head = alembic_head(project / VERSIONS)
    revision = next_revision(project / VERSIONS, head)
    body = re.search(r"^def upgrade\(\) -> None:\n(.*?)(?=^def downgrade)", create, re.MULTILINE | re.DOTALL)
    if body is None:
        raise UsageError(f"the migration that creates {table} has no upgrade(): cannot write its reverse")
    text = f'''"""Drop the {table} table.

Revision ID: {revision}
Revises: {head}
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "{revision}"
down_revision: str | Sequence[str] | None = "{head}"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("{table}")


def downgrade() -> None:
{body.group(1).rstrip()}
'''
    return f"{VERSIONS}/{revision}_drop_{table}.py", text


def _same(kept: Path, written: Path) -> bool:
    return kept.is_file() and kept.read_bytes() == written.read_bytes()
