from generator.matrix.pairwise import pairs


def test_pairs_hold_values_alone_and_in_twos() -> None:
    assert pairs({"a": 1, "b": 2}) == {(("a", 1),), (("b", 2),), (("a", 1), ("b", 2))}
