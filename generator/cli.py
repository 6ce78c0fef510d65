"""The `trellis` command line: parses and prints; the verbs live in their own modules."""

import inspect
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from generator import _cli_checks as checks
from generator.errors import TrellisError, UsageError
from generator.template import Question, load_spec, parse_answers

app = typer.Typer(
    name="trellis",
    help="Render FastAPI services from the fastapi-trellis template and prove they work.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _root(context: typer.Context) -> None:
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


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
        option = typer.Option(f"--{flag}", help=help_text, show_default=False)
        annotation = Annotated[Optional[str], option]  # noqa: UP045
    return inspect.Parameter(
        question.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


def new(
    destination: Annotated[Path, typer.Argument(help="Directory to create", show_default=False)],
    preset: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Start from a preset; explicit flags win", show_default=False),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing: use defaults")] = False,
    data: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--data", "-d", help="Any answer as key=value", show_default=False),
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
        path = render.render(
            destination,
            resolved,
            interactive=interactive,
            force=force,
            lock=lock,
            warn=_warn,
            spec=spec,
            source=source,
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


def _with_question_options(function: Any) -> Any:
    signature = inspect.signature(function)
    fixed = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    dynamic = [_question_option(question) for question in load_spec().questions]
    function.__signature__ = signature.replace(parameters=fixed + dynamic)
    return function


app.command()(_with_question_options(new))


@app.command()
def options() -> None:
    """List the questions, their choices and defaults, and the presets."""
    spec = load_spec()
    for question in spec.questions:
        typer.echo(f"{question.name} (--{question.flag}, {question.type}): {question.help}")
        if question.choices:
            for choice in question.choices:
                marker = "*" if choice.value == question.default else " "
                typer.echo(f"  {marker} {choice.value}  {choice.label}")
        elif isinstance(question.default, str) and "{{" in question.default:
            typer.echo("    default: derived from the other answers")
        else:
            typer.echo(f"    default: {question.default}")
        if question.condition:
            typer.echo(f"    asked when: {question.condition}")
    typer.echo("")
    typer.echo("presets (* marks the default choice above):")
    for name, answers in spec.presets.items():
        summary = ", ".join(f"{key}={value}" for key, value in answers.items()) or "defaults"
        typer.echo(f"  {name}: {summary}")


@app.command()
def update(
    directory: Annotated[Path, typer.Argument(help="The generated project")] = Path("."),
    to: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Template version (a git tag) to go to; default: the newest", show_default=False),
    ] = None,
    settings: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--set", help="Change an answer: key=value", show_default=False),
    ] = None,
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Fetch the recorded template from this path or URL instead", show_default=False),
    ] = None,
    conflict: Annotated[
        str, typer.Option(help="inline: conflict markers in the files; rej: .rej files beside them")
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


app.command("validate")(checks.validate)
app.command("matrix")(checks.matrix)


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
