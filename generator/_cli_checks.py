"""The `validate` and `matrix` commands: options in, reports out; the work is in
generator/validate.py and generator/matrix.py."""

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from generator._databases import Servers
from generator.template import load_spec

_STEPS_HELP = "install, lint, types, tests, migrations, boot, contract"
_Steps = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        metavar="STEP",
        help=f"Leave a step out (repeatable, or comma-separated): {_STEPS_HELP}",
        show_default=False,
    ),
]
_Only = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(metavar="STEP", help="Run only this step (and install, which it needs)", show_default=False),
]
_Examples = Annotated[int, typer.Option(min=1, metavar="N", help="Contract: examples per operation at most")]
_PostgresUrl = Annotated[
    str,
    typer.Option(
        envvar="TRELLIS_POSTGRES_URL", metavar="URL", help="PostgreSQL server for scratch databases"
    ),
]
_MysqlUrl = Annotated[
    str, typer.Option(envvar="TRELLIS_MYSQL_URL", metavar="URL", help="MySQL server for scratch databases")
]
_RedisUrl = Annotated[
    str,
    typer.Option(envvar="TRELLIS_REDIS_URL", metavar="URL", help="Redis server of projects with cache=redis"),
]


def _validate_options(
    skip: list[str] | None,
    only: list[str] | None,
    examples: int,
    postgres_url: str,
    mysql_url: str,
    redis_url: str,
) -> Any:
    from generator.validate import Options

    def names(items: list[str] | None) -> frozenset[str]:
        return frozenset(name.strip() for item in items or [] for name in item.split(",") if name.strip())

    return Options(names(skip), names(only), Servers(postgres_url, mysql_url, redis_url), examples)


def validate(
    project: Annotated[
        Path, typer.Argument(help="The project directory", show_default=False, metavar="PROJECT")
    ],
    skip: _Steps = None,
    only: _Only = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON report, nothing else")] = False,
    junit: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Write a JUnit XML report to this file", show_default=False, metavar="FILE"),
    ] = None,
    examples: _Examples = 10,
    postgres_url: _PostgresUrl = Servers.postgresql,
    mysql_url: _MysqlUrl = Servers.mysql,
    redis_url: _RedisUrl = Servers.redis,
) -> None:
    """Prove a generated project: fresh install, lint, types, tests, migrations, boot, contract."""
    import json

    from generator import _display, _report
    from generator.validate import selected_steps
    from generator.validate import validate as run_validate

    options = _validate_options(skip, only, examples, postgres_url, mysql_url, redis_url)
    live = not json_output and _display.is_terminal()
    with _display.validate_display(selected_steps(options.skip, options.only), live) as listener:
        report = run_validate(project, options, None if json_output else listener)
    if junit:
        junit.write_text(_report.junit([(project.absolute().name, report)]), encoding="utf-8")
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _display.print_failures(report)
    raise typer.Exit(0 if report.passed else 1)


def matrix(
    all_: Annotated[
        bool, typer.Option("--all", help="Every accepted combination, not a pairwise set")
    ] = False,
    list_: Annotated[bool, typer.Option("--list", help="Print the combinations, run nothing")] = False,
    only: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(metavar="KEY=VALUE", help="Keep combinations with this answer", show_default=False),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, metavar="N", help="Validations at once")
    ] = os.cpu_count() or 1,
    shard: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="I/N", help="Run the I-th of N deterministic slices", show_default=False),
    ] = None,
    github_matrix: Annotated[
        bool, typer.Option("--github-matrix", help="Print the shards as a GitHub Actions matrix (JSON)")
    ] = False,
    shards: Annotated[
        int, typer.Option(min=1, metavar="N", help="How many shards --github-matrix makes")
    ] = 4,
    workdir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Where projects are rendered [default: a temporary directory]",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option(help="Keep projects that passed (failed ones are always kept)")
    ] = False,
    report_dir: Annotated[
        Path, typer.Option(help="Where matrix.md and junit.xml are written", metavar="DIR")
    ] = Path("matrix-report"),
    skip: _Steps = None,
    examples: _Examples = 10,
    postgres_url: _PostgresUrl = Servers.postgresql,
    mysql_url: _MysqlUrl = Servers.mysql,
    redis_url: _RedisUrl = Servers.redis,
) -> None:
    """Validate every preset and a pairwise covering set of option combinations."""
    import json
    import tempfile

    from generator import _display, _report
    from generator import matrix as matrix_module

    spec = load_spec()
    items = matrix_module.combinations(spec, full=all_, only=matrix_module.parse_filters(spec, only or []))
    if github_matrix:
        typer.echo(json.dumps(matrix_module.github_matrix(items, shards)))
        return
    if shard:
        items = matrix_module.shard(items, *matrix_module.parse_shard(shard))
    if list_:
        for item in items:
            typer.echo(f"{item.name}  {item.label}")
        return
    options = _validate_options(skip, None, examples, postgres_url, mysql_url, redis_url)
    live = _display.is_terminal()
    root = workdir or Path(tempfile.mkdtemp(prefix="trellis-matrix-"))
    with _display.matrix_display(len(items), live) as listener:
        report = matrix_module.run_matrix(
            items, workdir=root, jobs=jobs, options=options, keep=keep, listener=listener
        )
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "matrix.md").write_text(
        _report.markdown(report.outcomes, seconds=report.seconds, jobs=report.jobs), encoding="utf-8"
    )
    suites = [(outcome.combination.name, outcome.report) for outcome in report.outcomes]
    (report_dir / "junit.xml").write_text(_report.junit(suites), encoding="utf-8")
    _display.print_summary(report, live)
    typer.echo(f"reports: {report_dir / 'matrix.md'}, {report_dir / 'junit.xml'}")
    if workdir is None and report.passed and not keep:
        root.rmdir()
    raise typer.Exit(0 if report.passed else 1)
