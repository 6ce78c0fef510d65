"""What `add resource` and `remove resource` do to a project, planned whole before any of it is
done: shown as it is with `--pretend`, else done all or nothing."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Change:
    project: Path
    created: Mapping[str, bytes] = field(default_factory=dict)
    edited: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Each edited file's text before and after."""
    deleted: tuple[str, ...] = ()

    def diffs(self) -> list[str]:
        """A unified diff of each edit, as `git diff` shows it."""
        return [
            "".join(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    f"a/{path}",
                    f"b/{path}",
                )
            )
            for path, (before, after) in sorted(self.edited.items())
        ]

    def apply(self) -> None:
        """Write, edit and delete; on any failure, put the project back as it was."""
        backups = {path: (self.project / path).read_bytes() for path in [*self.edited, *self.deleted]}
        written: list[Path] = []
        try:
            for path, data in self.created.items():
                target = self.project / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                written.append(target)
            for path, (_, after) in self.edited.items():
                (self.project / path).write_text(after, encoding="utf-8")
            for path in self.deleted:
                (self.project / path).unlink()
        except BaseException:
            for target in written:
                target.unlink(missing_ok=True)
            for path, data in backups.items():
                (self.project / path).write_bytes(data)
            raise
        for path in self.deleted:
            _prune(self.project, (self.project / path).parent)


def _prune(project: Path, folder: Path) -> None:
    """Remove folders a deletion left empty, up to the project's own."""
    while folder != project and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
