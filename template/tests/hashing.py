"""A password hasher for tests whose checks hold their thread until the test releases them."""

import threading

import anyio


class GatedHasher:
    """Stands in for pwdlib's PasswordHash: `verify` blocks until `release` is set."""

    def __init__(self, *, timeout: float = 5.0) -> None:
        self.release = threading.Event()
        # A bound on the wait: on a blocked event loop, nothing would ever set `release`.
        self.timeout = timeout
        self.running = 0
        self.peak = 0
        self.finished = 0
        self._changed = threading.Condition()

    def hash(self, password: str) -> str:
        return f"gated${password}"

    def verify(self, password: str, hashed_password: str) -> bool:
        with self._changed:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self._changed.notify_all()
        try:
            self.release.wait(self.timeout)
            return hashed_password == self.hash(password)
        finally:
            with self._changed:
                self.running -= 1
                self.finished += 1

    async def wait_until_running(self, count: int) -> None:
        """Waits (in a thread of its own) until `count` checks hold their threads at once."""
        await anyio.to_thread.run_sync(self._wait_until_running, count)

    def _wait_until_running(self, count: int) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.running >= count, self.timeout):
                raise TimeoutError(f"{count} password checks never ran at once")
