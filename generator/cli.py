"""The `trellis` command line, every command of it: it parses and prints; the verbs do the work."""

import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from typer._click.core import Context as ClickContext
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand

from generator.errors import TrellisError, UsageError
from generator.template import Answer, Question, TemplateSpec, load_spec, parse_answers
from generator.validate import Options
from generator.validate.databases import Servers

if TYPE_CHECKING:
    from rich.console import RenderableType

    from generator.add.change import Change
    from generator.update import Report as UpdateReport

app = typer.Typer(
    name="trellis",
    help="Render FastAPI services from the fastapi-trellis template and prove they work.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _root(
    context: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print trellis' version and exit")] = False,
) -> None:
    if version:
        typer.echo(f"trellis {_version()}")
        raise typer.Exit()
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from generator.origin import DISTRIBUTION

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "(not installed: run it from a checkout with `uv run trellis`)"


# The presets' names, for --help (copier.yml and the presets are read once, here, per command).
_PRESETS = ", ".join(sorted(load_spec().presets))
_FLAGS = "trellis.question_flags"


class _NewCommand(TyperCommand):
    """`trellis new` with a flag per question of copier.yml: `question_flags` takes them out of the
    arguments before the command's own options are parsed, and the help lists them."""

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        remaining, ctx.meta[_FLAGS] = split_question_flags(load_spec(), args)
        return super().parse_args(ctx, remaining)

    def format_options(self, ctx: ClickContext, formatter: HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        with formatter.section("Questions (copier.yml)"):
            formatter.write_dl([_question_help(question) for question in load_spec().questions])


def _question_help(question: Question) -> tuple[str, str]:
    flag = question.flag
    help_text = question.help
    if question.choices:
        help_text += f" [{' | '.join(str(v) for v in question.values)}]"
    if question.condition:
        help_text += " (asked only when it applies)"
    if question.type == "bool":
        return f"--{flag} / --no-{flag}", help_text
    return f"--{flag} {'CHOICE' if question.choices else 'TEXT'}", help_text


def split_question_flags(spec: TemplateSpec, args: list[str]) -> tuple[list[str], dict[str, Answer]]:
    """The arguments less the question flags (`--db mysql`, `--db=mysql`, `--rbac`, `--no-rbac`),
    and the answers those give, typed; everything after `--` is left as it is."""
    by_flag = {f"--{question.flag}": question for question in spec.questions}
    negated = {f"--no-{q.flag}": q for q in spec.questions if q.type == "bool"}
    remaining: list[str] = []
    answers: dict[str, Answer] = {}
    items = iter(args)
    for arg in items:
        if arg == "--":
            remaining += [arg, *items]
            break
        flag, equals, inline = arg.partition("=")
        if arg in negated:
            answers[negated[arg].name] = False
        elif flag in by_flag and by_flag[flag].type == "bool":
            question = by_flag[flag]
            answers[question.name] = question.parse(inline) if equals else True
        elif flag in by_flag:
            question = by_flag[flag]
            value = inline if equals else next(items, None)
            if value is None:
                raise UsageError(f"Option '{flag}' requires an argument.")
            answers[question.name] = question.parse(value)
        else:
            remaining.append(arg)
    return remaining, answers


def question_flags(context: typer.Context) -> dict[str, Answer]:
    """The answers the question flags gave `trellis new`."""
    given: dict[str, Answer] = context.meta.get(_FLAGS, {})
    return dict(given)


@app.command(cls=_NewCommand, short_help="Render a new service.")
def new(
    context: typer.Context,
    destination: Annotated[
        Path, typer.Argument(help="Directory to create", show_default=False, metavar="DESTINATION")
    ],
    preset: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help=f"Start from a preset ({_PRESETS}); explicit flags win", show_default=False, metavar="NAME"
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing: use defaults")] = False,
    data: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--data", "-d", help="Any answer as key=value", show_default=False, metavar="KEY=VALUE"),
    ] = None,
    force: Annotated[bool, typer.Option(help="Render into a non-empty directory")] = False,
    lock: Annotated[
        bool, typer.Option(help="Resolve the project's uv.lock (needs uv and the package index)")
    ] = True,
) -> None:
    """Render a new service."""
    from generator.new import render, resolve_answers

    spec = load_spec()
    resolved = resolve_answers(
        spec,
        preset=preset,
        data=parse_answers(spec, data or [], option="--data"),
        flags=question_flags(context),
    )
    interactive = not yes and sys.stdin.isatty() and sys.stdout.isatty()
    try:
        with _progress() as progress:
            rendered = render(
                destination,
                resolved,
                interactive=interactive,
                force=force,
                lock=lock,
                spec=spec,
                progress=progress,
            )
    except UsageError as exc:
        if "'project_slug'" in exc.message and "project_slug" not in resolved:
            # The slug was derived from the name, and never asked: say how to give one.
            raise UsageError(f"{exc.message} It comes from the project name: pass --project-slug.") from None
        raise
    typer.echo(f"Rendered {rendered.path}")
    typer.echo(f"Next: cd {shlex.quote(str(rendered.path))} && uv run pytest")
    for warning in rendered.warnings:
        _warn(warning)


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A spinner with what is being done, at a terminal; nothing when the output is read by a program."""
    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        yield lambda _: None
        return
    from rich.console import Console

    status = Console(stderr=True).status("")

    def update(message: str) -> None:
        status.update(f"{message}...")
        status.start()

    try:
        yield update
    finally:
        status.stop()


@app.command(short_help="List the questions, choices, defaults and presets.")
def options(
    json_output: Annotated[bool, typer.Option("--json", help="Print them as JSON, for scripts")] = False,
) -> None:
    """List the questions, their choices and defaults, what each needs, and the presets."""
    spec = load_spec()
    if json_output:
        typer.echo(json.dumps(_options_document(spec), indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        "question",
        "flag",
        "choices (* default)",
        "needs",
        title="trellis new: the questions",
        show_lines=True,
    )
    for question in spec.questions:
        table.add_row(
            Text.assemble((question.name, "bold"), "\n", (question.help, "dim")),
            f"--{question.flag}",
            _choices_cell(question),
            "\n".join(_needs(spec, question)),
        )
    presets = Table("preset", "answers", title="presets (--preset NAME)")
    for name, answers in spec.presets.items():
        presets.add_row(name, ", ".join(f"{key}={value}" for key, value in answers.items()) or "defaults")
    console = Console()
    console.print(table)
    console.print(presets)


def _choices_cell(question: Question) -> "RenderableType":
    """A grid of the choices: the default marked, a label only where it says more than the value."""
    from rich.table import Table
    from rich.text import Text

    if question.choices:
        rows = [(c.value, "" if c.label == str(c.value) else c.label) for c in question.choices]
    elif question.type == "bool":
        rows = [(False, ""), (True, "")]
    else:
        return f"* {_default_text(question)}"
    grid = Table.grid(padding=(0, 1))
    for value, label in rows:
        shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        marker = "*" if value == question.default else " "
        grid.add_row(marker, Text(shown, "bold" if marker == "*" else ""), Text(label, "dim"))
    return grid


def _default_text(question: Question) -> str:
    if isinstance(question.default, str) and "{{" in question.default:
        return "derived from the other answers"
    return str(question.default)


def _needs(spec: TemplateSpec, question: Question) -> list[str]:
    """What the question, or each of its choices, needs of the other answers (copier.yml's words)."""
    found = []
    if question.name in spec.needs:
        found.append(spec.needs[question.name])
    for value in question.values:
        text = spec.needs.get(f"{question.name}={value}")
        if text:
            found.append(f"{value}: {text}")
    return found


def _options_document(spec: TemplateSpec) -> dict[str, object]:
    questions = []
    for question in spec.questions:
        derived = isinstance(question.default, str) and "{{" in question.default
        questions.append(
            {
                "name": question.name,
                "flag": f"--{question.flag}",
                "type": question.type,
                "help": question.help,
                "default": None if derived else question.default,
                "derived_default": derived,
                "choices": [{"value": c.value, "label": c.label} for c in question.choices],
                "needs": spec.needs.get(question.name),
                "choice_needs": {
                    str(v): spec.needs[f"{question.name}={v}"]
                    for v in question.values
                    if f"{question.name}={v}" in spec.needs
                },
            }
        )
    return {"questions": questions, "presets": spec.presets}


@app.command(short_help="Update a project to a newer template, or change its answers.")
def update(
    directory: Annotated[Path, typer.Argument(help="The generated project", metavar="DIRECTORY")] = Path("."),
    to: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Template version (a git tag) to go to; default: the newest",
            show_default=False,
            metavar="TAG",
        ),
    ] = None,
    settings: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--set", help="Change an answer: key=value", show_default=False, metavar="KEY=VALUE"),
    ] = None,
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Fetch the recorded template from this path or URL instead",
            show_default=False,
            metavar="PATH|URL",
        ),
    ] = None,
    conflict: Annotated[
        str,
        typer.Option(
            help="inline: conflict markers in the files; rej: .rej files beside them", metavar="inline|rej"
        ),
    ] = "inline",
    pretend: Annotated[bool, typer.Option("--pretend", help="Show what would change only")] = False,
    lock: Annotated[bool, typer.Option(help="Re-lock uv.lock when the update changes pyproject.toml")] = True,
) -> None:
    """Update a generated project to a newer template version, or change its answers."""
    from generator import update as updating

    spec = load_spec()
    data = parse_answers(spec, settings or [], option="--set")
    report = updating.update(
        directory,
        to=to,
        data=data,
        template=template,
        conflict=conflict,
        pretend=pretend,
        lock=lock,
        spec=spec,
    )
    for warning in report.warnings:
        _warn(warning)
    _print_report(report)
    if report.conflicted:
        count = len(report.conflicts) + len(report.rejects)
        verb = "would leave" if report.pretend else "left"
        raise TrellisError(f"the update {verb} {count} conflicted file(s): resolve them, then commit")


