"""The generated app served on a free loopback port by its production command, `python -m app.server`."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.validate.processes import Processes, StepFailed, kill_group

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or {} when it is not one."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class App:
    def __init__(self, process: subprocess.Popen[Any], port: int, log: Path) -> None:
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log

    def request(
        self, method: str, path: str, *, json_body: Any = None, form: Mapping[str, str] | None = None
    ) -> Response:
        data, headers = None, {}
        if json_body is not None:
            data, headers = json.dumps(json_body).encode(), {"Content-Type": "application/json"}
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return Response(reply.status, reply.read(), reply.headers.get_content_type())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), error.headers.get_content_type())

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise StepFailed(
                    f"the app exited with code {self.process.returncode} before answering /health"
                )
            with contextlib.suppress(OSError):
                if self.request("GET", "/health").status == 200:
                    return time.monotonic() - start
            time.sleep(0.1)
        raise StepFailed(f"/health did not answer 200 within {timeout:.0f} s")

    def stop(self, timeout: float = STOP_TIMEOUT) -> float:
        """SIGTERM, then the time it took to exit; a hang or an unclean exit fails the step."""
        start = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
            self.process.wait()
            raise StepFailed(f"the app did not exit within {timeout:.0f} s of SIGTERM") from None
        # uvicorn re-raises the signal after a graceful shutdown, so -SIGTERM is clean too.
        if code not in (0, -signal.SIGTERM):
            raise StepFailed(f"the app exited with code {code} after SIGTERM")
        if "Traceback" in self.log_text():
            raise StepFailed("the app logged a traceback")
        return time.monotonic() - start

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(
    venv_bin: Path, project: Path, env: Mapping[str, str], log: Path, processes: Processes
) -> Iterator[App]:
    """The image's command, configured as the server reads its settings: from the environment."""
    port = free_port()
    command = [str(venv_bin / "python"), "-m", "app.server"]
    settings = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("wb") as sink:
        process = processes.spawn(command, project, settings, stdout=sink, text=False)
    app = App(process, port, log)
    try:
        yield app
    finally:
        if process.poll() is None:
            kill_group(process)
            process.wait()
        processes.forget(process)
