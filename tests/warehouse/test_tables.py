"""CSV tables: required columns, empty values and bad rows named by file, row and column."""

from __future__ import annotations

import numpy as np
import pytest

from dom.errors import InvalidInput, UnknownSku
from warehouse_graph.tables import check_rows, read_csv_table


def test_read_csv_table_strips_and_checks(tmp_path):
    """Values are stripped strings; a missing file, column or required value is named."""
    path = tmp_path / "t.csv"
    path.write_text("a, b\n x ,y\n")
    assert read_csv_table(path, ("a", "b"), "fix").to_dict("records") == [{"a": "x", "b": "y"}]
    with pytest.raises(InvalidInput, match=r"none\.csv: file not found"):
        read_csv_table(tmp_path / "none.csv", ("a",), "fix")
    with pytest.raises(InvalidInput, match=r"missing column 'c' \(found: a, b\)"):
        read_csv_table(path, ("a", "c"), "fix")
    path.write_text("a,b\nx,\n")
    with pytest.raises(InvalidInput, match="row 1, column 'b': empty value"):
        read_csv_table(path, ("a", "b"), "fix")
    assert len(read_csv_table(path, ("a", "b"), "fix", nonempty=("a",))) == 1


def test_check_rows_names_the_first_bad_row_of_the_file():
    """The first failing value is named with its 1-based file row (through ``rows``)."""
    check_rows(np.array([True, True]), InvalidInput, str, file="f", column="c", fix="x")
    with pytest.raises(UnknownSku, match=r"f, row 8, column 'c': bad 1 \(fix: x\)"):
        check_rows(
            np.array([True, False, False]),
            UnknownSku,
            lambda i: f"bad {i}",
            file="f",
            column="c",
            fix="x",
            rows=np.array([3, 7, 9]),
        )
