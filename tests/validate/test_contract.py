"""The contract step's Schemathesis run, against a small API that records what it is sent."""

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from generator.validate.contract import (
    PHASES,
    Identity,
    failing_operations,
    first_failure,
    schemathesis_command,
    write_config,
)

TOKENS = {"Bearer user-token": "user", "Bearer other-token": "other-user", "Bearer admin-token": "admin"}
INTEGER = {"type": "integer"}
ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
NOT_JSON = {"400": {"description": "Not JSON"}}
DENIED = {"401": {"description": "Not signed in"}, "403": {"description": "Not allowed"}}
SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "stub", "version": "1"},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/items": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ITEM, "example": {"name": "x"}}},
                },
                "responses": {
                    "201": {"description": "Made", "content": {"application/json": {"schema": ITEM}}},
                    **NOT_JSON,
                    **DENIED,
                },
            }
        },
        "/items/{item_id}": {
            "get": {
                "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": INTEGER}],
                "responses": {
                    "200": {"description": "Found", "content": {"application/json": {"schema": ITEM}}},
                    "404": {"description": "Not found"},
                    **DENIED,
                },
            }
        },
        "/admin": {
            "patch": {
                "requestBody": {"required": True, "content": {"application/json": {"schema": ITEM}}},
                "responses": {"204": {"description": "Admins only"}, **NOT_JSON, **DENIED},
            }
        },
    },
}


class StubAPI(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str]]] = []

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def answer(self, status: int, body: object = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_one(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        who = TOKENS.get(self.headers.get("Authorization", ""), "anonymous")
        path = self.path.split("?")[0]
        self.seen.append((self.command, path, who))
        if path == "/openapi.json" and self.command == "GET":
            return self.answer(200, SCHEMA)
        item = path.startswith("/items/")
        allowed = "GET" if item else {"/items": "POST", "/admin": "PATCH"}.get(path)
        if allowed is None:
            return self.answer(404, {})
        if self.command != allowed:
            self.send_response(405)
            self.send_header("Allow", allowed)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if who == "anonymous":
            return self.answer(401, {})
        if path == "/admin":
            return self.answer(204) if who == "admin" else self.answer(403, {})
        if item:
            return self.answer(200, {"id": 1, "name": "x"}) if path == "/items/1" else self.answer(404, {})
        return self.answer(201, {"id": 1, "name": "x"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = handle_one


@pytest.fixture
def stub_api() -> Iterator[str]:
    StubAPI.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def contract_run(tmp_path: Path, base_url: str, identities: list[Identity]) -> str:
    config = write_config(tmp_path, identities)
    command = schemathesis_command(f"{base_url}/openapi.json", config, examples=3)
    done = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.stdout + done.stderr


def test_every_phase_runs_signed_in_as_the_users_and_the_admin(tmp_path: Path, stub_api: str) -> None:
    identities = [Identity("user", "user-token"), Identity("admin", "admin-token")]
    output = contract_run(tmp_path, stub_api, [*identities, Identity("other-user", "other-token")])
    for phase in PHASES:
        assert f"{phase.capitalize()} (in" in output, output
    calls = {(method, path, who) for method, path, who in StubAPI.seen}
    assert ("POST", "/items", "user") in calls
    # The users are refused the admin's operation: it goes on as the admin.
    assert ("PATCH", "/admin", "user") in calls
    assert ("PATCH", "/admin", "admin") in calls
    # The coverage phase tries methods the schema leaves out (unsupported_method, Allow).
    documented = {("POST", "/items"), ("GET", "/items/1"), ("PATCH", "/admin"), ("GET", "/openapi.json")}
    assert {(method, path) for method, path, _ in calls if path in {p for _, p in documented}} - documented


def test_without_auth_nobody_signs_in(tmp_path: Path, stub_api: str) -> None:
    contract_run(tmp_path, stub_api, [])
    assert {who for _, path, who in StubAPI.seen if path != "/openapi.json"} == {"anonymous"}
    assert not (tmp_path / "identities.json").exists()


def test_failing_operations_are_named_from_schemathesis_headers() -> None:
    output = "\n".join(
        f"{'_' * 10} {op} {'_' * 10}\n1. Test Case ID: x" for op in ["GET /a", "POST /b", "GET /a"]
    )
    assert failing_operations(output) == "GET /a, POST /b"
    assert failing_operations(output, shown=1) == "GET /a and 1 more"
    assert failing_operations("no headers") == "the run (see its output)"
    assert first_failure(output) == f"{'_' * 10} GET /a {'_' * 10}\n1. Test Case ID: x"
