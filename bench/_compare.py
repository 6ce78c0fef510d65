"""Whether two JSON answers say the same, and where they differ."""

from typing import Any


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Each place, as a path (`items[3].created_at`), where `actual` differs from `expected`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in expected.keys() | actual.keys():
            path = f"{where}.{key}" if where else str(key)
            if key not in actual:
                found.append(f"{path}: missing")
            elif key not in expected:
                found.append(f"{path}: unexpected {actual[key]!r}")
            else:
                found += differences(expected[key], actual[key], path)
        return sorted(found)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items, not {len(expected)}"]
        found = []
        for i, (one, other) in enumerate(zip(expected, actual, strict=True)):
            found += differences(one, other, f"{where}[{i}]")
        return found
    # type() too: JSON's true is not 1.
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where or 'body'}: {actual!r}, not {expected!r}"]
    return []
