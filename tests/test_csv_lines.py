"""csv_lines.py: the incremental build's view of a CSV file as lines, against the csv module."""

from __future__ import annotations

import csv
import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cakupan.csv_lines import CsvLines, _whole

HEADER = ["figure_id", "source_id", "quote"]


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


cells = st.text(alphabet='ab ,"\u201c\u2013', max_size=6)
rows = st.lists(st.lists(cells, min_size=3, max_size=3), max_size=12, unique_by=tuple)


@settings(max_examples=500, deadline=None)
@given(old=rows, new=rows)
@example(old=[["pak-budi", "S", "x"]], new=[["budi", "S", "x"]])  # a new row that ends an old one
@example(old=[["h", "", ""], ["A", "", ""], ["B", "", ""]], new=[["h", "", ""], ["B", "", ""], ["A", "", ""], ["A", "", ""]])  # fmt: skip
def test_the_files_differ_only_inside_the_stretch_of_changed_rows(old, new):
    before, after = CsvLines(csv_bytes(old)), CsvLines(csv_bytes(new))
    assert before.simple and after.simple
    mine, theirs = (
        [row for row in csv.reader(line.decode("utf-8") for line in lines)]
        for lines in after.stretch(before)
    )
    # new = shared start + mine + shared end, and old = the same start + theirs + the same end
    at = next(
        k for k in range(len(new) + 1) if new[k : k + len(mine)] == mine and new[:k] == old[:k]
    )
    assert new[at + len(mine) :] == old[at + len(theirs) :]


def test_a_row_pasted_twice_and_a_row_moved_are_inside_the_stretch():
    old = CsvLines(csv_bytes([["h", "", ""], ["A", "", ""], ["B", "", ""]]))
    new = CsvLines(csv_bytes([["h", "", ""], ["B", "", ""], ["A", "", ""], ["A", "", ""]]))
    assert new.stretch(old) == ([b"B,,", b"A,,", b"A,,"], [b"A,,", b"B,,"])


def test_a_new_row_that_is_the_end_of_the_old_one_is_a_whole_line_of_the_stretch():
    old = CsvLines(csv_bytes([["x", "1", ""], ["pak-budi", "S", ""], ["y", "2", ""]]))
    new = CsvLines(csv_bytes([["x", "1", ""], ["budi", "S", ""], ["y", "2", ""]]))
    assert new.stretch(old) == ([b"budi,S,"], [b"pak-budi,S,"])


@settings(max_examples=200, deadline=None)
@given(table=rows, wanted=st.sets(cells.filter(bool), max_size=3))
def test_rows_naming_finds_every_row_whose_cell_is_named_and_no_other(table, wanted):
    found = CsvLines(csv_bytes(table)).rows_naming(1, wanted)
    assert found == [r for r in table if r[1] in wanted]


def test_a_quoted_line_break_or_another_shape_is_not_simple():
    assert CsvLines(b'a,b\n1,"two\nlines"\n').simple is False
    assert CsvLines(b"a,b\r\n1,2\r\n").simple is False
    assert CsvLines(b"\xef\xbb\xbfa,b\n1,2\n").simple is False
    assert CsvLines(b"a,b\n1,2").simple is False  # no final line end
    assert CsvLines(b"a,b\n\n1,2\n").simple is False  # a blank line
    assert CsvLines(b'a,b\n1,"say ""hi"", ok"\n').simple is True


def test_an_old_file_with_a_quoted_line_break_in_a_changed_row_is_refused():
    old = CsvLines(b'a,b\n1,"two\nlines"\n2,x\n')
    new = CsvLines(b"a,b\n2,x\n")
    assert new.simple and old.simple_lines(new.stretch(old)[1]) is False


@settings(max_examples=500, deadline=None)
@given(raw=st.binary().map(lambda b: bytes(b'"\na,'[x % 4] for x in b)))
def test_a_line_with_an_odd_number_of_quotes_is_always_found(raw):
    every_line_even = all(line.count(b'"') % 2 == 0 for line in raw.split(b"\n"))
    assert _whole(raw) == every_line_even
