"""The image's command, `python -m app.server`, run for real against this project."""

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
import uvicorn

from app import server
from app.core.config import Settings, get_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_serves_and_shuts_down_gracefully_on_sigterm(settings: Settings) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "PORT": str(port),
        "WORKERS": "1",
        "GRACEFUL_SHUTDOWN_TIMEOUT": "5",
        "SECRET_KEY": "a-test-secret-key-of-more-than-32-bytes-0123456789",  # ignored without auth
    }
    command = [sys.executable, "-m", "app.server"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        response = wait_until_healthy(f"http://127.0.0.1:{port}/health", process)
        assert response.status_code == 200
        assert "server" not in response.headers
        process.send_signal(signal.SIGTERM)
        # Uvicorn finishes in-flight work, runs the lifespan shutdown, then re-raises the signal.
        assert process.wait(timeout=10) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
        _, errors = process.communicate()
    assert "Application shutdown complete" in errors


def test_server_options_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(app=app, **options))
    settings = Settings(workers=3, graceful_shutdown_timeout=7, forwarded_allow_ips="10.0.0.1", port=9000)
    server.run(settings)
    assert seen["app"] == "app.main:create_app"
    assert seen["factory"] is True
    assert seen["workers"] == 3
    assert seen["timeout_graceful_shutdown"] == 7
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == "10.0.0.1"
    assert seen["port"] == 9000


def test_invalid_settings_are_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("CORS_ORIGINS", '["*"]')
    get_settings.cache_clear()
    try:
        assert server.main() == 2
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert error.startswith("invalid settings: ")
    assert "CORS_ORIGINS holds" in error
    assert error.count("\n") == 1


def test_main_configures_logging_and_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[Settings] = []
    monkeypatch.setattr(server, "run", ran.append)
    monkeypatch.setenv("ENVIRONMENT", "test")
    get_settings.cache_clear()
    try:
        assert server.main() == 0
    finally:
        get_settings.cache_clear()
    assert ran[0].environment == "test"
