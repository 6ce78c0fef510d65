"""A `uv.lock` for a rendered project: its image and CI install exactly what was tested."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from generator.errors import TrellisError

LOCK_TIMEOUT = 300


def lock_project(project: Path) -> None:
    """Resolve the project's dependencies into `uv.lock`, as `uv lock` run in it would."""
    uv = shutil.which("uv")
    if uv is None:
        raise TrellisError("uv is not on PATH: install uv, or pass --no-lock and run `uv lock` later")
    # The caller's virtual environment must not leak into the project's resolution.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    try:
        result = subprocess.run(
            [uv, "lock", "--quiet", "--no-progress"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"uv lock took over {LOCK_TIMEOUT} s; pass --no-lock to render without a lock file"
        raise TrellisError(message) from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {result.returncode}"
        raise TrellisError(f"uv lock failed: {reason}; pass --no-lock to render without a lock file")
