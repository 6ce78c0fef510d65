"""A storm of wrong passwords against a generated service's sign-in, and what it does to the rest.

    uv run python bench/login.py [--preset standard] [--database postgresql]
                                 [--clients 48] [--seconds 20]

The preset is rendered on the database, installed from its uv.lock and served as its image
serves it (`python -m app.server`, one worker, ENVIRONMENT=production, real Argon2). Two
phases, each of `--seconds`, with `--clients` clients that post wrong passwords for another
account (the victim) as fast as they are answered:

- hashing: the sign-in limits raised out of reach, so that every attempt costs a hash. It
  shows what hashing does to the event loop: /health must stay fast while both cores hash.
- limited: the default limits, the storm from another loopback address (127.0.0.2). It
  shows what the limits do: the storm gets 429 once the account's limit, then its address's,
  is used up, without a hash.

Meanwhile one client asks for /health every 20 ms (p50 and p99 of its latency; target:
p99 under 50 ms), and the real user signs in to their own account, from 127.0.0.1, once a
second. That user is not the victim: a storm against one's own account locks it, by design,
until the window passes. In the hashing phase the real user's sign-ins wait their turn behind
the storm's (one hash per thread, first come first served), which is the case the limits
exist for: the report gives their latency, not a target.

Numbers are reported, not asserted: results in bench/results/login.json.
"""

import argparse
import http.client
import json
import statistics
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _results import RESULTS, write_results
from _service import Project, drop_database, free_port, prepare, request, serve, service_env

PASSWORD = "Bench-secret-123"
STORM_ADDRESS = "127.0.0.2"
HEALTH_EVERY = 0.02
SIGN_IN_EVERY = 1.0
HEALTH_TARGET_P99_MS = 50.0
RAISED = "1000000"


class Client:
    """One keep-alive HTTP connection from a given source address; reconnects when dropped."""

    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 120) -> None:
        self.port, self.source, self.timeout = port, source, timeout
        self.connection: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> int:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source, 0)
                )
            try:
                headers = {"Content-Type": content_type} if body is not None else {}
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                response.read()
                return response.status
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def login_request(auth: str, username: str, password: str) -> tuple[str, bytes, str]:
    """Path, body and content type of a sign-in, for the service's kind of auth."""
    if auth == "jwt":
        body = json.dumps({"username": username, "password": password}).encode()
        return "/api/v1/auth/login", body, "application/json"
    form = urllib.parse.urlencode({"username": username, "password": password}).encode()
    return "/api/v1/auth/token", form, "application/x-www-form-urlencoded"


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def repeat(until: float, every: float, action: Callable[[], None]) -> None:
    """`action` every `every` seconds (or back to back when it takes longer) until `until`."""
    while (now := time.monotonic()) < until:
        action()
        time.sleep(max(0.0, now + every - time.monotonic()))


