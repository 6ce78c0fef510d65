"""A `uv.lock` for a rendered project: its image and CI install exactly what was tested."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from generator.errors import TrellisError, one_line

LOCK_TIMEOUT = 300
LOCK_FILE = "uv.lock"


class LockError(TrellisError):
    """The project rendered, but its dependencies could not be locked."""


def lock_project(project: Path) -> None:
    """Resolve the project's dependencies into `uv.lock`, as `uv lock` run in it would."""
    uv = shutil.which("uv")
    if uv is None:
        raise LockError("uv is not on PATH: no uv.lock written; install uv and run `uv lock` in the project")
    # The caller's virtual environment must not leak into the project's resolution.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    result = _uv_lock(uv, project, env)
    if result.returncode != 0:
        # A flaky network should not cost the user the lock: uv's cache often holds all it needs.
        offline = _uv_lock(uv, project, env, "--offline")
        if offline.returncode == 0:
            return
        reason = one_line(result.stderr, keep="last") or f"exit code {result.returncode}"
        raise LockError(f"uv lock failed, no uv.lock written: {reason}")


def lock_or_warning(project: Path) -> str | None:
    """`lock_project`: None when it locked, else why not, as a warning; the project stays as it is."""
    try:
        lock_project(project)
    except LockError as exc:
        return exc.message
    return None


def _uv_lock(uv: str, project: Path, env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [uv, "lock", "--quiet", "--no-progress", *options],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LockError(f"uv lock took over {LOCK_TIMEOUT} s, no uv.lock written") from None
