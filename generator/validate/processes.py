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


class Processes:
    """The children of one run (a validation, or a matrix of them), so that an interrupt can
    end them all; once stopped, it starts no more. Each run has its own: one that was
    interrupted leaves later runs in the same process unaffected."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[Any]] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def run(self, command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Completed:
        start = time.monotonic()
        process = self.spawn(command, cwd, env, stdout=subprocess.PIPE, text=True)
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
            self.forget(process)
        return Completed(tuple(command), returncode, output or "", time.monotonic() - start)

    def spawn(
        self, command: Sequence[str], cwd: Path, env: Mapping[str, str], stdout: Any, text: bool
    ) -> subprocess.Popen[Any]:
        """A child in a session of its own (a terminal's Ctrl-C reaches only trellis), remembered."""
        with self._lock:
            if self._stopping:
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
            self._running.add(process)
        return process

    def forget(self, process: subprocess.Popen[Any]) -> None:
        with self._lock:
            self._running.discard(process)

    def kill_all(self) -> None:
        """End every child, and refuse to start new ones."""
        with self._lock:
            self._stopping = True
            running = list(self._running)
        for process in running:
            kill_group(process)


def kill_group(process: subprocess.Popen[Any]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def tail(text: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    return kept[-chars:]
