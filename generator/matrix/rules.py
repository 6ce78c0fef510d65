"""Which answers the template accepts: copier's own `when:` conditions and validators, evaluated.

The conditions stay in copier.yml; `Expressions` renders them with the same Jinja setup as
copier, so no rule is ever written twice. Each condition sees every option answer; copier shows
a question only the answers before it, so a condition naming a later question fails in copier
for every combination alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.template import Expressions, Question, TemplateSpec, cast, is_true


class Rules:
    def __init__(self, spec: TemplateSpec) -> None:
        self.spec = spec
        self.options = tuple(question for question in spec.questions if question.is_option)
        self._expressions = Expressions(spec)

    def default(self, question: Question, values: Mapping[str, Any]) -> Any:
        if not isinstance(question.default, str) or "{" not in question.default:
            return question.default
        return cast(question.type, self._expressions.render(question.default, values))

    def normalize(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The answers copier would keep for these option values, or None when it refuses them.

        A question whose `when:` is false is not asked: it takes its default and leaves the
        combination. A refused combination is one where a validator of an asked question,
        or of the chosen choice, renders a message.
        """
        render = self._expressions.render
        current = dict(values)
        asked: dict[str, Any] = {}
        for question in self.options:
            if question.condition is None or is_true(render(question.condition, current)):
                asked[question.name] = current[question.name]
            else:
                current[question.name] = self.default(question, current)
        for name, value in asked.items():
            question = self.spec.question(name)
            checks = [question.validator] + [c.validator for c in question.choices if c.value == value]
            if any(check and render(check, current).strip() for check in checks):
                return None
        return asked
