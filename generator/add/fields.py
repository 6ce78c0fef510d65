"""`--field name:type[:option...]`: parsed into the answer `resource_fields` records."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import Any

from generator.errors import UsageError

TYPES = ("str", "text", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "enum", "ref")
# readonly: set by the service's own code, never by a client (null until then), as the worker
# sets a post's word count.
FLAGS = ("unique", "optional", "index", "readonly")
# Options with a value, and the types that take each.
VALUED = {"max": ("str", "text"), "ge": ("int", "float"), "le": ("int", "float"), "choices": ("enum",)}
DEFAULT_MAX = {"str": 255, "text": 10_000}
# The most characters MySQL keeps in a VARCHAR or a TEXT of utf8mb4 (four bytes each).
MAX_LENGTH = 16_383
# Unique or indexed TEXT needs a key prefix on MySQL; a unique yes/no or choice admits a row per
# value; a decimal is rounded on the way in, so that two values sent may be one stored.
NOT_UNIQUE = ("text", "bool", "enum", "decimal")
NOT_INDEXED = ("text",)
# Columns every resource has, and names its code uses for itself.
# Columns every resource has, names its code uses for itself (a page's `total`, an update's
# `changes` and `clearable`, SQLAlchemy's `metadata` and `registry`), and pydantic's `model_`.
RESERVED_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "owner_id", "q", "skip", "limit", "total", "page"}
    | {"metadata", "registry", "changes", "clearable", "self", "cls"}
)
# Names the generated code gives its own parameters and locals: an owner column may not take one.
RESERVED_OWNERS = frozenset(
    {"self", "data", "overrides", "client", "payload", "headers", "user", "service", "page", "actor"}
    | {"response", "created", "change", "found", "first", "second", "admin", "someone_else", "exc"}
)
# The longest resource or field name: what the generated code says of it still fits its lines.
MAX_NAME = 40
NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CHOICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
INT_LIMITS = (-(2**31), 2**31 - 1)

# Words that SQL (the standard, PostgreSQL or MySQL) reserves: no table or column is named so.
_SQL_RESERVED = """
add all alter analyze and any array as asc asymmetric authorization between bigint binary both by
call case cast check collate column constraint create cross current current_date current_role
current_time current_timestamp current_user database databases default delete desc describe
distinct div do drop else end except exists explain false fetch for foreign from full grant
group having in index inner insert intersect interval into is join key keys kill leading left
like limit lock localtime localtimestamp match natural not null of offset on only or order outer
over overlaps partition placing primary range read references rename replace returning revoke
right row rows schema select session_user show similar some symmetric table then to trailing
trigger true union unique update usage user using values variadic verbose when where window with
"""
SQL_RESERVED = frozenset(_SQL_RESERVED.split())


def check_name(name: str, what: str, *, longest: int = MAX_NAME) -> None:
    """A snake_case identifier that is no Python keyword and no reserved SQL word."""
    if len(name) > longest:
        raise UsageError(f"{what} '{name}' has {len(name)} characters: at most {longest}")
    if not NAME.fullmatch(name):
        raise UsageError(
            f"{what} '{name}' must be snake_case: lowercase letters, digits and single underscores"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in {"none", "true", "false"}:
        raise UsageError(f"{what} '{name}' is a Python keyword; choose another")
    if name in SQL_RESERVED:
        raise UsageError(f"{what} '{name}' is a reserved SQL word; choose another")


def parse_field(spec: str, targets: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """One `--field`; `targets` maps each table a ref may name to its model class and singular name."""
    name, _, rest = spec.partition(":")
    kind, _, raw_options = rest.partition(":")
    if not name or not kind:
        raise UsageError(f"--field expects name:type[:option...], got '{spec}'")
    check_name(name, "field")
    if name in RESERVED_FIELDS or name.startswith("model_"):
        raise UsageError(f"field '{name}' is one every resource has or uses itself; choose another")
    if kind not in TYPES:
        raise UsageError(f"unknown type '{kind}' in --field {spec}: choose one of {', '.join(TYPES)}")
    field: dict[str, Any] = {"name": name, "type": kind}
    target = None
    if kind == "ref":
        target, _, raw_options = raw_options.partition(":")
        if target not in targets:
            known = ", ".join(sorted(targets))
            raise UsageError(f"--field {spec} refers to '{target or '(nothing)'}': refer to one of {known}")
        model, singular = targets[target]
        field.update(name=f"{name}_id", target=target, model=model, target_name=singular)
    for option in filter(None, raw_options.split(":")) if raw_options else ():
        _apply(field, option, spec)
    if kind in DEFAULT_MAX:
        field.setdefault("max", DEFAULT_MAX[kind])
    if field.get("readonly"):
        if kind == "ref" or field.get("unique"):
            raise UsageError(f"--field {spec}: a readonly field cannot be a ref or unique")
        field["optional"] = True
    if kind == "enum" and "choices" not in field:
        raise UsageError(f"--field {spec}: an enum needs choices=a|b|c")
    if kind in ("int", "float") and _bounds_crossed(field):
        raise UsageError(f"--field {spec}: ge must not be above le")
    for flag in FLAGS:
        field.setdefault(flag, False)
    field.setdefault("ge", None)
    field.setdefault("le", None)
    return field


def _apply(field: dict[str, Any], option: str, spec: str) -> None:
    kind = field["type"]
    key, equals, value = option.partition("=")
    if not equals:
        if key not in FLAGS:
            raise UsageError(f"unknown option '{option}' in --field {spec}: flags are {', '.join(FLAGS)}")
        if key == "unique" and kind in NOT_UNIQUE:
            raise UsageError(f"--field {spec}: a {kind} field cannot be unique")
        if key == "index" and kind in NOT_INDEXED:
            raise UsageError(f"--field {spec}: a {kind} field cannot be indexed")
        field[key] = True
        return
    if key not in VALUED:
        raise UsageError(f"unknown option '{key}' in --field {spec}: options are {', '.join(VALUED)}")
    if kind not in VALUED[key]:
        raise UsageError(f"--field {spec}: {key}= applies to {' and '.join(VALUED[key])} fields only")
    if key == "choices":
        choices = value.split("|")
        if not all(CHOICE.fullmatch(choice) for choice in choices) or len(set(choices)) != len(choices):
            raise UsageError(f"--field {spec}: choices must be distinct words (letters, digits, _ . -)")
        if max(map(len, choices)) > 64:
            raise UsageError(f"--field {spec}: a choice has at most 64 characters")
        field[key] = choices
        return
    number = _number(value, integer=key == "max" or kind == "int", spec=spec, key=key)
    if key == "max" and not 1 <= number <= MAX_LENGTH:
        raise UsageError(f"--field {spec}: max must be between 1 and {MAX_LENGTH}")
    if kind == "int" and key in ("ge", "le") and not INT_LIMITS[0] <= number <= INT_LIMITS[1]:
        raise UsageError(f"--field {spec}: {key} must fit a 32-bit integer")
    field[key] = number


def _number(value: str, *, integer: bool, spec: str, key: str) -> Any:
    try:
        return int(value) if integer else _float(value)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise UsageError(f"--field {spec}: {key}= expects {kind}, got '{value}'") from None


def _float(value: str) -> float | int:
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return int(number) if number.is_integer() and "." not in value else number


def _bounds_crossed(field: dict[str, Any]) -> bool:
    ge, le = field.get("ge"), field.get("le")
    return ge is not None and le is not None and ge > le


# PostgreSQL keeps 63 characters of a name, MySQL 64: every constraint and index name must fit.
MAX_IDENTIFIER = 63


def check_identifiers(table: str, fields: list[dict[str, Any]], *, owner: str | None) -> None:
    """The names of the table's constraints and indexes, as its migration writes them, must fit."""
    names = [f"pk_{table}"]
    for field in fields:
        if field["type"] == "ref":
            names.append(f"fk_{table}_{field['name']}_{field['target']}")
        if field["index"] or field["type"] == "ref" or field["unique"]:
            names.append(
                f"{'uq' if field['unique'] and not field['index'] else 'ix'}_{table}_{field['name']}"
            )
    if owner:
        names += [f"fk_{table}_{owner}_id_users", f"ix_{table}_{owner}_id"]
    longest = max(names, key=len)
    if len(longest) > MAX_IDENTIFIER:
        raise UsageError(
            f"the name {longest} would be {len(longest)} characters, and PostgreSQL keeps "
            f"{MAX_IDENTIFIER}: choose a shorter resource or field name"
        )
