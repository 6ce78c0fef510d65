"""The few lines `trellis add resource` writes into files the project already has, so that a
reader of each sees every resource: the API router, the models package, the service providers,
the dependency aliases, the in-memory store."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from generator.add.resource import class_name
from generator.errors import UsageError
from generator.template import load_spec

ROUTER = "app/api/v1/router.py"
MODELS = "app/db/models/__init__.py"
STORE = "app/db/store.py"
PROVIDERS = "app/services/providers.py"
DEPENDENCIES = "app/dependencies.py"

# A column of a resource's table that holds ids of another table's rows: (table, column, set_null).
Reference = tuple[str, str, bool]


@functools.cache
def line_length() -> int:
    """The generated project's ruff line length (copier.yml's computed `line_length`)."""
    return int(load_spec().computed["line_length"][1])


def layout(head: str, items: list[str], *, open_: str = "(", close: str = ")", indent: str = "") -> str:
    """`head(items)` as ruff format lays it out: one line, the items on a line of their own, or
    one item a line with a trailing comma."""
    joined = ", ".join(items)
    one = f"{indent}{head}{open_}{joined}{close}"
    if len(one) <= line_length():
        return one
    if len(f"{indent}    {joined}") <= line_length():
        return f"{indent}{head}{open_}\n{indent}    {joined}\n{indent}{close}"
    lines = "".join(f"{indent}    {item},\n" for item in items)
    return f"{indent}{head}{open_}\n{lines}{indent}{close}"


def _import_names(text: str, module: str, path: str) -> tuple[re.Match[str], list[str]]:
    pattern = re.compile(rf"^from {re.escape(module)} import (\(\s*[^)]*\)|[^\n(]+)$", re.MULTILINE)
    found = pattern.search(text)
    if found is None:
        raise UsageError(f"{path} has no `from {module} import ...` line to register the resource in")
    names = [name.strip() for name in found.group(1).strip("()").replace("\n", " ").split(",")]
    return found, [name for name in names if name]


def _with_import(text: str, module: str, name: str, path: str) -> str:
    found, names = _import_names(text, module, path)
    line = layout(f"from {module} import ", sorted({*names, name}, key=_isort_key), open_="", close="")
    if "\n" in line:
        line = layout(f"from {module} import ", sorted({*names, name}, key=_isort_key))
    return text[: found.start()] + line + text[found.end() :]


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's isort order within one import: CONSTANTS, then Classes, then the rest."""
    if name.isupper():
        return 0, name
    return (1, name) if name[:1].isupper() else (2, name)


def register_router(text: str, plural: str) -> str:
    text = _with_import(text, "app.api.v1.endpoints", plural, ROUTER)
    # The last inclusion, copied for the new router: include_api_v1's
    # `app.include_router(posts.router, prefix=prefix)`, or in a project rendered before it, a
    # v1 router's `api_router.include_router(posts.router)`.
    includes = list(re.finditer(r"^( *\w+\.include_router\()\w+(\.router[^\n]*\))$", text, re.MULTILINE))
    if not includes:
        raise UsageError(f"{ROUTER} includes no router: cannot register the resource in it")
    last = includes[-1]
    return f"{text[: last.end()]}\n{last.group(1)}{plural}{last.group(2)}{text[last.end() :]}"


def register_model(text: str, module: str, model: str) -> str:
    lines = text.splitlines()
    imports = [i for i, line in enumerate(lines) if line.startswith("from app.db.models.")]
    if not imports:
        raise UsageError(f"{MODELS} imports no model: cannot register the resource in it")
    new = f"from app.db.models.{module} import {model}"
    block = sorted([lines[i] for i in imports] + [new])
    lines[imports[0] : imports[-1] + 1] = block
    text = "\n".join(lines) + "\n"
    found = re.search(r"^__all__ = \[([^\]]*)\]$", text, re.MULTILINE)
    if found is None:
        raise UsageError(f"{MODELS} has no __all__ list: cannot register the resource in it")
    names = [name.strip().strip("\"'") for name in found.group(1).split(",") if name.strip()]
    items = [f'"{name}"' for name in sorted({*names, model}, key=_isort_key)]
    listed = layout("__all__ = ", items, open_="[", close="]")
    return text[: found.start()] + listed + text[found.end() :]


def register_store(text: str, plural: str, model: str, references: Sequence[Reference] = ()) -> str:
    """The table after the store's last table or reference, then its own references. A store
    rendered before tables knew their references (no `Table.references`) gets the table alone."""
    text = _with_import(text, "app.db.models", model, STORE)
    pattern = r"^([ \t]+)self\.\w+( = Table\[\w+\]\(\)|\.references\([^)]*\))[ \t]*(#.*)?$"
    lines = list(re.finditer(pattern, text, re.MULTILINE))
    if not lines:
        raise UsageError(f"{STORE} has no tables: cannot register the resource in it")
    if "def references(" not in text:
        references = ()
    last, indent = lines[-1], lines[-1].group(1)
    added = [f"{indent}self.{plural} = Table[{model}]()"]
    for parent, column, set_null in references:
        arguments = [f"self.{parent}", f'"{column}"', *(["set_null=True"] if set_null else [])]
        added.append(layout(f"self.{plural}.references", arguments, indent=indent))
    return text[: last.end()] + "".join(f"\n{line}" for line in added) + text[last.end() :]


def _after_last(text: str, pattern: str, lines: Sequence[str], path: str) -> str:
    found = list(re.finditer(pattern, text, re.MULTILINE))
    if not found:
        raise UsageError(f"{path} has no line like `{pattern}`: cannot register the resource in it")
    end = found[-1].end()
    return text[:end] + "".join(f"\n{line}" for line in lines) + text[end:]


