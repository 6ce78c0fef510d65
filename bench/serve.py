"""Throughput and latency of generated services under load, beside a bare FastAPI app serving
the same /health body and a raw-driver baseline serving the same reads, measured in the same run.

    uv run python bench/serve.py [--presets minimal standard full] [--databases sqlite postgresql]
                                 [--connections 256] [--seconds 30] [--rounds 5] [--window 5]
                                 [--tracing preset|none|opentelemetry|both]

Each preset is rendered on each database, installed from its uv.lock, and served as its image
serves it (`python -m app.server`, one worker, ENVIRONMENT=production). Beside it, on the same
event loop (asyncio) and the same core:

- the bare app: FastAPI serving the service's /health body, the limit of a FastAPI route;
- the raw baseline (bench/_raw.py): a pure ASGI app serving GET /api/v1/users/me (the same
  token checks, then the user by id) and GET /api/v1/posts?limit=20 (the page and its total in
  one statement) straight from the driver (asyncpg, aiosqlite), with the service's JSON, which
  is checked against the service's answers before any timing;
- with auth, a second service with PRINCIPAL_CACHE_SECONDS=0, whose /users/me reads the user
  on every request.

Loaded endpoints: GET /health, an authenticated GET /api/v1/users/me (presets with auth),
GET /api/v1/posts?limit=20 and POST /api/v1/posts, in two phases:

- rates: `--rounds` rounds of short windows (`--window` seconds); in each round every row with
  a target gets a window right after a window on its baseline, all servers pinned to the same
  core. Each rate is the median of its windows, and each ratio is to the median of all its
  baseline's windows. On a virtual machine the same server's rate moves by 20% or more from one
  window to the next, which a single pair of runs cannot tell from a real difference. Any error
  in a window fails its row.
- stress: each endpoint, POST included, under continuous load (`--seconds`), for errors,
  stalls and latency. It comes second, so that the rows POST adds do not grow the table
  under the rate windows.

After the load: the worker's resident memory, whether it still answers, and whether SIGTERM
stops it cleanly.

The load comes from wrk (`apt-get install wrk`): a C event loop spends far less CPU per
request than a Python client would, and on a 2-core machine the generator shares the CPU with
the server under test, so a heavier generator would measure itself. On a machine with two
cores or more, the servers (baselines and service alike) run on one core and wrk on the others
(`--no-pin` turns that off); database servers are not pinned.

`--tracing both` serves each preset twice, with tracing none and opentelemetry (spans made,
none exported), and reports the ratios of /health and /posts to their baselines, untraced
against traced; `--tracing none` or `opentelemetry` overrides the presets' answer; by default
each preset keeps its own.

Targets: /health >= 0.9 of the bare app's; under the stress load, on every endpoint, no error,
no request over 2 s and a p99 at most 3 times the p50 (a tail, not a queue); the worker's RSS
after the load at most 110 MiB. The reads' targets are set on the framework ceiling, which
bench/reads.py measures; here the raw baseline and the bare app's /health stay as reference
rows for /users/me and /posts. The last line printed is one JSON object holding every ratio,
p50, p99, max, error count and verdict, for a check to read.
"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _compare import differences
from _load import CpuSplit, Endpoint, Result, load, wrk_path
from _results import RESULTS, write_results
from _service import (
    Project,
    Server,
    drop_database,
    free_port,
    prepare,
    request,
    serve,
    service_env,
    write_bare_app,
)

PASSWORD = "Bench-secret-123"
BENCH = Path(__file__).resolve().parent
# The worker's resident memory after the load, at most: the highest of the runs before the raw
# baseline came (89 to 101 MiB).
RSS_LIMIT_MIB = 110
# Under the stress load: no request over this, and a p99 at most this many times the p50.
MAX_LATENCY_MS = 2000
TAIL_RATIO = 3


@dataclass(frozen=True)
class Pair:
    """A rate row: the service's windows on an endpoint, each right after one on its baseline."""

    name: str
    server: str
    endpoint: Endpoint
    baseline: str
    target: float | None  # None: a reference row, judged on its errors alone


@dataclass(frozen=True)
class Baseline:
    """What a row's rate is divided by: a baseline server's windows on one endpoint."""

    name: str
    server: str
    endpoint: Endpoint


