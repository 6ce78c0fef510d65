"""Copier's worker, with a Jinja environment that compiles each templated string once.

Copier renders every part of every path, and the answers file's name, through
`Environment.from_string`, which Jinja does not cache: a render of this template compiled
about 1,200 strings, most of them plain names such as `app` or `tests`, and that was a third of
its time. The compiled template of a string is the same every time it is asked for, so the
worker keeps it; the environment's extensions still see each string before it is rendered
(`Environment.preprocess`), where copier's `yield` tag resets what it found in the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

# copier's public functions build this worker and return it; subclassing it is how its Jinja
# environment can be reached (copier<10 in pyproject.toml: it has been the same since copier 6).
from copier._main import Worker

from generator import origin
from generator.errors import TrellisError, UsageError, one_line
from generator.git import GitError, git
from generator.template import TemplateSpec

if TYPE_CHECKING:
    from copier._jinja_ext import SandboxedEnvironment
    from jinja2 import Environment, Template
    from jinja2.nodes import Template as TemplateNode


def run_copy(source: str, destination: Path, **options: Any) -> None:
    """`copier.run_copy`, compiling each string once."""
    with CompilingOnceWorker(src_path=source, dst_path=destination, **options) as worker:
        worker.run_copy()


def copy_template(
    spec: TemplateSpec,
    staging: Path,
    answers: Mapping[str, Any],
    *,
    interactive: bool,
    paths: tuple[str, ...] = origin.TEMPLATE_PATHS,
    answers_file: str | None = None,
) -> None:
    """Render the template's `paths` into `staging` with copier; copier's refusals become
    trellis errors. `trellis add resource` renders its own paths, with its own answers file."""
    import copier

    try:
        with origin.rendering_copy(spec.root, paths) as root:
            run_copy(
                str(root),
                staging,
                data=dict(answers),
                answers_file=answers_file,
                defaults=not interactive,
                overwrite=True,
                quiet=True,
                unsafe=False,
            )
    except KeyboardInterrupt:  # copier's prompt interrupt is also a CopierError
        raise KeyboardInterrupt from None
    except ValueError as exc:
        raise UsageError(one_line(exc)) from None
    except copier.errors.CopierError as exc:
        raise TrellisError(one_line(exc)) from None


def run_update(project: Path, **options: Any) -> None:
    """`copier.run_update`, compiling each string once."""
    with CompilingOnceWorker(dst_path=project, **options) as worker:
        worker.run_update()


class CompilingOnceWorker(Worker):
    """copier's worker, compiling each templated string once per environment."""

    @cached_property
    def jinja_env(self) -> SandboxedEnvironment:
        environment = super().jinja_env
        environment.from_string = _compiled_once(environment)  # type: ignore[method-assign]
        return environment

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        # copier asks git for `core.fileMode` for each file it writes, and acts only where it is
        # false; the answer is the same for every file of one render, so it is asked once.
        if self._git_ignores_file_modes:
            super()._sync_git_index_executable_bit(dst_relpath, src_mode)

    @cached_property
    def _git_ignores_file_modes(self) -> bool:
        try:
            setting = git(self.subproject.local_abspath, "config", "--type=bool", "--get", "core.fileMode")
        except GitError:  # not a repository, or the setting is unset: git follows the file's mode
            return False
        return setting.strip() == "false"


def _compiled_once(environment: Environment) -> Callable[..., Template]:
    compile_string = environment.from_string
    compiled: dict[str, Template] = {}

    def from_string(
        source: str | TemplateNode,
        globals: dict[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return compile_string(source, globals, template_class)
        template = compiled.get(source)
        if template is None:
            template = compiled[source] = compile_string(source)
        else:
            environment.preprocess(source)
        return template

    return from_string
