"""Which answers the template accepts: copier's own `when:` conditions and validators, evaluated.

The conditions stay in copier.yml; this module renders them with the same Jinja setup as
copier (its default filter extension, strict undefined), so no rule is ever written twice.
Each condition sees every option answer; copier shows a question only the answers before it,
so a condition naming a later question fails in copier for every combination alike.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jinja2
import yaml
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from generator.errors import TrellisError
from generator.template import Question, TemplateSpec

_FALSE_WORDS = {"", "n", "no", "f", "false", "off", "~", "null", "none", "0"}


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
        return text not in _FALSE_WORDS


class Rules:
    def __init__(self, spec: TemplateSpec) -> None:
        self.spec = spec
        self.options = tuple(question for question in spec.questions if question.is_option)
        self._env = SandboxedEnvironment(
            extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
            undefined=jinja2.StrictUndefined,
        )
        self._memo: dict[tuple[str, tuple[Any, ...]], str] = {}
        free = {q.name: (q.type, q.default) for q in spec.questions if not q.is_option}
        self._templates: dict[str, tuple[str, Any]] = {**free, **spec.computed}

    def default(self, question: Question, values: Mapping[str, Any]) -> Any:
        if not isinstance(question.default, str) or "{" not in question.default:
            return question.default
        return cast(question.type, self.render(question.default, values))

    def normalize(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The answers copier would keep for these option values, or None when it refuses them.

        A question whose `when:` is false is not asked: it takes its default and leaves the
        combination. A refused combination is one where a validator of an asked question,
        or of the chosen choice, renders a message.
        """
        current = dict(values)
        asked: dict[str, Any] = {}
        for question in self.options:
            if question.condition is None or is_true(self.render(question.condition, current)):
                asked[question.name] = current[question.name]
            else:
                current[question.name] = self.default(question, current)
        for name, value in asked.items():
            question = self.spec.question(name)
            checks = [question.validator] + [c.validator for c in question.choices if c.value == value]
            if any(check and self.render(check, current).strip() for check in checks):
                return None
        return asked

    def render(self, source: str, values: Mapping[str, Any]) -> str:
        names = self._names(source)
        key = (source, tuple(self._value(name, values) for name in names))
        if key not in self._memo:
            context = dict(zip(names, key[1], strict=True))
            try:
                self._memo[key] = self._env.from_string(source).render(context)
            except jinja2.TemplateError as exc:
                raise TrellisError(f"cannot evaluate '{source.strip()}' from copier.yml: {exc}") from None
        return self._memo[key]

    @functools.cache  # noqa: B019 (one Rules per spec, kept for the run)
    def _names(self, source: str) -> tuple[str, ...]:
        return tuple(sorted(meta.find_undeclared_variables(self._env.parse(source))))

    def _value(self, name: str, values: Mapping[str, Any]) -> Any:
        if name in values:
            return values[name]
        if name not in self._templates:
            raise TrellisError(f"copier.yml refers to '{name}', which is neither a question nor computed")
        kind, template = self._templates[name]
        if isinstance(template, str) and "{" in template:
            value = cast(kind, self.render(template, values))
            return tuple(value) if isinstance(value, list) else value  # values key the memo
        return template
