"""git, run for trellis: the one place a git command is spelled, and the questions asked of a
project's repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import one_line

_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[^/@:]+@[^/:]+:)", re.IGNORECASE)


class GitError(Exception):
    """git is missing, or a git command failed: the message is its last line of stderr."""


def git(cwd: Path, *args: str) -> str:
    """The output of `git ARGS` run in `cwd`."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise GitError(f"git: {exc.strerror}") from None
    if done.returncode != 0:
        raise GitError(one_line(done.stderr, keep="last") or f"git {args[0]} exited with {done.returncode}")
    return done.stdout


def is_url(source: str) -> bool:
    """`https://...`, `file://...`, `ssh://...` or scp-like `git@host:path`, not a local path."""
    return bool(_URL.match(source))


def is_git_root(path: Path) -> bool:
    try:
        top = git(path, "rev-parse", "--show-toplevel").strip()
    except GitError:
        return False
    return Path(top).resolve() == path.resolve()


@dataclass(frozen=True)
class Repository:
    root: Path

    @classmethod
    def containing(cls, path: Path) -> Repository | None:
        try:
            top = git(path, "rev-parse", "--show-toplevel").strip()
        except GitError:
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

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()

    def commit_all(self, message: str) -> None:
        """Commit everything as it is, as a step to undo later (`undo_commits`)."""
        git(self.root, "add", "-A")
        identity = ("-c", "user.name=trellis", "-c", "user.email=trellis@localhost")
        git(self.root, *identity, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", message)

    def undo_commits(self, base: str, *, keep_index: bool) -> None:
        """Back to `base`, every change since left in the files (and in the index with `keep_index`)."""
        git(self.root, "reset", "--quiet", "--soft", base)
        if not keep_index:
            git(self.root, "reset", "--quiet")

    @contextmanager
    def scratch_clone(self) -> Iterator[Repository]:
        """A throwaway clone of the committed state, sharing this repository's objects."""
        folder = Path(tempfile.mkdtemp(prefix="trellis-pretend-"))
        try:
            git(folder, "clone", "--quiet", "--shared", str(self.root), "repo")
            yield Repository(folder / "repo")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fetching_from(recorded: str, override: str | None) -> Iterator[None]:
    """Make git fetch `recorded` from `override` (`url.<override>.insteadOf=<recorded>`), so that
    the project goes on recording its public source. Copier keeps a mirror of every remote
    template in its cache, keyed by URL: a scratch cache keeps the override out of it."""
    if override is None:
        yield
        return
    from plumbum import local  # copier runs git through plumbum, whose environment is a copy

    local_path = Path(override).expanduser()
    if local_path.exists():
        override = local_path.resolve().as_posix()
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    git_config = {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"url.{override}.insteadOf",
        f"GIT_CONFIG_VALUE_{index}": recorded,
    }
    cache = tempfile.mkdtemp(prefix="trellis-cache-")
    saved = {name: os.environ.get(name) for name in ("COPIER_CACHE_DIR", *git_config)}
    try:
        os.environ.update({"COPIER_CACHE_DIR": cache, **git_config})
        with local.env(COPIER_CACHE_DIR=cache, **git_config):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(cache, ignore_errors=True)
