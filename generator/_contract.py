"""The contract step: Schemathesis against the running app's own OpenAPI schema."""

from __future__ import annotations

import re
import secrets
import sys

from generator._process import StepFailed
from generator._server import App
from generator._steps import Context, served

CHECKS = "not_a_server_error,response_schema_conformance"
SEED = 20261128  # a fixed seed: the same project meets the same examples in every run
API = "/api/v1"


def contract(ctx: Context) -> None:
    with served(ctx) as app:
        app.wait_ready()
        command = [sys.executable, "-m", "schemathesis.cli", "run", f"{app.base_url}/openapi.json"]
        command += ["--checks", CHECKS, "--max-examples", str(ctx.examples)]
        command += ["--seed", str(SEED), "--generation-database", "none", "--no-color"]
        command += ["--request-timeout", "10"]
        if ctx.project.auth != "none":
            command += ["--header", f"Authorization: Bearer {_token(app, ctx.project.auth)}"]
        completed = ctx.run(*command, timeout=600, cwd=ctx.scratch)
        if completed.returncode is None:
            raise StepFailed("schemathesis did not finish")
        if not completed.ok:
            ctx.note(f"--- the first failure ---\n{first_failure(completed.output)}")
            ctx.note(f"failing operations: {failing_operations(completed.output, shown=100)}")
            raise StepFailed(f"schemathesis found failures in {failing_operations(completed.output)}")
        app.stop()


_OPERATION_HEADER = re.compile(r"^_{3,} (.+?) _{3,}$", re.MULTILINE)


def first_failure(output: str, lines: int = 40) -> str:
    """schemathesis' report of its first failing operation (the tail shows only its summary)."""
    headers = list(_OPERATION_HEADER.finditer(output))
    if not headers:
        return "(none reported)"
    end = headers[1].start() if len(headers) > 1 else len(output)
    return "\n".join(output[headers[0].start() : end].rstrip().splitlines()[:lines])


def failing_operations(output: str, shown: int = 4) -> str:
    """The operations in schemathesis' failure headers: `GET /a, POST /b and 3 more`."""
    found = list(dict.fromkeys(_OPERATION_HEADER.findall(output)))
    if not found:
        return "the run (see its output)"
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return ", ".join(found[:shown]) + more


def _token(app: App, auth: str) -> str:
    """Register a user through the API and log in as it, as a client of the service would."""
    name = f"trellis{secrets.token_hex(4)}"
    credentials = {"username": name, "password": f"Tr3llis-{secrets.token_hex(8)}"}
    created = app.request("POST", f"{API}/users", json_body={**credentials, "email": f"{name}@example.com"})
    if created.status not in (200, 201):
        raise StepFailed(
            f"registering a user for the contract answered {created.status}: {created.body[:300]!r}"
        )
    if auth == "oauth2":
        login = app.request("POST", f"{API}/auth/token", form=credentials)
    else:
        login = app.request("POST", f"{API}/auth/login", json_body=credentials)
    token = login.json_object().get("access_token") if login.status == 200 else None
    if not isinstance(token, str):
        raise StepFailed(f"logging in for the contract answered {login.status}: {login.body[:300]!r}")
    return token
