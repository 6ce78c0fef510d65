"""The errors a user can cause, and how any error is told in one line."""

from typing import Literal


class TrellisError(Exception):
    """An error the user can cause: shown as one line, with an exit code."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(TrellisError):
    exit_code = 2


def one_line(error: BaseException | str, *, keep: Literal["all", "first", "last"] = "all") -> str:
    """An error's text on one line: all its non-blank lines joined, or only the first or the last.

    An exception without text is told by its type's name; empty text stays empty."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__ if isinstance(error, BaseException) else ""
    if keep == "first":
        return lines[0]
    if keep == "last":
        return lines[-1]
    return " ".join(lines)
