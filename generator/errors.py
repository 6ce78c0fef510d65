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
