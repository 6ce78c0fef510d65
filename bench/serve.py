"""Throughput and latency of generated services under load, beside a bare FastAPI app serving
the same /health body, measured in the same run.

    uv run python bench/serve.py [--presets standard full] [--databases sqlite postgresql]
                                 [--connections 256] [--seconds 30] [--baseline-seconds 10]

Each preset is rendered on each database, installed from its uv.lock, and served as its image
serves it (`python -m app.server`, one worker, ENVIRONMENT=production). Loaded endpoints:
GET /health, an authenticated GET /api/v1/users/me (presets with auth), GET
/api/v1/posts?limit=20 and POST /api/v1/posts. After the load: the worker's resident memory,
whether it still answers, and whether SIGTERM stops it cleanly. The bare app is loaded in a
window just before and just after each endpoint; that endpoint's ratio is to the mean of the two.

The load comes from wrk (`apt-get install wrk`): a C event loop spends far less CPU per
request than a Python client would, and on a 2-core machine the generator shares the CPU with
the server under test, so a heavier generator would measure itself. On a machine with two
cores or more, the server under test (the bare app and the service alike) runs on one core
and wrk on the others (`--no-pin` turns that off); database servers are not pinned.

Targets, as ratios to the bare app's /health rate: /health >= 0.85, /users/me >= 0.10,
/posts?limit=20 >= 0.05; on every endpoint no error and no stall (a request over 5 s).
"""

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

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

TARGETS = {"GET /health": 0.85, "GET /users/me": 0.10, "GET /posts?limit=20": 0.05}
PASSWORD = "Bench-secret-123"


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


def row(name: str, result: Result, baseline: float | None) -> dict[str, Any]:
    ratio = result.rate / baseline if baseline else None
    target = TARGETS.get(name)
    return {
        "endpoint": name,
        "rps": round(result.rate, 1),
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "max_ms": round(result.max_ms, 2),
        "errors": result.errors,
        "met": not result.errors and (target is None or ratio is None or ratio >= target),
    }


def bench(
    workdir: Path,
    preset: str,
    database: str,
    connections: int,
    seconds: int,
    baseline_seconds: int,
    cpus: CpuSplit | None,
) -> dict[str, Any]:
    project = prepare(workdir, preset, database)
    load_before = os.getloadavg()[0]
    server_cpus, load_cpus = (cpus.server, cpus.load) if cpus else (None, None)
    bare_port = free_port()
    bare_command = [project.python, "-m", "uvicorn", "bare_app:app", "--port", str(bare_port),
                    "--no-access-log", "--log-level", "warning"]  # fmt: skip
    port = free_port()
    log = RESULTS / f"serve-{preset}-{database}.log"
    try:
        # Both servers run side by side on the same core and take turns under load: a window
        # on the bare app comes before and after each endpoint, and each endpoint's ratio uses
        # the mean of the two windows beside it. A machine whose speed drifts (other work, a
        # neighbour on the host) then moves both sides of each ratio alike.
        with (
            serve(bare_command, write_bare_app(workdir), {}, bare_port, cpus=server_cpus) as bare,
            serve([project.python, "-m", "app.server"], project.path, service_env(project, port), port,
                  log, cpus=server_cpus) as server,
        ):  # fmt: skip

            def measure(target: Server, endpoint: Endpoint, seconds: int) -> Result:
                result = load(
                    target.base_url, endpoint, connections=connections, seconds=seconds, cpus=load_cpus
                )
                target.wait_idle()
                return result

            bare_health = Endpoint("GET /health", "/health")
            endpoints = seed(server.base_url, project)
            server.wait_idle()
            windows = [measure(bare, bare_health, baseline_seconds)]
            service_rows = []
            for endpoint in endpoints:
                result = measure(server, endpoint, seconds)
                windows.append(measure(bare, bare_health, baseline_seconds))
                baseline = (windows[-2].rate + windows[-1].rate) / 2
                service_rows.append((endpoint.name, result, baseline, server.answers_health()))
            rss = server.rss_mib()
            exit_code, stop_seconds = server.stop(grace=10)
        rows = [row(f"bare GET /health ({i + 1})", window, None) for i, window in enumerate(windows)]
        for name, result, baseline, answers in service_rows:
            extra = {"baseline_rps": round(baseline, 1), "answers_after": answers}
            rows.append({**row(name, result, baseline), **extra})
        logged_errors = sum('"level": "ERROR"' in line for line in log.read_text().splitlines())
        return {
            "preset": preset,
            "database": database,
            "connections": connections,
            "seconds": seconds,
            "baseline_seconds": baseline_seconds,
            "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "server_cpus": sorted(server_cpus) if server_cpus else None,
            "load_cpus": sorted(load_cpus) if load_cpus else None,
            "rows": rows,
            "rss_mib_after_load": round(rss, 1),
            "error_log_lines": logged_errors,
            "sigterm_exit_code": exit_code,
            "sigterm_stop_s": round(stop_seconds, 2),
            "clean_stop": exit_code in (0, -15) and stop_seconds < 10,
        }
    finally:
        drop_database(project)


def report(run: dict[str, Any]) -> None:
    pinned = f", server on cpu {run['server_cpus']}, wrk on {run['load_cpus']}" if run["server_cpus"] else ""
    print(f"\n{run['preset']} on {run['database']}, {run['connections']} connections for {run['seconds']} s"
          f" each (load average {run['loadavg_1m'][0]} -> {run['loadavg_1m'][1]}{pinned}):"
          f" worker RSS after load {run['rss_mib_after_load']} MiB, {run['error_log_lines']} error log lines,"
          f" SIGTERM -> exit {run['sigterm_exit_code']} in {run['sigterm_stop_s']} s")  # fmt: skip
    header = f"{'endpoint':<22}{'req/s':>10}{'ratio':>8}{'target':>8}{'p50 ms':>9}{'p99 ms':>9}"
    print(f"  {header}  errors  verdict")
    for line in run["rows"]:
        ratio = f"{line['ratio']:.2f}" if line["ratio"] is not None else "-"
        target = f"{line['target']:.2f}" if line["target"] is not None else "-"
        errors = ",".join(f"{k}={v}" for k, v in line["errors"].items()) or "0"
        verdict = "met" if line["met"] and line.get("answers_after", True) else "NOT met"
        print(f"  {line['endpoint']:<22}{line['rps']:>10.1f}{ratio:>8}{target:>8}"
              f"{line['p50_ms']:>9.2f}{line['p99_ms']:>9.2f}  {errors:<6}  {verdict}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presets", nargs="+", default=["standard", "full"])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--seconds", type=int, default=30, help="Load on each endpoint of the service")
    parser.add_argument(
        "--baseline-seconds",
        type=int,
        default=10,
        help="Each window of load on the bare app (between endpoints)",
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="Let the servers and wrk share all cores (default: a core each)"
    )
    args = parser.parse_args()
    wrk_path()
    cpus = None if args.no_pin else CpuSplit.of_this_machine()
    RESULTS.mkdir(exist_ok=True)  # the servers' logs go there during the runs
    runs = []
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as workdir:
        for preset in args.presets:
            for database in args.databases:
                seconds = (args.seconds, args.baseline_seconds)
                runs.append(bench(Path(workdir), preset, database, args.connections, *seconds, cpus))
                report(runs[-1])
    write_results("serve", runs)
    met = all(
        run["clean_stop"]
        and run["error_log_lines"] == 0
        and all(line["met"] and line.get("answers_after", True) for line in run["rows"])
        for run in runs
    )
    print(f"\nall targets {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
