"""`trellis update`: bring a generated project to a newer template version, or change its answers.

Copier does the work (`run_update`: it renders the recorded version with the recorded answers,
diffs that against the project, renders the new version and re-applies the owner's diff).
This module refuses what copier would get wrong or explain badly, fetches the template from
elsewhere when asked, reports the conflicts copier leaves without raising, and re-locks the
project when the update changed its dependencies (its image and CI install with `--locked`).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from generator.errors import TrellisError, UsageError, one_line
from generator.git import Repository, fetching_from, is_url
from generator.lock import LOCK_FILE, lock_or_warning
from generator.project import ANSWERS_PREFIX, resource_answers_file
from generator.template import TemplateSpec, load_spec


@dataclass(frozen=True)
class Report:
    project: Path
    old_version: str
    new_version: str
    changes: tuple[tuple[str, str], ...]
    """(git status code, path) of every file the update changed, relative to the project."""
    conflicts: tuple[str, ...]
    """Files holding conflict markers."""
    rejects: tuple[str, ...]
    """`.rej` files: hunks that did not apply."""
    answers: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """Answers that changed: name -> (before, after); `before` is None for a new question."""
    pretend: bool = False
    relocked: bool = False
    """uv.lock was resolved again and changed, the update having changed pyproject.toml."""
    warnings: tuple[str, ...] = ()
    """What the owner should know that is no failure: an untagged template, a lock that failed."""
    resources: tuple[str, ...] = ()
    """The resources `trellis add resource` added, brought to the same version."""

    @property
    def conflicted(self) -> bool:
        return bool(self.conflicts or self.rejects)


def update(
    project: Path,
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    template: str | None = None,
    conflict: str = "inline",
    pretend: bool = False,
    lock: bool = True,
    spec: TemplateSpec | None = None,
) -> Report:
    """Update `project`; with `lock`, re-lock a locked project whose pyproject.toml changed.

    A lock that fails leaves the update in place, with a warning saying why: the owner can
    run `uv lock` later.
    """
    if conflict not in ("inline", "rej"):
        raise UsageError(f"--conflict expects inline or rej, got '{conflict}'")
    answers_file = (spec or load_spec()).answers_file
    project = project.expanduser().resolve()
    before = _recorded_answers(project, answers_file)
    repository = Repository.containing(project)
    if repository is None:
        raise UsageError(
            f"'{project}' is not in a git repository: commit the project first "
            "(git init && git add -A && git commit -m 'Generated project')"
        )
    dirty = repository.changes(project)
    if dirty:
        shown = ", ".join(path for _, path in dirty[:3]) + (", ..." if len(dirty) > 3 else "")
        raise UsageError(
            f"'{project}' has uncommitted changes ({shown}): commit or stash them first, "
            "so that the update's own changes can be reviewed and undone"
        )
    source = str(before["_src_path"])
    if template is not None and not is_url(source):
        raise UsageError(
            f"--template can only stand in for a URL, and '{project}' records the path {source}: "
            f"set _src_path in {answers_file} to the template's git URL, commit, and retry"
        )
    with fetching_from(source, template):
        if not pretend:
            report = _update(
                project, repository, before, answers_file, to, data or {}, conflict, pretend=False
            )
            report = _with_resources(report, repository, answers_file, conflict)
            return _relocked(report) if lock and _needs_lock(report) else report
        with repository.scratch_clone() as clone:
            target = clone.root / project.relative_to(repository.root)
            report = _update(target, clone, before, answers_file, to, data or {}, conflict, pretend=True)
            report = _with_resources(report, clone, answers_file, conflict)
            return replace(report, project=project)


def _update(
    project: Path,
    repository: Repository,
    before: dict[str, Any],
    answers_file: str,
    to: str | None,
    data: Mapping[str, Any],
    conflict: str,
    *,
    pretend: bool,
) -> Report:
    with _left_out(_NO_TAGS) as said:
        _run_update(project, before, to, data, conflict)
    untagged = "the template has no version tags: its newest commit stands in for one"
    after = _recorded_answers(project, answers_file)
    changes = repository.changes(project)
    answers = {
        name: (before.get(name), value)
        for name, value in after.items()
        if not name.startswith("_") and before.get(name) != value
    }
    return Report(
        project=project,
        old_version=str(before["_commit"]),
        new_version=str(after.get("_commit")),
        changes=tuple(changes),
        conflicts=tuple(repository.unmerged(project)),
        rejects=tuple(repository.rejects(project)),
        answers=answers,
        pretend=pretend,
        warnings=(untagged,) if said else (),
    )


def _with_resources(report: Report, repository: Repository, answers_file: str, conflict: str) -> Report:
    """Bring each added resource to the version the project now records, with its answers.

    Copier updates one answers file at a time, in a clean repository: what each update changed
    is committed on the way and the commits undone at the end, leaving every change uncommitted.
    """
    project = report.project
    # Each resource `trellis add resource` added records its answers in a file of its own.
    files = sorted(path.name for path in project.glob(resource_answers_file("*")))
    if not files:
        return report
    if report.conflicted:
        skipped = "the added resources were not updated: resolve the conflicts, commit, and update again"
        return replace(report, warnings=(*report.warnings, skipped))
    answers = _recorded_answers(project, answers_file)
    data = {name: value for name, value in answers.items() if not name.startswith("_")}
    base = repository.head()
    updated: list[str] = []
    try:
        for name in files:
            repository.commit_all("trellis update: step")
            with _left_out(_NO_TAGS):
                _run_update(project, answers, str(answers["_commit"]), data, conflict, answers_file=name)
            updated.append(name.removeprefix(ANSWERS_PREFIX).removesuffix(".yml"))
            if repository.unmerged(project) or repository.rejects(project):
                break
    finally:
        repository.undo_commits(base, keep_index=bool(repository.unmerged(project)))
    return replace(
        report,
        changes=tuple(repository.changes(project)),
        conflicts=tuple(repository.unmerged(project)),
        rejects=tuple(repository.rejects(project)),
        resources=tuple(updated),
    )


def _needs_lock(report: Report) -> bool:
    changed = {path for _, path in report.changes}
    return not report.conflicted and "pyproject.toml" in changed and (report.project / LOCK_FILE).is_file()


def _relocked(report: Report) -> Report:
    lock_file = report.project / LOCK_FILE
    before = lock_file.read_bytes()
    warning = lock_or_warning(report.project)
    if warning:
        stale = f"{warning} (the project's uv.lock is now out of date: run `uv lock` in it)"
        return replace(report, warnings=(*report.warnings, stale))
    if lock_file.read_bytes() == before:
        return report
    changes = tuple(sorted((*report.changes, ("M", LOCK_FILE)), key=lambda change: change[1]))
    return replace(report, changes=changes, relocked=True)


def _recorded_answers(project: Path, answers_file: str) -> dict[str, Any]:
    path = project / answers_file
    if not path.is_file():
        raise UsageError(f"'{project}' is not a generated project: it has no {answers_file}")
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {one_line(exc, keep='first')}") from None
    if not isinstance(answers, dict) or not answers.get("_src_path"):
        raise UsageError(f"{path} records no template source (_src_path)")
    if not answers.get("_commit"):
        raise UsageError(
            f"{path} records no template version (_commit): the project was rendered from a copy "
            "of the template without git history, and cannot be updated"
        )
    return answers


# Copier prints this each time it looks for the newest version: three times in one update.
_NO_TAGS = "No git tags found in template"


@contextmanager
def _left_out(line: str) -> Iterator[list[bool]]:
    """Copier's stderr, less the lines holding `line`; the list yielded holds True once one did."""
    captured = io.StringIO()
    said: list[bool] = []
    try:
        with redirect_stderr(captured):
            yield said
    finally:
        kept = [text for text in captured.getvalue().splitlines(keepends=True) if line not in text]
        sys.stderr.write("".join(kept))
        if len(kept) < len(captured.getvalue().splitlines()):
            said.append(True)


