import re
import shlex
import subprocess
import sys
from pathlib import Path

from generator.template import load_spec

README = Path(__file__).resolve().parent.parent / "README.md"


def options_table() -> dict[str, list[str]]:
    """Rows of the README's options table: question -> cells."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Options", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows[cells[0].strip("`")] = cells
    return rows


def test_every_question_has_a_row_and_every_row_a_question() -> None:
    spec = load_spec()
    assert set(options_table()) == {question.name for question in spec.questions}


def test_each_row_lists_the_flag_choices_and_default() -> None:
    table = options_table()
    for question in load_spec().questions:
        name, flag, choices, default = table[question.name][:4]
        assert flag == f"`--{question.flag}`", name
        if question.choices:
            assert re.findall(r"`([^`]+)`", choices) == [str(value) for value in question.values], name
            assert default == f"`{question.default}`", name
        else:
            assert "`" not in default, name


def quickstart_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_quickstart_renders_outside_the_clone(tmp_path: Path) -> None:
    """A project rendered inside the clone makes it dirty, and copier then records a temporary commit."""
    [command] = quickstart_commands()
    words = shlex.split(command)
    assert words[:3] == ["uv", "run", "trellis"]
    clone = tmp_path / "clone"
    clone.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "generator", *words[3:], "--no-lock"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(clone.iterdir()) == []
    assert (tmp_path / "my-service" / "pyproject.toml").is_file()
