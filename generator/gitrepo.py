"""The few git questions `trellis update` asks of a project's repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[^/@:]+@[^/:]+:)", re.IGNORECASE)


def is_url(source: str) -> bool:
    """`https://...`, `file://...`, `ssh://...` or scp-like `git@host:path`, not a local path."""
    return bool(_URL.match(source))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@dataclass(frozen=True)
class Repository:
    root: Path

    @classmethod
    def containing(cls, path: Path) -> Repository | None:
        try:
            top = git(path, "rev-parse", "--show-toplevel").strip()
        except (OSError, subprocess.CalledProcessError):
            return None
        return cls(Path(top))

    def _relative(self, path: Path, name: str) -> str:
        prefix = path.resolve().relative_to(self.root.resolve()).as_posix()
        return name if prefix == "." else name.removeprefix(prefix + "/")

    def changes(self, path: Path) -> list[tuple[str, str]]:
        """(status code, path relative to `path`) of each uncommitted change under `path`."""
        output = git(path, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
        return [(entry[:2].strip(), self._relative(path, entry[3:])) for entry in output.split("\0") if entry]

    def unmerged(self, path: Path) -> list[str]:
        """Files with unresolved conflicts, relative to `path`."""
        output = git(path, "diff", "--name-only", "--diff-filter=U", "--relative", "-z")
        return sorted(name for name in dict.fromkeys(output.split("\0")) if name)

    def rejects(self, path: Path) -> list[str]:
        """`.rej` files, ignored or not, relative to `path`."""
        output = git(path, "ls-files", "--others", "-z", "--", "*.rej")
        return sorted(name for name in output.split("\0") if name)

    @contextmanager
    def scratch_clone(self) -> Iterator[Repository]:
        """A throwaway clone of the committed state, sharing this repository's objects."""
        folder = Path(tempfile.mkdtemp(prefix="trellis-pretend-"))
        try:
            git(folder, "clone", "--quiet", "--shared", str(self.root), "repo")
            yield Repository(folder / "repo")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
