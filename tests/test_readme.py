import re
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
