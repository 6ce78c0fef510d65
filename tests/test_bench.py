"""The pure logic of bench/serve.py and bench/reads.py: how their rows are judged and their
baselines kept honest."""

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parent.parent / "bench"))

from _compare import differences
from _load import Endpoint, Result
from reads import report
from serve import rate_plan, rate_row, stress_row, tracing_costs

POST = {"id": 2, "title": "t", "author_id": 1, "created_at": "2026-12-01T07:03:58Z"}


def window(rate: float, **errors: int) -> Result:
    return Result(requests=int(rate * 5), seconds=5, errors=errors, p50_ms=1, p99_ms=2, max_ms=3)


def test_equal_answers_have_no_differences() -> None:
    assert differences({"items": [POST], "total": 1}, {"total": 1, "items": [dict(POST)]}) == []


@pytest.mark.parametrize(
    ("actual", "found"),
    [
        ({"items": [{**POST, "created_at": "2026-12-01T07:03:58+00:00"}], "total": 1},
         ["items[0].created_at: '2026-12-01T07:03:58+00:00', not '2026-12-01T07:03:58Z'"]),
        ({"items": [{**POST, "id": True}], "total": 1}, ["items[0].id: True, not 2"]),
        ({"items": [{**POST, "title": None}], "total": 1}, ["items[0].title: None, not 't'"]),
        ({"items": [{k: v for k, v in POST.items() if k != "title"}], "total": 1},
         ["items[0].title: missing"]),
        ({"items": [POST], "total": 1, "role": "user"}, ["role: unexpected 'user'"]),
        ({"items": [], "total": 1}, ["items: 0 items, not 1"]),
    ],
)  # fmt: skip
def test_differences_name_each_place(actual: object, found: list[str]) -> None:
    assert differences({"items": [POST], "total": 1}, actual) == found


def test_a_row_is_the_median_of_its_windows_over_its_baselines() -> None:
    baseline = rate_row("raw GET /posts?limit=20", [window(1000), window(3000), window(2000)])
    row = rate_row("GET /posts?limit=20", [window(900), window(1100), window(1000)], baseline, 0.5)
    assert (row["median_rps"], row["versus"], row["ratio"], row["met"]) == (
        1000, "raw GET /posts?limit=20", 0.5, True
    )  # fmt: skip
    below = rate_row("GET /posts?limit=20", [window(990)], baseline, 0.5)
    assert (below["ratio"], below["met"]) == (0.495, False)


def test_errors_fail_a_row_and_void_its_baseline() -> None:
    row = rate_row(
        "GET /health", [window(5000), window(5000, timeout=1)], rate_row("bare", [window(10)]), 0.9
    )
    assert (row["errors"], row["met"]) == ({"timeout": 1}, False)
    failed_baseline = rate_row("bare", [window(1000, status=3)])
    after = rate_row("GET /health", [window(5000)], failed_baseline, 0.9)
    assert (after["ratio"], after["met"]) == (None, False)


def test_users_me_rows_come_with_auth_only() -> None:
    endpoints = {name: Endpoint(name, "/") for name in ("GET /health", "GET /posts?limit=20")}
    baselines, pairs = rate_plan(endpoints)
    assert [b.name for b in baselines] == ["bare GET /health", "raw GET /posts?limit=20"]
    assert [(p.name, p.baseline, p.target) for p in pairs] == [
        ("GET /health", "bare GET /health", 0.9),
        ("GET /posts?limit=20", "raw GET /posts?limit=20", None),
    ]
    endpoints["GET /users/me"] = Endpoint("GET /users/me", "/", token="t")
    _, pairs = rate_plan(endpoints)
    assert [(p.name, p.server, p.baseline, p.target) for p in pairs if "users" in p.name] == [
        ("GET /users/me", "service", "bare GET /health", None),
        ("GET /users/me, no cache", "no-cache", "raw GET /users/me", None),
    ]


def run_with(tracing: str, health: float, posts: float | None) -> dict[str, object]:
    rows = [{"endpoint": "bare GET /health", "ratio": None}, {"endpoint": "GET /health", "ratio": health}]
    rows.append({"endpoint": "GET /posts?limit=20", "ratio": posts})
    return {"preset": "standard", "database": "sqlite", "tracing": tracing, "rates": rows}


def test_the_cost_of_tracing_compares_ratios_of_the_same_preset_and_database() -> None:
    runs = [run_with("none", 0.9, 0.6), run_with("opentelemetry", 0.9, 0.45)]
    runs.append({**run_with("opentelemetry", 0.5, 0.5), "database": "postgresql"})  # nothing untraced
    costs = tracing_costs(runs)
    assert [(cost["endpoint"], cost["cost"]) for cost in costs] == [
        ("GET /health", 1.0),
        ("GET /posts?limit=20", 0.75),
    ]


def test_a_row_without_a_ratio_has_no_cost() -> None:
    assert [
        cost["endpoint"]
        for cost in tracing_costs([run_with("none", 0.9, None), run_with("opentelemetry", 0.8, 0.4)])
    ] == ["GET /health"]


@pytest.mark.parametrize(
    ("p50", "p99", "longest", "met"),
    [(10.0, 30.0, 100.0, True), (10.0, 31.0, 100.0, False), (500.0, 900.0, 2_001.0, False)],
    ids=["a-queue", "a-tail", "a-stall"],
)
def test_a_stress_row_fails_on_a_tail_or_a_stall(p50: float, p99: float, longest: float, met: bool) -> None:
    result = Result(requests=1000, seconds=10, errors={}, p50_ms=p50, p99_ms=p99, max_ms=longest)
    assert stress_row("GET /users/me", result, answers_after=True)["met"] is met


def test_the_reads_are_judged_against_the_ceiling() -> None:
    rows = [
        {"endpoint": "bare GET /health", "cpu_us": 100.0},
        {"endpoint": "GET /health", "cpu_us": 105.0},
        {"endpoint": "ceiling GET /posts?limit=20", "cpu_us": 900.0},
        {"endpoint": "GET /posts?limit=20", "cpu_us": 1_100.0},
    ]
    verdicts = {row["endpoint"]: (row["ratio"], row["met"]) for row in report("standard", "sqlite", rows)}
    assert verdicts == {"GET /health": (0.952, True), "GET /posts?limit=20": (0.818, False)}
