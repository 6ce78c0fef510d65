"""`trellis new`: render the template into a fresh directory, all or nothing."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import origin
from generator.errors import UsageError
from generator.lock import lock_or_warning
from generator.template import TemplateSpec, load_spec


@dataclass(frozen=True)
class Rendered:
    path: Path
    warnings: tuple[str, ...] = ()
    """What the owner should know: why the project has no uv.lock, or why it cannot be updated."""


def resolve_answers(
    spec: TemplateSpec,
    *,
    preset: str | None,
    data: Mapping[str, Any],
    flags: Mapping[str, Any],
) -> dict[str, Any]:
    """Preset first, then --data, then explicit flags: the most explicit wins."""
    answers = spec.preset(preset) if preset else {}
    for source in (data, flags):
        for name, value in source.items():
            question = spec.question(name)
            question.check_choice(value)
            answers[name] = value
    return answers


def render(
    destination: Path,
    answers: Mapping[str, Any],
    *,
    interactive: bool = False,
    force: bool = False,
    lock: bool = False,
    spec: TemplateSpec | None = None,
    progress: Callable[[str], None] | None = None,
) -> Rendered:
    """Render into `destination`; with `lock`, resolve its `uv.lock` before it is moved into place.

    A project that cannot be locked is still rendered, with a warning saying why: the user can
    run `uv lock` later. `progress` hears what is being done once nothing is asked any more.
    """
    progress = progress or (lambda _: None)
    spec = spec or load_spec()
    source = origin.template_source(spec)
    destination = destination.expanduser().absolute()
    _check_destination(destination, force=force)
    warnings: list[str] = []
    with _staging_directory(destination) as staging:
        if not interactive:
            progress("Rendering the project")
        from generator.render import copy_template  # copier is slow to import: `--help` stays fast

        copy_template(spec, staging, answers, interactive=interactive)
        origin.record(staging, spec.answers_file, source)
        if lock:
            progress("Locking its dependencies (uv lock)")
            warning = lock_or_warning(staging)
            if warning:
                warnings.append(warning)
        _move_into_place(staging, destination)
    return Rendered(destination, (*warnings, *origin.caveats(source)))


def _check_destination(destination: Path, *, force: bool) -> None:
    if destination.exists() and not destination.is_dir():
        raise UsageError(f"destination '{destination}' exists and is not a directory")
    if destination.is_dir() and any(destination.iterdir()) and not force:
        raise UsageError(
            f"destination '{destination}' exists and is not empty; pass --force to render into it"
        )
    parent = _nearest_existing(destination.parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"destination '{destination}' is not writable ('{parent}' denies writing)")


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


@contextmanager
def _staging_directory(destination: Path) -> Iterator[Path]:
    """A temporary folder beside the destination, removed on any failure or interrupt."""
    missing_parents = [p for p in reversed(destination.parents) if not p.exists()]
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.trellis-", dir=destination.parent))
    except OSError as exc:
        raise UsageError(f"cannot write to '{destination.parent}': {exc.strerror}") from None
    try:
        yield staging
    except BaseException:
        with _interrupts_held():
            shutil.rmtree(staging, ignore_errors=True)
            for parent in reversed(missing_parents):
                with suppress(OSError):
                    parent.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """A second Ctrl-C must not cut the cleanup of the first one short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _move_into_place(staging: Path, destination: Path) -> None:
    if not destination.exists():
        # mkdtemp made the staging folder private (0700): the project gets the umask's mode.
        staging.chmod(0o777 & ~_umask())
        staging.rename(destination)
        return
    if not any(destination.iterdir()):
        staging.chmod(destination.stat().st_mode & 0o7777)
        destination.rmdir()
        staging.rename(destination)
        return
    for entry in staging.iterdir():
        target = destination / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.copytree(entry, target, dirs_exist_ok=True)
        else:
            os.replace(entry, target)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: it is put back at once
    os.umask(mask)
    return mask
