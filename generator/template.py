"""Where the template lives and what it asks: read from copier.yml, never kept twice."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """The checkout this package runs from, or the copy bundled into an installed wheel."""
    checkout = _PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file():
        return checkout
    return _PACKAGE_DIR / "_template"


def is_git_root(path: Path) -> bool:
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return False
    return Path(top).resolve() == path.resolve()


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

    def parse(self, raw: str) -> Any:
        """Turn a command-line string into this question's type."""
        if self.type == "bool":
            lowered = raw.strip().lower()
            if lowered in {"true", "yes", "y", "1", "on"}:
                return True
            if lowered in {"false", "no", "n", "0", "off"}:
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
    # `when: false` values of copier.yml (name -> its type and default): conditions may use them.
    computed: dict[str, tuple[str, Any]] = field(default_factory=dict)
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


@functools.cache
def load_spec(root: Path | None = None) -> TemplateSpec:
    root = root or template_root()
    config = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    trellis = config.get("_trellis", {})
    flags: dict[str, str] = trellis.get("flags", {})
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
        if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is not False
    )
    computed = {
        name: (spec.get("type", "str"), spec.get("default"))
        for name, spec in config.items()
        if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is False
    }
    presets = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for path in sorted((root / "presets").glob("*.yml"))
    }
    needs = {str(key): str(text) for key, text in (trellis.get("needs") or {}).items()}
    return TemplateSpec(root=root, questions=questions, presets=presets, computed=computed, needs=needs)


def parse_answers(spec: TemplateSpec, items: list[str], *, option: str) -> dict[str, Any]:
    """`key=value` items from the command line (`--data`, `--set`), typed and checked."""
    answers: dict[str, Any] = {}
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
