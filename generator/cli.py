"""The `trellis` command line: parses and prints; the verbs live in their own modules."""

import inspect
import json
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from generator import _cli_checks as checks
from generator.errors import TrellisError, UsageError
from generator.template import Question, load_spec, parse_answers, template_root

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


# The presets' names, for --help: read from presets/ without importing the template's reader.
_PRESETS = ", ".join(sorted(path.stem for path in (template_root() / "presets").glob("*.yml")))


def _question_option(question: Question) -> inspect.Parameter:
    flag = question.flag
    help_text = question.help
    if question.choices:
        help_text += f" [{' | '.join(str(v) for v in question.values)}]"
    if question.condition:
        help_text += " (asked only when it applies)"
    if question.type == "bool":
        option = typer.Option(f"--{flag}/--no-{flag}", help=help_text, show_default=False)
        annotation: Any = Annotated[Optional[bool], option]  # noqa: UP045 (Typer reads this at runtime)
    else:
        metavar = "CHOICE" if question.choices else "TEXT"
        option = typer.Option(f"--{flag}", help=help_text, show_default=False, metavar=metavar)
        annotation = Annotated[Optional[str], option]  # noqa: UP045
    return inspect.Parameter(
        question.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


def new(
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
    **answers: Any,
) -> None:
    """Render a new service."""
    from generator import origin, render

    spec = load_spec()
    flags = {
        name: spec.question(name).parse(value) if isinstance(value, str) else value
        for name, value in answers.items()
        if value is not None
    }
    resolved = render.resolve_answers(
        spec, preset=preset, data=parse_answers(spec, data or [], option="--data"), flags=flags
    )
    interactive = not yes and sys.stdin.isatty() and sys.stdout.isatty()
    source = origin.template_source(spec.root)
    try:
        with _progress() as progress:
            path = render.render(
                destination,
                resolved,
                interactive=interactive,
                force=force,
                lock=lock,
                warn=_warn,
                spec=spec,
                source=source,
                progress=progress,
            )
    except UsageError as exc:
        if "'project_slug'" in exc.message and "project_slug" not in resolved:
            # The slug was derived from the name, and never asked: say how to give one.
            raise UsageError(f"{exc.message} It comes from the project name: pass --project-slug.") from None
        raise
    typer.echo(f"Rendered {path}")
    typer.echo(f"Next: cd {shlex.quote(str(path))} && uv run pytest")
    for warning in origin.caveats(source):
        typer.echo(f"trellis: warning: {warning}", err=True)


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


def _with_question_options(function: Any) -> Any:
    signature = inspect.signature(function)
    fixed = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    dynamic = [_question_option(question) for question in load_spec().questions]
    function.__signature__ = signature.replace(parameters=fixed + dynamic)
    return function


app.command(short_help="Render a new service.")(_with_question_options(new))


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


def _choices_cell(question: Question) -> Any:
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


def _needs(spec: Any, question: Question) -> list[str]:
    """What the question, or each of its choices, needs of the other answers (copier.yml's words)."""
    found = []
    if question.name in spec.needs:
        found.append(spec.needs[question.name])
    for value in question.values:
        text = spec.needs.get(f"{question.name}={value}")
        if text:
            found.append(f"{value}: {text}")
    return found


def _options_document(spec: Any) -> dict[str, Any]:
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

    data = parse_answers(load_spec(), settings or [], option="--set")
    report = updating.update(
        directory,
        to=to,
        data=data,
        template=template,
        conflict=conflict,
        pretend=pretend,
        lock=lock,
        warn=_warn,
    )
    _print_report(report)
    if report.conflicted:
        count = len(report.conflicts) + len(report.rejects)
        verb = "would leave" if report.pretend else "left"
        raise TrellisError(f"the update {verb} {count} conflicted file(s): resolve them, then commit")


def _print_report(report: Any) -> None:
    would = "Would update" if report.pretend else "Updated"
    typer.echo(f"{would} {report.project} from template {report.old_version} to {report.new_version}")
    for name, (before, after) in report.answers.items():
        typer.echo(f"  {name}: {'(new question)' if before is None else before} -> {after}")
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


app.command("validate", short_help="Prove a generated project works, as its CI would.")(checks.validate)
app.command("matrix", short_help="Validate the presets and a pairwise set of combinations.")(checks.matrix)


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
