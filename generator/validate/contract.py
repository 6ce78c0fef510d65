"""The contract step: Schemathesis against the running app's own OpenAPI schema, every phase and
every check, signed in as the service's clients are."""

from __future__ import annotations

import json
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.validate.processes import StepFailed
from generator.validate.server import App
from generator.validate.steps import Context, served

PHASES = ("examples", "coverage", "fuzzing", "stateful")
SEED = 20261128  # a fixed seed: the same project meets the same examples in every run
API = "/api/v1"
CREATE_ADMIN = Path("app/commands/create_admin.py")
# Bounds per project, as validate runs for every project of the CI matrix: at most `--examples`
# cases per operation in each phase, and stateful scenarios of at most 10 steps; a run of the
# full preset takes about a minute.
MAX_STEPS = 10
# Checks that contradict the service's documented behaviour, each left out for one operation.
EXEMPTIONS = (
    # Any signed-in user may read any profile (the project's README), and a summary is one.
    (f"GET {API}/users/{{user_id}}/summary", "object_level_authorization"),
    # An address at a special-use domain (`.test`, `.local`) fits the `email` format, and
    # email-validator refuses it, as a service that sends mail should.
    (f"POST {API}/users", "positive_data_acceptance"),
    (f"PATCH {API}/users/{{user_id}}", "positive_data_acceptance"),
)
RUN_TIMEOUT = 600


@dataclass(frozen=True)
class Identity:
    name: str
    token: str


def contract(ctx: Context) -> None:
    with served(ctx) as app:
        app.wait_ready()
        identities = signed_in(ctx, app)
        config = write_config(ctx.scratch, identities)
        if identities:
            ctx.note(f"signed in as {', '.join(identity.name for identity in identities)}")
        command = schemathesis_command(f"{app.base_url}/openapi.json", config, ctx.examples)
        schemathesis = (sys.executable, "-m", "schemathesis.cli")
        completed = ctx.run(*schemathesis, *command, timeout=RUN_TIMEOUT, cwd=ctx.scratch)
        if completed.returncode is None:
            raise StepFailed("schemathesis did not finish")
        if not completed.ok:
            ctx.note(f"--- the first failure ---\n{first_failure(completed.output)}")
            ctx.note(f"failing operations: {failing_operations(completed.output, shown=100)}")
            raise StepFailed(f"schemathesis found failures in {failing_operations(completed.output)}")
        app.stop()


def schemathesis_command(schema_url: str, config: Path, examples: int) -> list[str]:
    """The arguments of `schemathesis`: every phase, every check, a fixed seed.

    Every check is on by default but max_response_time, whose limit a shared CI machine cannot
    promise; naming them with `--checks` would also override the config file's exemptions."""
    command = ["--config-file", str(config), "run", schema_url, "--phases", ",".join(PHASES)]
    command += ["--max-examples", str(examples), "--seed", str(SEED)]
    return [*command, "--generation-database", "none", "--no-color", "--request-timeout", "10"]


def write_config(scratch: Path, identities: list[Identity]) -> Path:
    """schemathesis.toml: the phases' bounds, and the identities to sign in as, if any.

    Every operation starts as the first user; one that answers 401 or 403 is tried without
    credentials, then as each later identity in turn: an admin-only one reaches the admin after
    two refusals. The two users are peers: neither may read the other's objects."""
    lines = [f"[phases.stateful]\nmax-steps = {MAX_STEPS}\n"]
    for operation, check in EXEMPTIONS:
        lines.append(f"[[operations]]\ninclude-name = {json.dumps(operation)}\n")
        lines[-1] += f"checks.{check}.enabled = false\n"
    if identities:
        document = {
            "schemaVersion": "0.1.0",
            "auth": [{"name": who.name, "fixedHeaders": [_bearer(who.token)]} for who in identities],
        }
        wfc = scratch / "identities.json"
        wfc.write_text(json.dumps(document, indent=2), encoding="utf-8")
        peers = [who.name for who in identities if who.name != "admin"]
        lines.append(f"[auth.wfc]\npath = {json.dumps(str(wfc))}\npeers = {json.dumps(peers)}\n")
    config = scratch / "schemathesis.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def _bearer(token: str) -> dict[str, str]:
    return {"name": "Authorization", "value": f"Bearer {token}"}


def signed_in(ctx: Context, app: App) -> list[Identity]:
    """A user registered through the API, with roles the first admin, made by the project's own
    command, and another user; each logged in as a client of the service would."""
    auth = ctx.project.auth
    if auth == "none":
        return []
    users = {"user": _register(app)}
    if (ctx.project.path / CREATE_ADMIN).is_file():
        users["admin"] = _create_admin(ctx)
    users["other-user"] = _register(app)
    return [Identity(name, _login(app, auth, credentials)) for name, credentials in users.items()]


def _new_credentials() -> dict[str, str]:
    name = f"trellis{secrets.token_hex(4)}"
    return {"username": name, "password": f"Tr3llis-{secrets.token_hex(8)}", "email": f"{name}@example.com"}


def _register(app: App) -> dict[str, str]:
    credentials = _new_credentials()
    created = app.request("POST", f"{API}/users", json_body=credentials)
    if created.status not in (200, 201):
        raise StepFailed(
            f"registering a user for the contract answered {created.status}: {created.body[:300]!r}"
        )
    return credentials


# As the project's README has it: the password from a variable, never from an argument.
_CREATE_ADMIN = 'printenv ADMIN_PASSWORD | "$0" -m app.commands.create_admin "$1" "$2" --password-stdin'


def _create_admin(ctx: Context) -> dict[str, str]:
    credentials = _new_credentials()
    command = ["sh", "-c", _CREATE_ADMIN, ctx.tool("python"), credentials["username"], credentials["email"]]
    env = {**ctx.env, "ADMIN_PASSWORD": credentials["password"]}
    done = ctx.processes.run(command, ctx.project.path, env, timeout=120)
    ctx.transcript.append(done.transcript(f"create_admin {credentials['username']} (password on stdin)"))
    if not done.ok:
        raise StepFailed(f"create_admin failed (exit {done.returncode}): {done.output.strip()[-300:]}")
    return credentials


def _login(app: App, auth: str, credentials: dict[str, str]) -> str:
    form = {"username": credentials["username"], "password": credentials["password"]}
    if auth == "oauth2":
        login = app.request("POST", f"{API}/auth/token", form=form)
    else:
        login = app.request("POST", f"{API}/auth/login", json_body=form)
    token = login.json_object().get("access_token") if login.status == 200 else None
    if not isinstance(token, str):
        raise StepFailed(f"logging in for the contract answered {login.status}: {login.body[:300]!r}")
    return token


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