def seed(base_url: str, project: Project) -> list[Endpoint]:
    """A user, a token when the service has auth, and posts to list; then the endpoints to load."""
    user = {"username": "bench", "email": "bench@example.com", "password": PASSWORD}
    status, created = request(f"{base_url}/api/v1/users", method="POST", body=user)
    if status == 404:  # services with auth register under /auth
        status, created = request(f"{base_url}/api/v1/auth/register", method="POST", body=user)
    assert status == 201, (status, created)
    auth = project.answers.get("auth", "none")
    token = None
    if auth == "jwt":
        login = {"username": "bench", "password": PASSWORD}
        status, body = request(f"{base_url}/api/v1/auth/login", method="POST", body=login)
        assert status == 200, (status, body)
        token = body["access_token"]
    elif auth == "oauth2":
        form = {"username": "bench", "password": PASSWORD}
        status, body = request(f"{base_url}/api/v1/auth/token", method="POST", form=form)
        assert status == 200, (status, body)
        token = body["access_token"]
    post = {"title": "Under load", "body": "Written by bench/serve.py."}
    if token is None:
        post["author_id"] = created["id"]
    for _ in range(50):
        status, body = request(f"{base_url}/api/v1/posts", method="POST", body=post, token=token)
        assert status == 201, (status, body)
    endpoints = [Endpoint("GET /health", "/health")]
    if token is not None:
        endpoints.append(Endpoint("GET /users/me", "/api/v1/users/me", token=token))
    endpoints.append(Endpoint("GET /posts?limit=20", "/api/v1/posts?limit=20", token=token))
    endpoints.append(Endpoint("POST /posts", "/api/v1/posts", "POST", json.dumps(post), token))
    return endpoints


def rate_plan(endpoints: dict[str, Endpoint]) -> tuple[list[Baseline], list[Pair]]:
    """The baselines and the rows of the rate phase, for the endpoints this service has.

    /users/me is measured twice: on the service as configured, whose principal cache spares
    it the query (against the bare app's /health), and on a second service with
    PRINCIPAL_CACHE_SECONDS=0, which reads the user each time (against the raw baseline).
    """
    health, posts = endpoints["GET /health"], endpoints["GET /posts?limit=20"]
    baselines = [Baseline("bare GET /health", "bare", health)]
    pairs = [Pair("GET /health", "service", health, "bare GET /health", 0.9)]
    me = endpoints.get("GET /users/me")
    if me is not None:
        baselines.append(Baseline("raw GET /users/me", "raw", me))
        pairs.append(Pair("GET /users/me", "service", me, "bare GET /health", None))
        pairs.append(Pair("GET /users/me, no cache", "no-cache", me, "raw GET /users/me", None))
    baselines.append(Baseline("raw GET /posts?limit=20", "raw", posts))
    pairs.append(Pair("GET /posts?limit=20", "service", posts, "raw GET /posts?limit=20", None))
    return baselines, pairs


def same_answers(servers: dict[str, Server], endpoints: dict[str, Endpoint]) -> None:
    """The raw baseline answers the service's reads with the same JSON, or the run stops."""
    for name in ("GET /users/me", "GET /posts?limit=20"):
        endpoint = endpoints.get(name)
        if endpoint is None:
            continue
        status, expected = request(servers["service"].base_url + endpoint.path, token=endpoint.token)
        assert status == 200, (name, status, expected)
        others = ["raw", "no-cache"] if name == "GET /users/me" else ["raw"]
        for other in others:
            status, actual = request(servers[other].base_url + endpoint.path, token=endpoint.token)
            found = differences(expected, actual) if status == 200 else [f"status {status}: {actual}"]
            if found:
                raise SystemExit(f"{other} answers {name} unlike the service:\n  " + "\n  ".join(found))


