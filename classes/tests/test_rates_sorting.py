"""Tables sorted by a rate keep their "no data" rows last, whichever the direction."""

from classes.rates import Rate
from classes.rates import sorted_missing_last


def test_rows_without_data_come_last_in_both_directions_and_ties_keep_their_order():
    rows = [("none", Rate(0, 0)), ("half", Rate(1, 2)), ("all", Rate(2, 2)), ("half-too", Rate(2, 4))]

    def key(row):
        return row[1].sort_key

    assert [name for name, _ in sorted_missing_last(rows, key)] == ["half", "half-too", "all", "none"]
    assert [name for name, _ in sorted_missing_last(rows, key, descending=True)] == ["all", "half", "half-too", "none"]
