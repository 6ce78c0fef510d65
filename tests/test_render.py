from pathlib import Path
from typing import Any

import pytest

from generator import render as render_module
from generator.errors import UsageError
from generator.render import render, resolve_answers
from generator.template import TemplateSpec, load_spec, parse_answers


def test_interrupt_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(spec: TemplateSpec, staging: Path, answers: Any, *, interactive: bool) -> None:
        (staging / "half-written.py").write_text("")
        raise KeyboardInterrupt

    monkeypatch.setattr(render_module, "_run_copy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render(tmp_path / "deep" / "svc", {})
    assert list(tmp_path.iterdir()) == []


def test_failed_render_leaves_existing_destination_untouched(tmp_path: Path) -> None:
    destination = tmp_path / "svc"
    destination.mkdir()
    (destination / "mine.txt").write_text("mine")
    with pytest.raises(UsageError):
        render(destination, {"project_slug": "Not Valid"}, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svc"]
    assert [p.name for p in destination.iterdir()] == ["mine.txt"]


def test_resolve_answers_layers_preset_data_and_flags() -> None:
    spec = load_spec()
    answers = resolve_answers(
        spec,
        preset="minimal",
        data={"description": "d", "author_name": "data"},
        flags={"author_name": "flag"},
    )
    assert answers["author_name"] == "flag"
    assert answers["description"] == "d"
    assert answers["database"] == spec.presets["minimal"]["database"]


def test_parse_data_types_values_by_question() -> None:
    spec = load_spec()
    assert parse_answers(spec, ["python_version=3.12", "description=a=b"], option="--data") == {
        "python_version": "3.12",
        "description": "a=b",
    }