def stress_row(name: str, result: Result, answers_after: bool) -> dict[str, Any]:
    return {
        "endpoint": name,
        "rps": round(result.rate, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "max_ms": round(result.max_ms, 2),
        "errors": result.errors,
        "answers_after": answers_after,
        "met": not result.errors
        and answers_after
        and result.max_ms <= MAX_LATENCY_MS
        and result.p99_ms <= TAIL_RATIO * result.p50_ms,
    }


def rate_row(
    name: str,
    windows: list[Result],
    baseline: dict[str, Any] | None = None,
    target: float | None = None,
) -> dict[str, Any]:
    """A row of the rate phase: the median of `windows`, and its ratio to `baseline`'s row."""
    rate = statistics.median(window.rate for window in windows)
    # A baseline that had errors is no baseline: the ratio stays unknown and the row unmet.
    ratio = rate / baseline["median_rps"] if baseline and baseline["met"] and baseline["median_rps"] else None
    errors: dict[str, int] = {}
    for window in windows:
        for kind, count in window.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return {
        "endpoint": name,
        "median_rps": round(rate, 1),
        "window_rps": [round(window.rate, 1) for window in windows],
        "versus": baseline["endpoint"] if baseline else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "errors": errors,
        # Errors (wrk counts non-2xx answers too) fail a row: a fast error is no rate.
        "met": not errors and (target is None or (ratio is not None and ratio >= target)),
    }


def bench(
    workdir: Path,
    preset: str,
    database: str,
    connections: int,
    seconds: int,
    rounds: int,
    window: int,
    cpus: CpuSplit | None,
    tracing: str | None = None,
) -> dict[str, Any]:
    project = prepare(workdir, preset, database, tracing)
    name = f"{preset}-{database}" + (f"-{tracing}" if tracing else "")
    load_before = os.getloadavg()[0]
    server_cpus, load_cpus = (cpus.server, cpus.load) if cpus else (None, None)
    has_auth = project.answers.get("auth", "none") != "none"
    # The bare app and the raw baseline run on the service's event loop (asyncio), so that
    # they differ from it only in the application. Under uvloop a busy bare app also left
    # connections waiting seconds to be accepted, and a baseline with timeouts is no baseline.
    uvicorn = [project.python, "-m", "uvicorn", "--loop", "asyncio", "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    env = service_env(project, free_port())
    raw_env = {
        "RAW_DATABASE_URL": project.database_url,
        "RAW_POOL_SIZE": "5",  # the service's DATABASE_POOL_SIZE
        "RAW_SECRET_KEY": env["SECRET_KEY"],
        "RAW_JWT_ALGORITHM": "HS256" if has_auth else "",  # the service's JWT_ALGORITHM
        "RAW_ROLES": "1" if project.answers.get("rbac") else "0",
        "RAW_POST_STATS": "1" if project.answers.get("worker") == "taskiq" else "0",
    }
    bare_port, raw_port = free_port(), free_port()
    service = [project.python, "-m", "app.server"]
    # Each server: its command, directory, environment, port and log.
    launches: dict[str, tuple[list[str], Path, dict[str, str], int, Path | None]] = {
        "bare": ([*uvicorn, "--port", str(bare_port), "bare_app:app"], workdir, {}, bare_port, None),
        "raw": ([*uvicorn, "--port", str(raw_port), "--factory", "raw_app:create_app"], workdir, raw_env,
                raw_port, None),
        "service": (service, project.path, env, int(env["PORT"]), RESULTS / f"serve-{name}.log"),
    }  # fmt: skip
    if has_auth:
        no_cache = {**env, "PORT": str(free_port()), "PRINCIPAL_CACHE_SECONDS": "0"}
        log = RESULTS / f"serve-{name}-no-cache.log"
        launches["no-cache"] = (service, project.path, no_cache, int(no_cache["PORT"]), log)
    write_bare_app(workdir)
    shutil.copy(BENCH / "_raw.py", workdir / "raw_app.py")
    try:
        with ExitStack() as stack:
            servers = {
                name: stack.enter_context(serve(command, cwd, extra, port, log, cpus=server_cpus))
                for name, (command, cwd, extra, port, log) in launches.items()
            }
            server = servers["service"]
            not_idle = 0

            def measure(target: Server, endpoint: Endpoint, seconds: int) -> Result:
                nonlocal not_idle
                result = load(
                    target.base_url, endpoint, connections=connections, seconds=seconds, cpus=load_cpus
                )
                # Requests already sent are still served after wrk stops: the next
                # measurement must not share the core with them.
                not_idle += not target.wait_idle()
                return result

            endpoints = seed(server.base_url, project)
            by_name = {endpoint.name: endpoint for endpoint in endpoints}
            same_answers(servers, by_name)
            for each in servers.values():
                each.wait_idle()
            # Rates first, while the posts table holds only the seeded posts: short windows on
            # each baseline and on the service in turn (POST has no target, and its rows would
            # grow the table under the later windows). On a virtual machine the same server's
            # rate moves by 20% or more from one window to the next; medians over interleaved
            # windows see both sides through the same weather.
            baselines, pairs = rate_plan(by_name)
            baseline_of = {baseline.name: baseline for baseline in baselines}
            windows: dict[str, list[Result]] = {name: [] for name in [*baseline_of, *(p.name for p in pairs)]}
            for _ in range(rounds):
                for pair in pairs:
                    baseline = baseline_of[pair.baseline]
                    windows[baseline.name].append(
                        measure(servers[baseline.server], baseline.endpoint, window)
                    )
                    windows[pair.name].append(measure(servers[pair.server], pair.endpoint, window))
            # Stress: each endpoint under continuous load, for errors, stalls and latency.
            stress = []
            for endpoint in endpoints:
                result = measure(server, endpoint, seconds)
                stress.append(stress_row(endpoint.name, result, server.answers_health()))
            answers_after = server.answers_health()
            rss = server.rss_mib()
            exit_code, stop_seconds = server.stop(grace=10)
        baseline_rows = {name: rate_row(name, windows[name]) for name in baseline_of}
        rates = [*baseline_rows.values()] + [
            rate_row(pair.name, windows[pair.name], baseline_rows[pair.baseline], pair.target)
            for pair in pairs
        ]
        logs = [log for *_, log in launches.values() if log is not None]
        logged_errors = sum(
            '"level": "ERROR"' in line for log in logs for line in log.read_text().splitlines()
        )
        return {
            "preset": preset,
            "database": database,
            "tracing": project.answers.get("tracing", "none"),
            "connections": connections,
            "seconds": seconds,
            "rounds": rounds,
            "window_seconds": window,
            "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "server_cpus": sorted(server_cpus) if server_cpus else None,
            "load_cpus": sorted(load_cpus) if load_cpus else None,
            "stress": stress,
            "rates": rates,
            "windows_not_idle": not_idle,
            "answers_after": answers_after,
            "rss_mib_after_load": round(rss, 1),
            "rss_limit_mib": RSS_LIMIT_MIB,
            "error_log_lines": logged_errors,
            "sigterm_exit_code": exit_code,
            "sigterm_stop_s": round(stop_seconds, 2),
            "clean_stop": exit_code in (0, -15) and stop_seconds < 10,
        }
    finally:
        drop_database(project)


def report(run: dict[str, Any]) -> None:
    pinned = f", server on cpu {run['server_cpus']}, wrk on {run['load_cpus']}" if run["server_cpus"] else ""
    rss = "met" if run["rss_mib_after_load"] <= run["rss_limit_mib"] else "NOT met"
    print(f"\n{run['preset']} on {run['database']}, tracing {run['tracing']} (load average"
          f" {run['loadavg_1m'][0]} -> {run['loadavg_1m'][1]}{pinned}): worker RSS after load"
          f" {run['rss_mib_after_load']} MiB (at most {run['rss_limit_mib']}: {rss}),"
          f" {run['error_log_lines']} error log lines, SIGTERM -> exit {run['sigterm_exit_code']} in"
          f" {run['sigterm_stop_s']} s")  # fmt: skip
    print(f"  stress, {run['connections']} connections for {run['seconds']} s on each endpoint:")
    print(f"    {'endpoint':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  errors  answers after")
    for line in run["stress"]:
        errors = ",".join(f"{k}={v}" for k, v in line["errors"].items()) or "0"
        print(f"    {line['endpoint']:<22}{line['rps']:>10.1f}{line['p50_ms']:>9.2f}{line['p99_ms']:>9.2f}"
              f"{line['max_ms']:>9.0f}  {errors:<6}  {'yes' if line['answers_after'] else 'NO'}")  # fmt: skip
    print(f"  rates, medians of {run['rounds']} windows of {run['window_seconds']} s per endpoint,"
          " each right after one on its baseline:")  # fmt: skip
    print(f"    {'endpoint':<26}{'req/s':>10}  {'versus':<26}{'ratio':>7}{'target':>8}  verdict   windows")
    for line in run["rates"]:
        ratio = f"{line['ratio']:.3f}" if line["ratio"] is not None else "-"
        target = f"{line['target']:.2f}" if line["target"] is not None else "-"
        verdict = "met" if line["met"] else "NOT met"
        if line["errors"]:
            verdict += " (" + ",".join(f"{k}={v}" for k, v in line["errors"].items()) + ")"
        windows = " ".join(f"{value:.0f}" for value in line["window_rps"])
        versus = line["versus"] or "-"
        rate = f"{line['median_rps']:>10.1f}  {versus:<26}{ratio:>7}{target:>8}"
        print(f"    {line['endpoint']:<26}{rate}  {verdict:<8}  {windows}")
    if run["windows_not_idle"]:
        print(f"  {run['windows_not_idle']} measurements began while a server was still busy with the last")


def tracing_costs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per preset and database served both ways, each endpoint's ratio to its baseline traced
    over the same untraced: the two runs come minutes apart, and their raw rates move with the
    machine's load where the ratios, each to a baseline measured beside it, hold."""

    def ratios(run: dict[str, Any]) -> dict[str, float]:
        return {line["endpoint"]: line["ratio"] for line in run["rates"] if line["ratio"]}

    untraced = {(run["preset"], run["database"]): ratios(run) for run in runs if run["tracing"] == "none"}
    costs = []
    for run in runs:
        before = untraced.get((run["preset"], run["database"]))
        if run["tracing"] == "none" or before is None:
            continue
        after = ratios(run)
        for endpoint in ("GET /health", "GET /posts?limit=20"):
            if endpoint in before and endpoint in after:
                costs.append({"preset": run["preset"], "database": run["database"], "endpoint": endpoint,
                              "untraced_ratio": before[endpoint], "traced_ratio": after[endpoint],
                              "cost": round(after[endpoint] / before[endpoint], 3)})  # fmt: skip
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presets", nargs="+", default=["minimal", "standard", "full"])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--seconds", type=int, default=30, help="Stress: continuous load on each endpoint")
    parser.add_argument("--rounds", type=int, default=5, help="Rates: interleaved windows per endpoint")
    parser.add_argument("--window", type=int, default=5, help="Rates: seconds of each window")
    parser.add_argument(
        "--no-pin", action="store_true", help="Let the servers and wrk share all cores (default: a core each)"
    )
    parser.add_argument(
        "--tracing",
        choices=["preset", "none", "opentelemetry", "both"],
        default="preset",
        help="Tracing of the services: the presets' answer, one for all, or both (then its cost is reported)",
    )
    args = parser.parse_args()
    wrk_path()
    cpus = None if args.no_pin else CpuSplit.of_this_machine()
    RESULTS.mkdir(exist_ok=True)  # the servers' logs go there during the runs
    runs = []
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as workdir:
        variants: list[str | None] = [None]  # each preset's own answer
        if args.tracing == "both":
            variants = ["none", "opentelemetry"]
        elif args.tracing != "preset":
            variants = [args.tracing]
        for preset in args.presets:
            for database in args.databases:
                for tracing in variants:
                    timing = (args.seconds, args.rounds, args.window)
                    runs.append(
                        bench(Path(workdir), preset, database, args.connections, *timing, cpus, tracing)
                    )
                    report(runs[-1])
    costs = tracing_costs(runs)
    if costs:
        print("\ncost of tracing (spans made, none exported): ratio to the baseline, untraced -> traced")
        for cost in costs:
            where = f"{cost['preset']} on {cost['database']}, {cost['endpoint']}"
            print(f"  {where:<42}{cost['untraced_ratio']:>7.3f} -> {cost['traced_ratio']:>7.3f}"
                  f"  (x{cost['cost']:.3f})")  # fmt: skip
        write_results("serve-tracing", costs)
    write_results("serve", runs)
    met = all(
        run["clean_stop"]
        and run["answers_after"]
        and run["error_log_lines"] == 0
        and run["windows_not_idle"] == 0
        and run["rss_mib_after_load"] <= run["rss_limit_mib"]
        and all(line["met"] for line in run["stress"] + run["rates"])
        for run in runs
    )
    print(f"\nall targets {'met' if met else 'NOT met'}")
    print(json.dumps({"bench": "serve", "met": met, "runs": [verdicts(run) for run in runs]}))
    return 0 if met else 1


def verdicts(run: dict[str, Any]) -> dict[str, Any]:
    """What a check reads of a run: each row's numbers and verdict."""
    return {
        **{key: run[key] for key in ("preset", "database", "tracing", "loadavg_1m")},
        "rates": [
            {
                key: line[key]
                for key in ("endpoint", "median_rps", "versus", "ratio", "target", "errors", "met")
            }
            for line in run["rates"]
        ],
        "stress": [
            {key: line[key] for key in ("endpoint", "rps", "p50_ms", "p99_ms", "max_ms", "errors", "met")}
            for line in run["stress"]
        ],
        "rss_mib_after_load": run["rss_mib_after_load"],
        "rss_limit_mib": run["rss_limit_mib"],
        "rss_met": run["rss_mib_after_load"] <= run["rss_limit_mib"],
    }


if __name__ == "__main__":
    raise SystemExit(main())
