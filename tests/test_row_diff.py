"""row_diff.py: what changed between two versions of a table's rows, by primary key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cakupan.row_diff import DuplicateKey, RowDiff, diff_rows


def test_rows_are_matched_by_key_not_by_place():
    old = [["f1", "a", "41"], ["f2", "a", "43"], ["f3", "b", "50"]]
    new = [["f1", "a", "41"], ["f2", "a", "93"], ["f4", "c", "7"]]
    assert diff_rows(old, new, [0]) == RowDiff(
        added=[["f4", "c", "7"]],
        removed=[["f3", "b", "50"]],
        changed=[(["f2", "a", "43"], ["f2", "a", "93"])],
        moved=[],
    )


def test_rows_unchanged_between_two_edits_are_not_changes():
    old = [["f1", "a", "1"], ["f2", "b", "2"], ["f3", "b", "3"], ["f4", "c", "4"]]
    new = [["f1", "a", "x"], ["f2", "b", "2"], ["f3", "b", "3"], ["f4", "c", "y"]]
    diff = diff_rows(old, new, [0])
    assert {cells[1] for cells in diff.rows()} == {"a", "c"}
    assert diff.summary() == "2 rows changed"


def test_a_row_moved_is_a_change_of_its_article_only():
    old = [["f1", "a"], ["f2", "b"], ["f3", "b"], ["f4", "c"]]
    new = [["f2", "b"], ["f3", "b"], ["f4", "c"], ["f1", "a"]]
    assert diff_rows(old, new, [0]) == RowDiff(moved=[["f1", "a"]])
    assert diff_rows(old, new, [0]).summary() == "1 row moved"


def test_a_key_twice_on_one_side_cannot_be_diffed():
    with pytest.raises(DuplicateKey, match="^f1$"):
        diff_rows([["f1", "a"]], [["f1", "a"], ["f1", "b"]], [0])


def test_a_composite_key_matches_on_all_its_cells():
    old = [["bahri", "s1", "Kepala"], ["bahri", "s2", "Kepala"]]
    new = [["bahri", "s1", "Kepala"], ["bahri", "s2", "Kadis"]]
    assert diff_rows(old, new, [0, 1]).changed == [(old[1], new[1])]


def test_the_summary_counts_each_kind():
    diff = RowDiff(added=[["a"], ["b"]], changed=[(["c"], ["c2"])], removed=[["d"]])
    assert diff.summary() == "1 row changed, 2 added, 1 removed"
    assert RowDiff().summary() == ""


keys = st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8)


@settings(max_examples=300, deadline=None)
@given(old_keys=keys, new_keys=keys, edited=st.sets(st.sampled_from("abcdefgh")))
def test_replaying_a_diff_on_the_old_rows_gives_the_new_ones(old_keys, new_keys, edited):
    """Everything not reported is the same row in the same order on both sides."""
    old = [[k, "v"] for k in old_keys]
    new = [[k, "w" if k in edited else "v"] for k in new_keys]
    diff = diff_rows(old, new, [0])
    reported = {cells[0] for cells in diff.rows()}
    untouched_old = [r for r in old if r[0] not in reported]
    untouched_new = [r for r in new if r[0] not in reported]
    assert untouched_old == untouched_new
    # and nothing is reported that did not change: dropping a moved row must be needed
    for moved in diff.moved:
        back = [r for r in new if r[0] not in reported or r == moved]
        assert back != [r for r in old if r[0] not in reported or r == moved]
