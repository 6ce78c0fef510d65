"""A pairwise covering set chosen from the combinations the template accepts.

Written here rather than taken from a library (allpairspy, covertable): those take the
constraints as a predicate over partial rows, which would mean a second, hand-written copy
of copier's `when:` conditions and validators. Here the accepted combinations are listed
first (by copier's own rules, see `rules.py`), so every pair that can occur is known and
no refused combination can be chosen; a greedy pass then picks, in a fixed order, the
combination that covers the most pairs not yet covered (the AETG idea, exhaustive over
candidates). A question that is not asked in a combination forms no pair there.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Answers = Mapping[str, Any]


def pairs(answers: Answers) -> set[tuple[tuple[str, Any], ...]]:
    """Every value alone and every pair of values of two questions, in question order."""
    items = list(answers.items())
    return {(item,) for item in items} | set(itertools.combinations(items, 2))


def covering_set(candidates: Sequence[Answers], already: Iterable[Answers] = ()) -> list[Answers]:
    """Candidates that, with `already`, hold every pair that any candidate holds."""
    index: dict[tuple[tuple[str, Any], ...], int] = {}
    masks = [_mask(pairs(candidate), index) for candidate in candidates]
    uncovered = 0
    for mask in masks:
        uncovered |= mask
    for answers in already:
        uncovered &= ~_mask(pairs(answers), index)
    chosen: list[Answers] = []
    while uncovered:
        best = max(range(len(candidates)), key=lambda i: (masks[i] & uncovered).bit_count())
        chosen.append(candidates[best])
        uncovered &= ~masks[best]
    return chosen


def _mask(keys: Iterable[tuple[tuple[str, Any], ...]], index: dict[tuple[tuple[str, Any], ...], int]) -> int:
    mask = 0
    for key in keys:
        mask |= 1 << index.setdefault(key, len(index))
    return mask
