"""Where the template lives and what it asks: read from copier.yml, never kept twice."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.errors import TrellisError, UsageError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

_PACKAGE_DIR = Path(__file__).resolve().parent

Answer = str | int | bool
"""An answer as given on the command line, typed by its question (copier.yml's str, int, bool)."""


def template_root() -> Path:
    """The checkout this package runs from, or the copy bundled into an installed wheel."""
    checkout = _PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file():
        return checkout
    return _PACKAGE_DIR / "_template"


@dataclass(frozen=True)
class Choice:
    label: str
    value: Any
    # A choice with a validator of its own is offered only when the other answers allow it.
    validator: str | None = None


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    help: str
    default: Any
    choices: tuple[Choice, ...]
    flag: str
    condition: str | None
    validator: str | None = None

    @property
    def values(self) -> list[Any]:
        return [choice.value for choice in self.choices]

    @property
    def is_option(self) -> bool:
        """A closed question (choices or yes/no): one axis of the matrix of combinations."""
        return bool(self.choices) or self.type == "bool"

    @property
    def domain(self) -> list[Any]:
        return [False, True] if self.type == "bool" and not self.choices else self.values

    def parse(self, raw: str) -> Answer:
        """Turn a command-line string into this question's type."""
        if self.type == "bool":
            lowered = raw.strip().lower()
            if lowered in TRUE_WORDS:
                return True
            if lowered in FALSE_WORDS - {"", "~", "null", "none"}:
                return False
            raise UsageError(f"--{self.flag} expects yes or no, got '{raw}'")
        if self.type == "int":
            try:
                return int(raw)
            except ValueError:
                raise UsageError(f"--{self.flag} expects a whole number, got '{raw}'") from None
        return raw

    def check_choice(self, value: Any) -> None:
        if self.choices and value not in self.values:
            allowed = ", ".join(str(v) for v in self.values)
            raise UsageError(f"unknown {self.name} '{value}': choose one of {allowed}")


@dataclass(frozen=True)
class TemplateSpec:
    root: Path
    questions: tuple[Question, ...]
    presets: dict[str, dict[str, Any]]
    # Where projects record their answers (`_answers_file`), and the public git URL they record
    # as their template's source (`_trellis.repository`; the checkout's path when unset).
    answers_file: str = ".copier-answers.yml"
    repository: str = ""
    # `when: false` values of copier.yml (name -> its type and default): conditions may use them.
    computed: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # The questions of `trellis add resource` (name -> its type and default), never asked by `new`.
    resource: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # What a question (`rbac`) or a choice (`cache=redis`) needs of the other answers, in words.
    needs: dict[str, str] = field(default_factory=dict)

    def question(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise UsageError(f"unknown question '{name}'")

    def preset(self, name: str) -> dict[str, Any]:
        try:
            return dict(self.presets[name])
        except KeyError:
            known = ", ".join(sorted(self.presets))
            raise UsageError(f"unknown preset '{name}': choose one of {known}") from None


def _choices(raw: Any) -> tuple[Choice, ...]:
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return tuple(
            Choice(str(label), value["value"], value.get("validator"))
            if isinstance(value, dict)
            else Choice(str(label), value)
            for label, value in raw.items()
        )
    return tuple(Choice(str(value), value) for value in raw)


def _condition(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None


def load_spec(root: Path | None = None) -> TemplateSpec:
    """The template at `root` (default: the one trellis carries), copier.yml read once per root."""
    return _load_spec((root or template_root()).resolve())


@functools.cache
def _load_spec(root: Path) -> TemplateSpec:
    config = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    trellis = config.get("_trellis", {})
    flags: dict[str, str] = trellis.get("flags", {})
    resource_questions = set(trellis.get("resource_questions") or ())
    questions = tuple(
        Question(
            name=name,
            type=spec.get("type", "str"),
            help=spec.get("help", name),
            default=spec.get("default"),
            choices=_choices(spec.get("choices")),
            flag=flags.get(name, name.replace("_", "-")),
            condition=_condition(spec.get("when")),
            validator=spec.get("validator"),
        )
        for name, spec in config.items()
        if not name.startswith("_")
        and isinstance(spec, dict)
        and spec.get("when") is not False
        and name not in resource_questions
    )
    computed = {
        name: (spec.get("type", "str"), spec.get("default"))
        for name, spec in config.items()
        if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is False
    }
    resource = {
        name: (config[name].get("type", "str"), config[name].get("default"))
        for name in sorted(resource_questions)
    }
    presets = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for path in sorted((root / "presets").glob("*.yml"))
    }
    needs = {str(key): str(text) for key, text in (trellis.get("needs") or {}).items()}
    return TemplateSpec(
        root=root,
        questions=questions,
        presets=presets,
        answers_file=str(config.get("_answers_file", ".copier-answers.yml")),
        repository=str(trellis.get("repository") or root.as_posix()),
        computed=computed,
        resource=resource,
        needs=needs,
    )


def parse_answers(spec: TemplateSpec, items: list[str], *, option: str) -> dict[str, Answer]:
    """`key=value` items from the command line (`--data`, `--set`), typed and checked."""
    answers: dict[str, Answer] = {}
    for item in items:
        name, separator, raw = item.partition("=")
        if not separator or not name:
            raise UsageError(f"{option} expects key=value, got '{item}'")
        if name not in {question.name for question in spec.questions}:
            known = ", ".join(question.name for question in spec.questions)
            raise UsageError(f"unknown {option} key '{name}': known keys are {known}")
        question = spec.question(name)
        value = question.parse(raw)
        question.check_choice(value)
        answers[name] = value
    return answers


# The words copier reads as yes and as no (its cast_to_bool): a flag takes the same words.
TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on", "1"})
FALSE_WORDS = frozenset({"", "n", "no", "f", "false", "off", "~", "null", "none", "0"})


def cast(kind: str, rendered: str) -> Any:
    """A rendered default read as copier reads it for the question's type."""
    if kind == "bool":
        return is_true(rendered)
    if kind == "int":
        return int(rendered)
    if kind == "float":
        return float(rendered)
    if kind in {"yaml", "json"}:
        return yaml.safe_load(rendered)
    return rendered


def is_true(rendered: str) -> bool:
    """copier's reading of a rendered `when:`: YAML-ish booleans, numbers, empty is false."""
    text = rendered.strip().lower()
    try:
        return float(text) != 0
    except ValueError:
        return text not in FALSE_WORDS


class Expressions:
    """copier.yml's Jinja (conditions, validators, derived defaults and computed values), rendered
    as copier renders them: its default filter extension, strict undefined. A name the answers
    lack takes its default from copier.yml, itself rendered from the answers."""

    def __init__(self, spec: TemplateSpec) -> None:
        import jinja2  # imported here: the command line's --help stays fast
        from jinja2.sandbox import SandboxedEnvironment

        self._env: SandboxedEnvironment = SandboxedEnvironment(
            extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
            undefined=jinja2.StrictUndefined,
        )
        self._memo: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._names: dict[str, tuple[str, ...]] = {}
        free = {q.name: (q.type, q.default) for q in spec.questions if not q.is_option}
        self._defaults: dict[str, tuple[str, Any]] = {**free, **spec.computed, **spec.resource}

    def value(self, name: str, answers: Mapping[str, Any]) -> Any:
        """A computed value (`when: false` in copier.yml), or a free question's default, for `answers`."""
        if name in answers:
            return answers[name]
        if name not in self._defaults:
            raise TrellisError(f"copier.yml refers to '{name}', which is neither a question nor computed")
        kind, template = self._defaults[name]
        if isinstance(template, str) and "{" in template:
            return cast(kind, self.render(template, answers))
        return template

    def render(self, source: str, answers: Mapping[str, Any]) -> str:
        import jinja2

        names = self._undeclared(source)
        key = (source, tuple(_hashable(self.value(name, answers)) for name in names))
        if key not in self._memo:
            context = dict(zip(names, key[1], strict=True))
            try:
                self._memo[key] = self._env.from_string(source).render(context)
            except jinja2.TemplateError as exc:
                raise TrellisError(f"cannot evaluate '{source.strip()}' from copier.yml: {exc}") from None
        return self._memo[key]

    def _undeclared(self, source: str) -> tuple[str, ...]:
        if source not in self._names:
            from jinja2 import meta

            self._names[source] = tuple(sorted(meta.find_undeclared_variables(self._env.parse(source))))
        return self._names[source]


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value  # values key the memo
