"""The driver of bench/reads.py, run in the rendered project's environment (cwd: the project).

It builds the service twice (principal cache on, and PRINCIPAL_CACHE_SECONDS=0), the bare app,
the raw baseline (bench/_raw.py) and the framework ceiling (bench/_ceiling.py) in one process,
seeds a user and posts through the service, checks that the raw baseline and the ceiling
answer as the service does, and then times the CPU
each request costs, calling the apps directly over ASGI (no server, no sockets). Its
settings come from the environment (bench/reads.py sets them); it prints JSON lines.
"""

import asyncio
import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.getcwd()]  # _raw, and the project's app

import _ceiling  # noqa: E402
import _raw  # noqa: E402

App = Callable[..., Coroutine[Any, Any, None]]
PASSWORD = "Bench-Passw0rd"


def bare_app() -> App:
    """bench/serve.py's bare app, written by bench/reads.py into BENCH_BARE_DIR."""
    sys.path.insert(0, os.environ["BENCH_BARE_DIR"])
    app: App = importlib.import_module("bare_app").app
    return app


def service(cache_seconds: str) -> App:
    """The project's app, imported here: this module is type-checked where `app` is not."""
    os.environ["PRINCIPAL_CACHE_SECONDS"] = cache_seconds
    settings = importlib.import_module("app.core.config").Settings()
    app: App = importlib.import_module("app.main").create_app(settings)
    return app


async def call(
    app: App, method: str, path: str, *, token: str | None = None, body: Any = None, form: Any = None
) -> tuple[int, Any]:
    path, _, query = path.partition("?")
    headers = [(b"host", b"bench")]
    content = b""
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body is not None:
        content = json.dumps(body).encode()
        headers.append((b"content-type", b"application/json"))
    elif form is not None:
        content = urlencode(form).encode()
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    if content:
        headers.append((b"content-length", str(len(content)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}
        await asyncio.Event().wait()  # never: the app has read its body
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    data = b"".join(chunks)
    return status, json.loads(data) if data else None


@asynccontextmanager
async def running(app: App) -> AsyncIterator[App]:
    """The app's lifespan, driven as a server drives it."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task: asyncio.Task[None] = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    message = await outbox.get()
    assert message["type"] == "lifespan.startup.complete", message
    try:
        yield app
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def seed(app: App, auth: str, posts: int) -> str | None:
    user = {"username": "bench", "email": "bench@example.com", "password": PASSWORD}
    status, created = await call(app, "POST", "/api/v1/users", body=user)
    if status == 404:  # services with auth register under /auth
        status, created = await call(app, "POST", "/api/v1/auth/register", body=user)
    assert status == 201, (status, created)
    token = None
    if auth == "jwt":
        status, answer = await call(
            app, "POST", "/api/v1/auth/login", body={"username": "bench", "password": PASSWORD}
        )
        assert status == 200, (status, answer)
        token = answer["access_token"]
    elif auth == "oauth2":
        status, answer = await call(
            app, "POST", "/api/v1/auth/token", form={"username": "bench", "password": PASSWORD}
        )
        assert status == 200, (status, answer)
        token = answer["access_token"]
    post: dict[str, Any] = {"title": "Read in process", "body": "Written by bench/reads.py."}
    if token is None:
        post["author_id"] = created["id"]
    for _ in range(posts):
        status, answer = await call(app, "POST", "/api/v1/posts", body=post, token=token)
        assert status == 201, (status, answer)
    return token


async def cpu_per_request(app: App, path: str, token: str | None, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        status, _ = await call(app, "GET", path, token=token)
        assert status == 200, (path, status)
    return (time.process_time() - start) / n


async def main() -> None:
    auth, requests, rounds = (
        os.environ["BENCH_AUTH"],
        int(os.environ["BENCH_REQUESTS"]),
        int(os.environ["BENCH_ROUNDS"]),
    )
    # The baselines first: a service with tracing instruments FastAPI and SQLAlchemy for the
    # whole process, apps and engines made after it included.
    bare, raw = bare_app(), _raw.create_app()
    ceiling, ceiling_cached = _ceiling.create_app(cached=False), _ceiling.create_app(cached=True)
    cached, uncached = service("5"), service("0")
    async with running(cached), running(uncached), running(raw):
        token = await seed(cached, auth, int(os.environ["BENCH_POSTS"]))
        rows: list[tuple[str, App, str, str | None]] = [
            ("bare GET /health", bare, "/health", None),
            ("GET /health", cached, "/health", None),
            ("raw GET /posts?limit=20", raw, "/api/v1/posts?limit=20", None),
            ("ceiling GET /posts?limit=20", ceiling, "/api/v1/posts?limit=20", None),
            ("GET /posts?limit=20", cached, "/api/v1/posts?limit=20", token),
        ]
        if token is not None:
            rows[2:2] = [
                ("raw GET /users/me", raw, "/api/v1/users/me", token),
                ("ceiling GET /users/me", ceiling_cached, "/api/v1/users/me", token),
                ("GET /users/me", cached, "/api/v1/users/me", token),
                ("ceiling GET /users/me (no principal cache)", ceiling, "/api/v1/users/me", token),
                ("GET /users/me (no principal cache)", uncached, "/api/v1/users/me", token),
            ]
        for name, app, path, row_token in rows:
            if name.startswith(("raw", "ceiling")):  # the baselines answer as the service does
                expected, actual = (
                    await call(cached, "GET", path, token=row_token),
                    await call(app, "GET", path, token=row_token),
                )
                assert expected == actual, (name, expected, actual)
        samples: dict[str, list[float]] = {name: [] for name, *_ in rows}
        for _ in range(rounds):
            for name, app, path, row_token in rows:
                await cpu_per_request(app, path, row_token, max(requests // 10, 1))  # warm
                samples[name].append(await cpu_per_request(app, path, row_token, requests))
        for name, values in samples.items():
            print(json.dumps({"endpoint": name, "cpu_us": statistics.median(values) * 1e6}))


if __name__ == "__main__":
    asyncio.run(main())