def _print_report(report: "UpdateReport") -> None:
    would = "Would update" if report.pretend else "Updated"
    typer.echo(f"{would} {report.project} from template {report.old_version} to {report.new_version}")
    for name, (before, after) in report.answers.items():
        typer.echo(f"  {name}: {'(new question)' if before is None else before} -> {after}")
    if report.resources:
        typer.echo(f"Added resources brought along: {', '.join(report.resources)}")
    if report.changes:
        typer.echo("Changed files:" if not report.pretend else "Files it would change:")
        for code, path in report.changes:
            typer.echo(f"  {code:<2} {path}")
    else:
        typer.echo("No file changed.")
    if report.relocked:
        typer.echo("Re-locked uv.lock: the update changed the project's dependencies.")
    if report.conflicted:
        typer.echo("Conflicts to resolve before committing:")
        for path in report.conflicts:
            typer.echo(f"  {path}  (conflict markers)")
        for path in report.rejects:
            typer.echo(f"  {path}  (your changes that did not apply: redo them by hand, then delete it)")
    elif not report.pretend and report.changes:
        typer.echo("Review with `git status` and `git diff`, then commit.")


add_app = typer.Typer(help="Add to a generated project.", no_args_is_help=True)
_ProjectDir = Annotated[Path, typer.Argument(help="The generated project", metavar="DIR")]
app.add_typer(add_app, name="add")