def _import_line(text: str, line: str, path: str) -> str:
    """`line` after the last `from app... import`; the ruff pass after `add` sorts it into place."""
    found = list(re.finditer(r"^from app\.[\w.]+ import (?:\([^)]*\)|[^\n(]+)$", text, re.MULTILINE))
    if not found:
        raise UsageError(f"{path} has no `from app... import` line to register the resource after")
    return text[: found[-1].end()] + f"\n{line}" + text[found[-1].end() :]


def register_provider(text: str, name: str, plural: str, model: str) -> str:
    """The service's provider, written as the posts' is: the repository's alias, then the function."""
    alias = class_name(plural)
    repository = f"from app.repositories.{name}_repository import {model}Repository, get_{name}_repository"
    text = _import_line(text, repository, PROVIDERS)
    text = _import_line(text, f"from app.services.{name}_service import {model}Service", PROVIDERS)
    text = _after_last(
        text,
        r"^\w+ = Annotated\[\w+Repository, Depends\(get_\w+_repository\)\]$",
        [f"{alias} = Annotated[{model}Repository, Depends(get_{name}_repository)]"],
        PROVIDERS,
    )
    signature = f"async def get_{name}_service({plural}: {alias}) -> {model}Service:"
    return text.rstrip("\n") + f"\n\n\n{signature}\n    return {model}Service({plural})\n"


def register_alias(text: str, name: str, model: str) -> str:
    """The service's `Annotated` alias, beside the posts' `PostServiceDep`."""
    text = _import_line(text, f"from app.services.{name}_service import {model}Service", DEPENDENCIES)
    found, names = _import_names(text, "app.services.providers", DEPENDENCIES)
    line = f"from app.services.providers import {', '.join(sorted({*names, f'get_{name}_service'}))}"
    text = text[: found.start()] + line + text[found.end() :]
    # After the run of aliases that holds the posts' own, before those of sign-in.
    aliases = _statements(text, r"\w+ServiceDep = ")
    starts = [begin for begin, _ in aliases]
    if not any(text.startswith("PostServiceDep = ", begin) for begin in starts):
        raise UsageError(f"{DEPENDENCIES} has no `PostServiceDep = ...` line to register the resource after")
    index = next(i for i, (begin, _) in enumerate(aliases) if text.startswith("PostServiceDep = ", begin))
    while index + 1 < len(aliases) and aliases[index + 1][0] == aliases[index][1]:
        index += 1
    end = aliases[index][1]
    line = f"{model}ServiceDep = Annotated[{model}Service, Depends(get_{name}_service)]\n"
    return text[:end] + line + text[end:]


# What `trellis remove resource` takes out again: each line `add` wrote, however ruff wrapped it.


def _statements(text: str, start: str) -> list[tuple[int, int]]:
    """The spans of the statements that begin at a line start with the regular expression
    `start`, each with its line break: through the line where its brackets close."""
    spans = []
    for found in re.finditer(rf"^(?:{start})", text, re.MULTILINE):
        depth, index = 0, found.start()
        while index < len(text):
            char = text[index]
            depth += (char in "([{") - (char in ")]}")
            if char == "\n" and depth <= 0:
                break
            index += 1
        spans.append((found.start(), min(index + 1, len(text))))
    return spans


def _without(text: str, start: str) -> str:
    for begin, end in reversed(_statements(text, start)):
        text = text[:begin] + text[end:]
    return text


def _without_name(text: str, module: str, name: str, path: str) -> str:
    found, names = _import_names(text, module, path)
    kept = [each for each in names if each != name]
    return text[: found.start()] + f"from {module} import {', '.join(kept)}" + text[found.end() :]


def unregister_router(text: str, plural: str) -> str:
    text = _without_name(text, "app.api.v1.endpoints", plural, ROUTER)
    return _without(text, rf" *\w+\.include_router\({plural}\.router\b")


def unregister_model(text: str, module: str, model: str) -> str:
    text = _without(text, rf"from app\.db\.models\.{module} import ")
    found = re.search(r"^__all__ = \[([^\]]*)\]$", text, re.MULTILINE)
    if found is None:
        raise UsageError(f"{MODELS} has no __all__ list: cannot take the resource out of it")
    names = [name.strip().strip("\"'") for name in found.group(1).split(",") if name.strip()]
    listed = ", ".join(f'"{name}"' for name in names if name != model)
    return text[: found.start()] + f"__all__ = [{listed}]" + text[found.end() :]


def unregister_provider(text: str, name: str, plural: str) -> str:
    alias = class_name(plural)
    text = _without(text, rf"from app\.(?:repositories\.{name}_repository|services\.{name}_service) import ")
    text = _without(text, rf"{alias} = Annotated\[")
    return re.sub(rf"\n\n\nasync def get_{name}_service\(.*?(?=\n\n\n|\Z)", "", text, flags=re.DOTALL)


def unregister_alias(text: str, name: str, model: str) -> str:
    text = _without(text, rf"from app\.services\.{name}_service import ")
    text = _without_name(text, "app.services.providers", f"get_{name}_service", DEPENDENCIES)
    return _without(text, rf"{model}ServiceDep = Annotated\[")


def unregister_store(text: str, plural: str, model: str) -> str:
    text = _without_name(text, "app.db.models", model, STORE)
    return _without(text, rf"[ \t]+self\.{plural}(?: = Table\[|\.references\()")
