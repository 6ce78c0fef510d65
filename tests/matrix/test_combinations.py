from pathlib import Path
from typing import Any

import copier
import pytest

from generator import matrix
from generator.errors import UsageError
from generator.matrix.pairwise import pairs
from generator.template import TemplateSpec, load_spec

# A template with the shapes the real one grows into: a question asked only for some
# answers, a validator refusing a combination, a disabled choice, a computed value.
OPTIONS_YML = """\
_subdirectory: template
_answers_file: .copier-answers.yml
project_name:
  type: str
  default: Sample
python_version:
  type: str
  default: "3.11"
  choices: ["3.11", "3.12", "3.13"]
database:
  type: str
  default: sqlite
  choices:
    SQLite: sqlite
    PostgreSQL: postgresql
    MySQL: mysql
    None: none
auth:
  type: str
  default: none
  choices: [none, jwt, oauth2]
rbac:
  type: bool
  default: false
  when: "{{ auth != 'none' }}"
  validator: "{% if rbac and auth == 'none' %}RBAC needs auth{% endif %}"
sqlalchemy:
  type: bool
  when: false
  default: "{{ database != 'none' }}"
errors:
  type: str
  default: fastapi
  choices:
    FastAPI: fastapi
    Structured: structured
    Problem:
      value: problem
      validator: "{% if not sqlalchemy %}problem details need a database here{% endif %}"
metrics:
  type: bool
  default: false
"""


@pytest.fixture(scope="module")
def options_spec(tmp_path_factory: pytest.TempPathFactory) -> TemplateSpec:
    root = tmp_path_factory.mktemp("options-template")
    (root / "copier.yml").write_text(OPTIONS_YML)
    (root / "template").mkdir()
    (root / "template" / "answers.txt.jinja").write_text("{{ database }} {{ auth }}\n")
    (root / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    (root / "presets").mkdir()
    (root / "presets" / "minimal.yml").write_text("database: none\n")
    (root / "presets" / "full.yml").write_text(
        "database: postgresql\nauth: jwt\nrbac: true\nerrors: problem\n"
    )
    return load_spec(root)


def every_pair(combinations: list[dict[str, Any]]) -> set[tuple[tuple[str, Any], ...]]:
    return set().union(*(pairs(answers) for answers in combinations))


def options_of(items: list[matrix.Combination]) -> list[dict[str, Any]]:
    return [dict(item.options) for item in items]


class TestCombinations:
    def test_presets_come_first_under_their_names(self, options_spec: TemplateSpec) -> None:
        items = matrix.combinations(options_spec)
        assert [item.name for item in items[:2]] == ["full", "minimal"]
        assert items[0].options["rbac"] is True
        assert all(item.name.startswith("pairwise-") for item in items[2:])

    def test_every_pair_of_values_of_two_questions_appears(self, options_spec: TemplateSpec) -> None:
        everything = options_of(matrix.combinations(options_spec, full=True))
        pairwise = options_of(matrix.combinations(options_spec))
        assert every_pair(pairwise) == every_pair(everything)
        assert len(pairwise) < len(everything) / 5

    def test_every_pair_appears_for_the_real_template(self) -> None:
        spec = load_spec()
        everything = options_of(matrix.combinations(spec, full=True))
        assert every_pair(options_of(matrix.combinations(spec))) == every_pair(everything)

    def test_refused_combinations_are_never_emitted(self, options_spec: TemplateSpec) -> None:
        for options in options_of(matrix.combinations(options_spec, full=True)):
            assert not (options["database"] == "none" and options["errors"] == "problem"), options
            assert ("rbac" in options) == (options["auth"] != "none"), options

    def test_the_real_template_never_gets_rbac_without_auth(self) -> None:
        for options in options_of(matrix.combinations(load_spec(), full=True)):
            assert ("rbac" in options) == (options["auth"] != "none"), options

    def test_the_full_product_is_every_accepted_combination(self, options_spec: TemplateSpec) -> None:
        # 3 pythons x 2 metrics x (3 sql databases x 3 errors + none x 2 errors) x (none + 2 auths x 2 rbac)
        assert len(matrix.combinations(options_spec, full=True)) == 3 * 2 * 11 * 5

    def test_copier_accepts_what_is_emitted_and_refuses_what_is_not(
        self, options_spec: TemplateSpec, tmp_path: Path
    ) -> None:
        for number, item in enumerate(matrix.combinations(options_spec)):
            copier.run_copy(
                str(options_spec.root), str(tmp_path / str(number)), data=dict(item.data), defaults=True
            )
        with pytest.raises(ValueError, match="problem details need a database"):
            copier.run_copy(
                str(options_spec.root),
                str(tmp_path / "x"),
                data={"database": "none", "errors": "problem"},
                defaults=True,
            )

    def test_the_set_is_the_same_every_time(self, options_spec: TemplateSpec) -> None:
        assert matrix.combinations(options_spec) == matrix.combinations(options_spec)

    def test_only_keeps_one_value_and_still_covers_the_other_pairs(self, options_spec: TemplateSpec) -> None:
        only = matrix.parse_filters(options_spec, ["database=postgresql", "auth=jwt", "auth=oauth2"])
        items = matrix.combinations(options_spec, only=only)
        assert items[0].name == "full"
        assert {item.options["database"] for item in items} == {"postgresql"}
        assert {item.options["auth"] for item in items} == {"jwt", "oauth2"}
        everything = options_of(matrix.combinations(options_spec, full=True, only=only))
        assert every_pair(options_of(items)) == every_pair(everything)

    @pytest.mark.parametrize(
        ("item", "message"),
        [
            ("database", "key=value"),
            ("colour=blue", "colour"),
            ("database=oracle", "oracle"),
            ("project_name=x", "free"),
        ],
    )
    def test_bad_filters_are_refused(self, options_spec: TemplateSpec, item: str, message: str) -> None:
        with pytest.raises(UsageError, match=message):
            matrix.parse_filters(options_spec, [item])


class TestShards:
    @pytest.mark.parametrize("count", [1, 2, 3, 5, 40])
    def test_shards_partition_the_set(self, options_spec: TemplateSpec, count: int) -> None:
        items = matrix.combinations(options_spec)
        slices = [matrix.shard(items, index, count) for index in range(1, count + 1)]
        names = [item.name for piece in slices for item in piece]
        assert sorted(names) == sorted(item.name for item in items)
        assert len(names) == len(set(names))
        assert max(map(len, slices)) - min(map(len, slices)) <= 1
        assert slices == [
            matrix.shard(matrix.combinations(options_spec), i, count) for i in range(1, count + 1)
        ]

    @pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
    def test_bad_shards_are_refused(self, text: str) -> None:
        with pytest.raises(UsageError, match="I/N"):
            matrix.parse_shard(text)

    def test_github_matrix_lists_every_shard_and_every_combination(self, options_spec: TemplateSpec) -> None:
        items = matrix.combinations(options_spec)
        include = matrix.github_matrix(items, 3)["include"]
        assert [entry["shard"] for entry in include] == ["1/3", "2/3", "3/3"]
        listed = [name for entry in include for name in entry["combinations"].split()]
        assert sorted(listed) == sorted(item.name for item in items)

    def test_github_matrix_makes_no_empty_shard(self, options_spec: TemplateSpec) -> None:
        items = matrix.combinations(options_spec)[:2]
        assert [entry["shard"] for entry in matrix.github_matrix(items, 5)["include"]] == ["1/2", "2/2"]