@add_app.command(
    "resource", short_help="Add a resource: model, migration, schemas, service, endpoints, tests."
)
def add_resource(
    name: Annotated[
        str, typer.Argument(help="Singular snake_case noun (comment)", show_default=False, metavar="NAME")
    ],
    directory: _ProjectDir = Path("."),
    fields: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--field",
            "-f",
            help="name:type[:option...]; types str text int float decimal bool date datetime uuid "
            "enum ref; options max=N ge=N le=N choices=a|b unique optional index readonly (author:ref:users)",
            show_default=False,
            metavar="SPEC",
        ),
    ] = None,
    owned: Annotated[
        bool, typer.Option("--owned", help="Each row belongs to the signed-in user (auth only)")
    ] = False,
    owner: Annotated[
        str,
        typer.Option(
            "--owner", help="With --owned: the owner's column is NAME_id (posts: author)", metavar="NAME"
        ),
    ] = "owner",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing")] = False,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Print what it would write and edit; change nothing")
    ] = False,
) -> None:
    """Add a resource to a generated project, built as its posts are: model, migration, schemas,
    repository, service, endpoints, tests and fixtures, registered in the router, the models
    package, the service providers and the dependency aliases."""
    from generator.add import add_resource as adding

    specs = list(fields or [])
    if not specs and not yes and sys.stdin.isatty() and sys.stdout.isatty():
        specs = _ask_fields()
    added = adding(directory, name, specs, owned=owned, owner=owner, pretend=pretend)
    verb = "Would add" if pretend else "Added"
    typer.echo(f"{verb} {added.name} to {added.project}, served at /api/v1/{added.plural}")
    _print_change(added.change, pretend)


def _print_change(change: "Change", pretend: bool) -> None:
    for path in sorted(change.created):
        typer.echo(f"  A  {path}")
    for path in sorted(change.edited):
        typer.echo(f"  M  {path}")
    for path in sorted(change.deleted):
        typer.echo(f"  D  {path}")
    if pretend:
        for diff in change.diffs():
            typer.echo(diff, nl=False)
        typer.echo("Nothing was changed (--pretend).")
    else:
        typer.echo("Review with `git status` and `git diff`; then run the tests and commit.")


