"""Run a command of a project: output merged and kept, a time limit that ends its children too."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Every child still running, so that an interrupt can end them all (matrix runs many at once).
_RUNNING: set[subprocess.Popen[Any]] = set()
_LOCK = threading.Lock()
_STOPPING = threading.Event()

TAIL_LINES = 80
TAIL_CHARS = 10000


class StepFailed(Exception):
    """A check of a step did not hold: the message says which, in one line."""


@dataclass(frozen=True)
class Completed:
    command: tuple[str, ...]
    returncode: int | None  # None: stopped at its time limit
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def transcript(self, label: str | None = None) -> str:
        ending = "" if self.returncode is not None else f"\n(stopped after {self.seconds:.0f} s)"
        return f"$ {label or ' '.join(self.command)}\n{self.output.rstrip()}{ending}\n"


def run(command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Completed:
    start = time.monotonic()
    process = spawn(command, cwd, env, stdout=subprocess.PIPE, text=True)
    try:
        output, _ = process.communicate(timeout=timeout)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        kill_group(process)
        output, _ = process.communicate()
        returncode = None
    except BaseException:
        kill_group(process)
        process.wait()
        raise
    finally:
        forget(process)
    return Completed(tuple(command), returncode, output or "", time.monotonic() - start)


def spawn(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], stdout: Any, text: bool
) -> subprocess.Popen[Any]:
    """A child in a session of its own (a terminal's Ctrl-C reaches only trellis), remembered."""
    with _LOCK:
        if _STOPPING.is_set():
            raise StepFailed("interrupted")
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            text=text,
            errors="replace" if text else None,
            start_new_session=True,
        )
        _RUNNING.add(process)
    return process


def forget(process: subprocess.Popen[Any]) -> None:
    with _LOCK:
        _RUNNING.discard(process)


def kill_all() -> None:
    """End every child, and refuse to start new ones until `allow_new()`."""
    with _LOCK:
        _STOPPING.set()
        running = list(_RUNNING)
    for process in running:
        kill_group(process)


def allow_new() -> None:
    _STOPPING.clear()


def kill_group(process: subprocess.Popen[Any]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def tail(text: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    return kept[-chars:]
