"""A rendered project read by parsing its files: its routes, imports, settings and dependencies.

The fast tests cannot import a project without installing its dependencies (the slow matrix
runs each project's own tests), so they read its structure with `ast` and `tomllib` rather
than search its text: what they check holds however the code is laid out.
"""

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def module(project: Path, dotted: str) -> ast.Module:
    path = project.joinpath(*dotted.split(".")).with_suffix(".py")
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(tree: ast.Module) -> set[str]:
    """What the module imports, dotted: each module, and each name taken from one (`app.core.cache.Cache`)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imports_of_package(project: Path, package: str = "app") -> set[str]:
    """What any module of the package imports."""
    return {
        name
        for path in sorted((project / package).rglob("*.py"))
        for name in imports(module(project, ".".join(path.relative_to(project).with_suffix("").parts)))
    }


def imports_any(names: set[str], *modules: str) -> bool:
    """Whether `names` holds one of `modules` or something inside it."""
    return any(name == wanted or name.startswith(f"{wanted}.") for name in names for wanted in modules)


def calls(tree: ast.AST, name: str) -> list[ast.Call]:
    """Calls of a function or method of that name, however it is reached (`f(...)`, `x.f(...)`)."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def assignments(tree: ast.AST) -> Iterator[tuple[str, ast.expr | None]]:
    """Each target a value is given to, with the value: assignments and keyword arguments."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            yield from ((ast.unparse(target), node.value) for target in node.targets)
        elif isinstance(node, ast.AnnAssign):
            yield ast.unparse(node.target), node.value
        elif isinstance(node, ast.keyword) and node.arg is not None:
            yield node.arg, node.value


def dotted(node: ast.expr) -> str:
    """`settings.max_body_size` for an attribute chain, `x` for a name."""
    return ast.unparse(node) if isinstance(node, ast.Name | ast.Attribute) else ""


def function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    return next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    )


def class_fields(tree: ast.Module, name: str) -> dict[str, ast.expr | None]:
    """The annotated fields of a class, each with its default (None without one)."""
    cls = next(node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name == name)
    return {
        node.target.id: node.value
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def settings_fields(project: Path) -> dict[str, ast.expr | None]:
    """The fields of `Settings` (app/core/config.py) and of the settings classes it is made of."""
    classes = {
        node.name: node
        for path in sorted((project / "app" / "core").glob("*.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    }
    fields: dict[str, ast.expr | None] = {}
    pending = ["Settings"]
    while pending:
        cls = classes[pending.pop()]
        pending += [base.id for base in cls.bases if isinstance(base, ast.Name) and base.id in classes]
        for node in cls.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                fields.setdefault(node.target.id, node.value)
    fields.pop("model_config", None)
    return fields


def literal(node: ast.expr | None) -> object:
    assert node is not None, "no default"
    return ast.literal_eval(node)


def routes(project: Path) -> dict[tuple[str, str], ast.Call]:
    """Every route of the versioned API as (METHOD, path below its prefix), with the call that
    declares it: each endpoints module app/api/v1/router.py includes, under its router's prefix."""
    found: dict[tuple[str, str], ast.Call] = {}
    for include in calls(module(project, "app.api.v1.router"), "include_router"):
        included = include.args[0]
        assert isinstance(included, ast.Attribute)
        assert isinstance(included.value, ast.Name)
        endpoints = module(project, f"app.api.v1.endpoints.{included.value.id}")
        [declared] = calls(endpoints, "APIRouter")
        prefix = literal(keyword(declared, "prefix") or ast.Constant(""))
        for node in endpoints.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in HTTP_METHODS
                    and dotted(decorator.func.value) == "router"
                ):
                    found[(decorator.func.attr.upper(), f"{prefix}{literal(decorator.args[0])}")] = decorator
    return found


def dependencies(project: Path, group: str | None = None) -> set[str]:
    """The canonical names of the project's dependencies, or of one of its dependency groups."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    lines = pyproject["project"]["dependencies"] if group is None else pyproject["dependency-groups"][group]
    return {canonicalize_name(Requirement(line).name) for line in lines}


def locked_packages(project: Path) -> set[str]:
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"] for package in lock["package"]}


def documented_environment(project: Path) -> set[str]:
    """The variables .env.example sets or shows commented out."""
    text = (project / ".env.example").read_text(encoding="utf-8")
    return {match[1] for line in text.splitlines() if (match := ENV_LINE.match(line))}
