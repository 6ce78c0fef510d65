"""What a project's commands run with: a Python of its version, and a clean environment."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Variables of the calling tool's own environment that must not reach a project's commands.
# PYTHONDONTWRITEBYTECODE too: byte code goes to the validation's scratch folder
# (PYTHONPYCACHEPREFIX), and without it every step compiled each module it imported again.
_LEAKS = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONPATH",
    "PYTHONHOME",
    "UV_PROJECT_ENVIRONMENT",
    "PYTHONDONTWRITEBYTECODE",
)
_LEAK_PREFIXES = ("PYTEST_", "COV_CORE_", "COPIER_", "FORCE_COLOR", "PY_COLORS")


def interpreter(version: str) -> str | None:
    """A Python of the given minor version on this machine (on PATH, or under pyenv), if any."""
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    for candidate in candidates:
        if candidate and _answers(candidate):
            return candidate
    return None


def _answers(python: str) -> bool:
    try:
        return (
            subprocess.run([python, "--version"], capture_output=True, timeout=10, check=False).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def project_environment(venv: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _LEAKS and not key.startswith(_LEAK_PREFIXES)
    }
    env.update(
        {
            "VIRTUAL_ENV": str(venv),
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "UV_PROJECT_ENVIRONMENT": str(venv),
            "UV_PYTHON_DOWNLOADS": "never",
            "NO_COLOR": "1",
        }
    )
    env.update(extra)
    return env
