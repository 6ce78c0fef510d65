import pytest

from generator.add.fields import check_identifiers, check_name, parse_field
from generator.add.resource import plural
from generator.errors import UsageError
from generator.template import load_spec

TARGETS = {"users": ("User", "user"), "books": ("Book", "book")}


class TestParseField:
    def test_a_string_defaults_to_255_characters(self) -> None:
        field = parse_field("title:str", TARGETS)
        assert field == {
            "name": "title",
            "type": "str",
            "max": 255,
            "ge": None,
            "le": None,
            "unique": False,
            "optional": False,
            "index": False,
            "readonly": False,
        }

    def test_a_readonly_field_is_optional_and_never_a_ref_or_unique(self) -> None:
        assert parse_field("word_count:int:readonly", TARGETS)["optional"] is True
        with pytest.raises(UsageError, match="readonly field cannot be a ref or unique"):
            parse_field("owner:ref:users:readonly", TARGETS)
        with pytest.raises(UsageError, match="readonly field cannot be a ref or unique"):
            parse_field("code:str:unique:readonly", TARGETS)

    def test_names_too_long_for_a_constraint_are_refused(self) -> None:
        field = parse_field(f"{'b' * 25}:ref:books", TARGETS)
        check_identifiers("a" * 25, [field], owner=None)
        with pytest.raises(UsageError, match=r"fk_a+_b+_id_books would be 64 characters"):
            check_identifiers("a" * 26, [field], owner=None)

    def test_options_and_flags(self) -> None:
        field = parse_field("score:int:ge=1:le=5:index:optional", TARGETS)
        assert (field["ge"], field["le"], field["index"], field["optional"], field["unique"]) == (
            1,
            5,
            True,
            True,
            False,
        )

    def test_float_bounds_keep_their_fraction(self) -> None:
        field = parse_field("rating:float:ge=0.5:le=4.5", TARGETS)
        assert (field["ge"], field["le"]) == (0.5, 4.5)

    def test_enum_choices(self) -> None:
        assert parse_field("genre:enum:choices=a|b|c", TARGETS)["choices"] == ["a", "b", "c"]

    def test_a_ref_is_a_foreign_key_named_after_the_field(self) -> None:
        field = parse_field("author:ref:users", TARGETS)
        assert (field["name"], field["target"], field["model"], field["target_name"]) == (
            "author_id",
            "users",
            "User",
            "user",
        )

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ("title", "expects name:type"),
            ("title:string", "unknown type 'string'"),
            ("title:str:long", "unknown option 'long'"),
            ("title:str:min=3", "unknown option 'min'"),
            ("title:str:max=many", "max= expects a whole number"),
            ("title:str:max=0", "max must be between"),
            ("pages:int:max=3", "max= applies to str and text"),
            ("pages:int:ge=5:le=1", "ge must not be above le"),
            ("pages:int:ge=99999999999", "32-bit"),
            ("rating:float:le=nan", "le= expects a number"),
            ("genre:enum", "needs choices"),
            ("genre:enum:choices=a|a", "distinct"),
            ("body:text:unique", "cannot be unique"),
            ("body:text:index", "cannot be indexed"),
            ("done:bool:unique", "cannot be unique"),
            ("author:ref:authors", "refers to 'authors'"),
            ("author:ref", r"refers to '\(nothing\)'"),
            ("class:str", "Python keyword"),
            ("order:int", "reserved SQL word"),
            ("Title:str", "snake_case"),
            ("id:int", "every resource has"),
            ("owner_id:int", "every resource has"),
        ],
    )
    def test_a_bad_spec_is_refused(self, spec: str, message: str) -> None:
        with pytest.raises(UsageError, match=message):
            parse_field(spec, TARGETS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("comment", "comments"),
        ("box", "boxes"),
        ("category", "categories"),
        ("day", "days"),
        ("bus", "buses"),
    ],
)
def test_plural(name: str, expected: str) -> None:
    """copier.yml's rule: what `add` names the table is what plain copier would."""
    assert plural(name, load_spec()) == expected


def test_a_name_with_a_double_underscore_is_refused() -> None:
    with pytest.raises(UsageError, match="snake_case"):
        check_name("blog__post", "resource name")