def phase(port: int, auth: str, *, clients: int, seconds: int, storm_source: str) -> dict[str, Any]:
    until = time.monotonic() + seconds
    storm_statuses: Counter[str] = Counter()
    health_ms: list[float] = []
    health_failures = 0
    sign_ins: list[tuple[int, float]] = []
    lock = threading.Lock()

    def storm(number: int) -> None:
        client = Client(port, storm_source)
        path, body, content_type = login_request(auth, "victim", f"Wrong-guess-{number}")
        while time.monotonic() < until:
            try:
                status = str(client.call("POST", path, body, content_type))
            except (http.client.HTTPException, OSError) as exc:
                status = type(exc).__name__
            with lock:
                storm_statuses[status] += 1

    def health() -> None:
        nonlocal health_failures
        client = Client(port, timeout=10)

        def probe() -> None:
            nonlocal health_failures
            started = time.perf_counter()
            try:
                ok = client.call("GET", "/health") == 200
            except (http.client.HTTPException, OSError):
                ok = False
            if ok:
                health_ms.append((time.perf_counter() - started) * 1000)
            else:
                health_failures += 1

        repeat(until, HEALTH_EVERY, probe)

    def real_user() -> None:
        client = Client(port)
        path, body, content_type = login_request(auth, "bench", PASSWORD)

        def sign_in() -> None:
            started = time.perf_counter()
            try:
                status = client.call("POST", path, body, content_type)
            except (http.client.HTTPException, OSError):
                status = 0
            sign_ins.append((status, time.perf_counter() - started))

        repeat(until, SIGN_IN_EVERY, sign_in)

    threads = [threading.Thread(target=storm, args=(number,)) for number in range(clients)]
    threads += [threading.Thread(target=health), threading.Thread(target=real_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    succeeded = [seconds for status, seconds in sign_ins if status == 200]
    return {
        "storm_responses": dict(storm_statuses),
        "health": {
            "requests": len(health_ms),
            "failures": health_failures,
            "p50_ms": round(percentile(health_ms, 0.50), 1),
            "p99_ms": round(percentile(health_ms, 0.99), 1),
            "max_ms": round(max(health_ms, default=float("nan")), 1),
            "p99_under_target": percentile(health_ms, 0.99) < HEALTH_TARGET_P99_MS,
        },
        "real_user": {
            "attempts": len(sign_ins),
            "signed_in": len(succeeded),
            "statuses": dict(Counter(str(status) for status, _ in sign_ins)),
            "median_s": round(statistics.median(succeeded), 2) if succeeded else None,
            "max_s": round(max(succeeded), 2) if succeeded else None,
        },
    }


def seed(base_url: str, auth: str) -> None:
    for name in ("bench", "victim"):
        user = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        status, body = request(f"{base_url}/api/v1/users", method="POST", body=user, timeout=30)
        assert status in (201, 409), (status, body)  # 409: made by the previous phase
    path, _, _ = login_request(auth, "bench", PASSWORD)
    form = {"username": "bench", "password": PASSWORD}
    if auth == "jwt":
        status, body = request(base_url + path, method="POST", body=form, timeout=30)
    else:
        status, body = request(base_url + path, method="POST", form=form, timeout=30)
    assert status == 200, (status, body)


def run(project: Project, name: str, extra_env: dict[str, str], **phase_args: Any) -> dict[str, Any]:
    port = free_port()
    auth = project.answers["auth"]
    env = {**service_env(project, port), **extra_env}
    log = RESULTS / f"login-{name}.log"
    with serve([project.python, "-m", "app.server"], project.path, env, port, log=log) as server:
        seed(server.base_url, auth)
        return {"phase": name, **phase(port, auth, **phase_args)}


def report(result: dict[str, Any]) -> None:
    health, user = result["health"], result["real_user"]
    print(f"\n{result['phase']}:")
    print(f"  storm responses   {result['storm_responses']}")
    print(f"  /health           {health['requests']} requests, {health['failures']} failed, "
          f"p50 {health['p50_ms']} ms, p99 {health['p99_ms']} ms (target < {HEALTH_TARGET_P99_MS:.0f}), "
          f"max {health['max_ms']} ms")  # fmt: skip
    print(f"  real user         {user['signed_in']} of {user['attempts']} sign-ins succeeded "
          f"{user['statuses']}, median {user['median_s']} s, max {user['max_s']} s")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--preset", default="standard", help="a preset with auth")
    parser.add_argument("--database", default="postgresql")
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as workdir:
        project = prepare(Path(workdir), args.preset, args.database)
        if project.answers.get("auth", "none") == "none":
            raise SystemExit(f"the {args.preset} preset has no sign-in")
        try:
            raised = {"LOGIN_ATTEMPTS_PER_ACCOUNT": RAISED, "LOGIN_ATTEMPTS_PER_ADDRESS": RAISED}
            phases = [("hashing", raised, "127.0.0.1"), ("limited", {}, STORM_ADDRESS)]
            for name, extra_env, storm_source in phases:
                result = run(project, name, extra_env, clients=args.clients, seconds=args.seconds,
                             storm_source=storm_source)  # fmt: skip
                report(result)
                results.append(result)
        finally:
            drop_database(project)
    summary = {"preset": args.preset, "database": args.database, "clients": args.clients,
               "seconds": args.seconds, "phases": results}  # fmt: skip
    print(f"\nresults in {write_results('login', summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