remove_app = typer.Typer(help="Remove from a generated project what `add` put there.", no_args_is_help=True)
app.add_typer(remove_app, name="remove")


@remove_app.command("resource", short_help="Remove a resource that `trellis add resource` added.")
def remove_resource(
    name: Annotated[str, typer.Argument(help="The resource's name", show_default=False, metavar="NAME")],
    directory: _ProjectDir = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Remove its files even where they changed since `add`")
    ] = False,
    drop_table: Annotated[
        bool,
        typer.Option(
            "--drop-table",
            help="Keep its migration and add one that drops the table, for databases that have it",
        ),
    ] = False,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Print what it would delete and edit; change nothing")
    ] = False,
) -> None:
    """Take out what `trellis add resource` wrote and registered: its files, its registrations,
    its answers file and its migration (or, with --drop-table, a new migration that drops it)."""
    from generator.add.remove import remove_resource as removing

    removed = removing(directory, name, force=force, drop_table=drop_table, pretend=pretend)
    typer.echo(f"{'Would remove' if pretend else 'Removed'} {removed.name} from {removed.project}")
    for path in removed.changed:
        typer.echo(f"  (changed since `add`, removed with --force: {path})")
    _print_change(removed.change, pretend)


def _ask_fields() -> list[str]:
    typer.echo("Fields as name:type[:option...] (title:str:max=200:unique), one a line; an empty line ends.")
    specs: list[str] = []
    while True:
        answer = typer.prompt(f"field {len(specs) + 1}", default="", show_default=False).strip()
        if not answer:
            return specs
        specs.append(answer)


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
    typer.Option(
        envvar="TRELLIS_REDIS_URL",
        metavar="URL",
        help="Redis server of projects with cache=redis or worker=taskiq",
    ),
]


def _validate_options(
    skip: list[str] | None,
    only: list[str] | None,
    examples: int,
    postgres_url: str,
    mysql_url: str,
    redis_url: str,
) -> Options:
    def names(items: list[str] | None) -> frozenset[str]:
        return frozenset(name.strip() for item in items or [] for name in item.split(",") if name.strip())

    return Options(names(skip), names(only), Servers(postgres_url, mysql_url, redis_url), examples)


@app.command("validate", short_help="Prove a generated project works, as its CI would.")
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
    from generator import display
    from generator.validate import selected_steps
    from generator.validate import validate as run_validate
    from generator.validate.report import junit as junit_report

    options = _validate_options(skip, only, examples, postgres_url, mysql_url, redis_url)
    live = not json_output and display.is_terminal()
    with display.validate_display(selected_steps(options.skip, options.only), live) as listener:
        report = run_validate(project, options, None if json_output else listener, spec=load_spec())
    if junit:
        junit.write_text(junit_report([(project.absolute().name, report)]), encoding="utf-8")
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        display.print_failures(report)
    raise typer.Exit(0 if report.passed else 1)


@app.command("matrix", short_help="Validate the presets and a pairwise set of combinations.")
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
    with_resource: Annotated[
        bool,
        typer.Option(
            "--with-resource/--without-resource",
            help="Add two resources to each project first (every field type; owned, referring to it)",
        ),
    ] = True,
) -> None:
    """Validate every preset and a pairwise covering set of option combinations."""
    from generator import display
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
    live = display.is_terminal()
    with display.matrix_display(len(items), live) as listener:
        report = matrix_module.run_matrix(
            items,
            jobs=jobs,
            workdir=workdir,
            report_dir=report_dir,
            options=options,
            keep=keep,
            listener=listener,
            spec=spec,
            with_resource=with_resource,
        )
    display.print_summary(report, live)
    typer.echo(f"reports: {', '.join(str(path) for path in report.reports)}")
    raise typer.Exit(0 if report.passed else 1)


def main() -> None:
    try:
        # Without standalone mode, Typer returns the code of `typer.Exit` (130 for Ctrl-C).
        exit_code = app(standalone_mode=False)
    except TrellisError as exc:
        _fail(exc.message, exc.exit_code)
    except typer.TyperException as exc:  # usage errors of the command line itself
        _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _fail("interrupted", 130)
    else:
        if exit_code == 130:
            _fail("interrupted", 130)
        if isinstance(exit_code, int):
            sys.exit(exit_code)


def _warn(message: str) -> None:
    typer.echo(f"trellis: warning: {message}", err=True)


def _fail(message: str, exit_code: int) -> None:
    typer.echo(f"trellis: error: {message}", err=True)
    sys.exit(exit_code)
