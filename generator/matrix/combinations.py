"""The combinations of options the matrix runs: presets, a pairwise covering set, or all."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from generator.errors import UsageError
from generator.matrix.pairwise import covering_set
from generator.matrix.rules import Rules
from generator.template import TemplateSpec


@dataclass(frozen=True)
class Combination:
    name: str
    options: Mapping[str, Any]  # the option answers copier keeps (questions not asked are left out)
    data: Mapping[str, Any]  # what is rendered: a preset's own data, or the options

    @property
    def label(self) -> str:
        return " ".join(f"{name}={_text(value)}" for name, value in self.options.items())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "options": dict(self.options)}


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse_filters(spec: TemplateSpec, items: Iterable[str]) -> dict[str, set[Any]]:
    """`--only key=value` items: allowed values per option question (repeat a key for several)."""
    allowed: dict[str, set[Any]] = {}
    for item in items:
        name, separator, raw = item.partition("=")
        if not separator or not name:
            raise UsageError(f"--only expects key=value, got '{item}'")
        question = spec.question(name)
        if not question.is_option:
            raise UsageError(f"--only takes option questions; '{name}' is free text")
        value = question.parse(raw)
        if value not in question.domain:
            choices = ", ".join(_text(v) for v in question.domain)
            raise UsageError(f"unknown {name} '{raw}': choose one of {choices}")
        allowed.setdefault(name, set()).add(value)
    return allowed


def combinations(
    spec: TemplateSpec, *, full: bool = False, only: Mapping[str, set[Any]] | None = None
) -> list[Combination]:
    """Every preset, then either a pairwise covering set or (`full`) every accepted combination."""
    only = only or {}
    rules = Rules(spec)
    domains = [[v for v in q.domain if q.name not in only or v in only[q.name]] for q in rules.options]
    accepted: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
    for values in itertools.product(*domains):
        kept = rules.normalize(dict(zip([q.name for q in rules.options], values, strict=True)))
        if kept is not None and _matches(kept, only):
            accepted.setdefault(tuple(kept.items()), kept)
    presets = [
        Combination(name, options, data)
        for name, data in spec.presets.items()
        if _matches(options := _preset_options(rules, data), only)
    ]
    seen = {tuple(preset.options.items()) for preset in presets}
    candidates = [answers for key, answers in accepted.items() if key not in seen]
    chosen = candidates if full else covering_set(candidates, [p.options for p in presets])
    kind = "all" if full else "pairwise"
    width = len(str(len(chosen)))
    extra = [
        Combination(f"{kind}-{number:0{max(width, 2)}d}", dict(answers), dict(answers))
        for number, answers in enumerate(chosen, start=1)
    ]
    return presets + extra


def _preset_options(rules: Rules, data: Mapping[str, Any]) -> dict[str, Any]:
    """A preset's option answers as copier keeps them; a refused preset keeps its own, to fail loudly."""
    values: dict[str, Any] = {}
    for question in rules.options:
        values[question.name] = (
            data[question.name] if question.name in data else rules.default(question, values)
        )
    normalized = rules.normalize(values)
    return values if normalized is None else normalized


def _matches(options: Mapping[str, Any], only: Mapping[str, set[Any]]) -> bool:
    return all(name in options and options[name] in allowed for name, allowed in only.items())


def parse_shard(text: str) -> tuple[int, int]:
    index, separator, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i = n = 0
    if not separator or n < 1 or not 1 <= i <= n:
        raise UsageError(f"--shard expects I/N with 1 <= I <= N, got '{text}'")
    return i, n


def shard(items: list[Combination], index: int, count: int) -> list[Combination]:
    """The index-th of count slices (1-based), taken round-robin so the slices stay balanced."""
    return items[index - 1 :: count]


def github_matrix(items: list[Combination], count: int) -> dict[str, Any]:
    """A GitHub Actions `strategy.matrix`: one entry per non-empty shard."""
    count = max(1, min(count, len(items)))
    return {
        "include": [
            {"shard": f"{i}/{count}", "combinations": " ".join(c.name for c in shard(items, i, count))}
            for i in range(1, count + 1)
        ]
    }