def _run_update(
    project: Path,
    before: dict[str, Any],
    to: str | None,
    data: Mapping[str, Any],
    conflict: str,
    *,
    answers_file: str | None = None,
) -> None:
    import copier  # imported here: copier is slow to import and `--help` must stay fast
    from plumbum import ProcessExecutionError  # how copier reports a failed git command

    from generator import render

    source, recorded = before["_src_path"], before["_commit"]
    try:
        render.run_update(
            project,
            data=dict(data),
            answers_file=answers_file,
            vcs_ref=to,
            defaults=True,
            overwrite=True,
            quiet=True,
            conflict="rej" if conflict == "rej" else "inline",
            # The template's own migrations are how a major version upgrades a project.
            unsafe=True,
        )
    except ProcessExecutionError as exc:
        detail = one_line(str(exc.stderr), keep="last") or f"git exited with {exc.retcode}"
        _refuse_missing_version(detail, source, recorded, to)
        raise TrellisError(
            f"cannot fetch the template from {source} ({detail}); "
            "pass --template with a path or URL of a copy of the template repository"
        ) from None
    except ValueError as exc:
        message = one_line(exc)
        _refuse_missing_version(message, source, recorded, to)
        raise UsageError(message) from None
    except copier.errors.UserMessageError as exc:  # refused before changing anything
        raise UsageError(one_line(exc)) from None
    except copier.errors.CopierError as exc:
        raise TrellisError(one_line(exc)) from None


def _refuse_missing_version(message: str, source: str, recorded: str, to: str | None) -> None:
    """Copier says `Unknown revision: 'x'` of a local template, git `invalid reference: x` of a remote one."""
    if not message.startswith(("Unknown revision", "fatal: invalid reference")):
        return
    missing = recorded if recorded in message and (to is None or to not in message) else to
    raise UsageError(
        f"template version {missing} is not in {source}: list its versions with "
        f"`git ls-remote --tags {source}`, or pass --template with a copy that has it"
    )
