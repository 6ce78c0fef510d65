"""Server CPU per request of the service's hot reads, in process, beside their baselines.

    uv run python bench/reads.py [--presets standard] [--databases sqlite postgresql]
                                 [--requests 500] [--rounds 5] [--posts 100]

Each preset is rendered on each database and installed as bench/serve.py installs it; then
bench/_inprocess.py, in the project's environment, builds the service (principal cache on, and
off), a bare FastAPI app, the raw baseline of bench/_raw.py and the framework ceiling of
bench/_ceiling.py (the same reads as one FastAPI route each, on SQLAlchemy Core) in one
process, seeds a user and posts, checks that the baselines answer as the service does, and
calls each app directly over
ASGI: no server, no sockets, no load generator. The CPU time of the process (the driver's
threads included, the database server's not) per request is the median of `--rounds` rounds,
the rows of a round taken one after the other.

CPU time moves far less than wall-clock rates on a shared machine, which makes this the tool to
compare two versions of the template; bench/serve.py measures what a client sees. A ratio is
the baseline's CPU per request over the row's (a rate is the inverse of the CPU a request
costs). Targets, against the framework ceiling, what a service built on the same stack could
reach at most: /posts?limit=20 and /users/me without the principal cache at least 0.9 of the
ceiling's, /users/me with it at least 0.8; /health at least 0.9 of the bare app's. The raw
baseline stays as a reference row. The last line printed is one JSON object holding every
ratio and verdict, for a check to read.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from _service import drop_database, prepare, write_bare_app

BENCH = Path(__file__).resolve().parent
# The row each service row is compared with.
BASELINES = {
    "GET /health": "bare GET /health",
    "GET /users/me": "bare GET /health",
    "GET /users/me (no principal cache)": "raw GET /users/me",
    "GET /posts?limit=20": "raw GET /posts?limit=20",
    "ceiling GET /users/me": "bare GET /health",
    "ceiling GET /users/me (no principal cache)": "raw GET /users/me",
    "ceiling GET /posts?limit=20": "raw GET /posts?limit=20",
}


# Each service row's target: (the row it is measured against, the least ratio it must reach).
TARGETS: dict[str, tuple[str, float]] = {
    "GET /health": ("bare GET /health", 0.9),
    "GET /users/me": ("ceiling GET /users/me", 0.8),
    "GET /users/me (no principal cache)": ("ceiling GET /users/me (no principal cache)", 0.9),
    "GET /posts?limit=20": ("ceiling GET /posts?limit=20", 0.9),
}


def measure(preset: str, database: str, workdir: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    project = prepare(workdir, preset, database)
    try:
        secret = uuid.uuid4().hex * 2
        auth = project.answers.get("auth", "none")
        env = {
            **os.environ,
            "ENVIRONMENT": "production",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": project.database_url,
            "SECRET_KEY": secret,
            "CACHE_PREFIX": f"bench-{uuid.uuid4().hex[:12]}",
            "RAW_DATABASE_URL": project.database_url,
            "RAW_SECRET_KEY": secret,
            "RAW_JWT_ALGORITHM": "HS256" if auth != "none" else "",
            "RAW_ROLES": "1" if project.answers.get("rbac") else "",
            "RAW_POST_STATS": "1" if project.answers.get("worker") == "taskiq" else "",
            "BENCH_AUTH": auth,
            "BENCH_REQUESTS": str(args.requests),
            "BENCH_ROUNDS": str(args.rounds),
            "BENCH_POSTS": str(args.posts),
            "BENCH_BARE_DIR": str(write_bare_app(workdir)),
        }
        env.pop("VIRTUAL_ENV", None)
        output = subprocess.run(
            [project.python, str(BENCH / "_inprocess.py")],
            cwd=project.path,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        return [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    finally:
        drop_database(project)


def report(preset: str, database: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Print the rows, and return each target's verdict."""
    cpu: dict[str, float] = {row["endpoint"]: row["cpu_us"] for row in rows}
    print(f"\n{preset} on {database}")
    for endpoint, micros in cpu.items():
        baseline = BASELINES.get(endpoint, "")
        against = f"  {cpu[baseline] / micros:.2f} of {baseline}" if baseline in cpu else ""
        print(f"  {endpoint:<38} {micros:8.0f} µs{against}")
    verdicts: list[dict[str, Any]] = []
    for endpoint, (versus, target) in TARGETS.items():
        if endpoint in cpu and versus in cpu:
            ratio = round(cpu[versus] / cpu[endpoint], 3)
            met = ratio >= target
            row = {"preset": preset, "database": database, "endpoint": endpoint, "cpu_us": cpu[endpoint]}
            verdicts.append({**row, "versus": versus, "ratio": ratio, "target": target, "met": met})
            verdict = "met" if met else "NOT met"
            print(f"  {endpoint:<38} {ratio:.2f} of {versus} (target {target}): {verdict}")
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=["standard"])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=100)
    args = parser.parse_args()
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="trellis-reads-") as workdir:
        for preset in args.presets:
            for database in args.databases:
                verdicts += report(preset, database, measure(preset, database, Path(workdir), args))
    met = all(verdict["met"] for verdict in verdicts)
    print(f"\nall targets {'met' if met else 'NOT met'}")
    print(json.dumps({"bench": "reads", "met": met, "loadavg_1m": os.getloadavg()[0], "rows": verdicts}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
