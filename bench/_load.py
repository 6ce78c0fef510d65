"""wrk as the load generator: one run per endpoint, its summary read back as JSON."""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# wrk calls `done` once at the end with the totals of all its threads.
_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK-JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: dict[str, int]
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench/serve.py needs wrk: apt-get install wrk")
    return found


@dataclass(frozen=True)
class CpuSplit:
    """One core for the server under test, the others for wrk.

    On a small machine the server and the load generator otherwise take CPU time from each
    other as the scheduler sees fit, and the rates measure the scheduler as much as the
    server. The bare app and the service get the same split, so the ratios stay fair.
    Database servers are left unpinned.
    """

    server: frozenset[int]
    load: frozenset[int]

    @classmethod
    def of_this_machine(cls) -> "CpuSplit | None":
        cpus = sorted(os.sched_getaffinity(0))
        return cls(frozenset(cpus[:1]), frozenset(cpus[1:])) if len(cpus) >= 2 else None


def pinned_to(cpus: frozenset[int] | None) -> Callable[[], None] | None:
    """A `preexec_fn` that pins the child (and every thread it starts) to `cpus`."""
    return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


def _script(endpoint: Endpoint) -> str:
    lines = [f'wrk.method = "{endpoint.method}"']
    if endpoint.body is not None:
        lines.append(f"wrk.body = {json.dumps(endpoint.body)}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if endpoint.token is not None:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {endpoint.token}"')
    return "\n".join(lines) + "\n" + _REPORT


def load(
    base_url: str,
    endpoint: Endpoint,
    *,
    connections: int,
    seconds: int,
    threads: int = 1,
    cpus: frozenset[int] | None = None,
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_script(endpoint))
    try:
        completed = subprocess.run(
            [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
             "-s", script.name, base_url + endpoint.path],
            capture_output=True, text=True, timeout=seconds + 60, check=True, preexec_fn=pinned_to(cpus),
        )  # fmt: skip
    finally:
        Path(script.name).unlink()
    line = next(line for line in completed.stdout.splitlines() if line.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    return Result(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors={kind: raw[kind] for kind in ("connect", "read", "write", "status", "timeout") if raw[kind]},
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
    )
