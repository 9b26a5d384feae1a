"""The CSV tables of warehouse work (slotting files, a plan's lines), read and checked.

Every check names the file, the 1-based data row (header excluded) and the column, as
:class:`dom.errors.InvalidInput` prints them, so a bad row is found without reading code
(docs/picking.md#pick-lists).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from dom.errors import InvalidInput


def read_csv_table(
    path: Path, required: Sequence[str], fix: str, *, nonempty: Sequence[str] | None = None
) -> pd.DataFrame:
    """A CSV read as stripped strings, checked to have the required columns, and values in the
    ``nonempty`` ones (default: all required)."""
    if not path.is_file():
        raise InvalidInput("file not found", file=str(path), fix=fix)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not a readable CSV ({exc})", file=str(path), fix=fix) from exc
    table.columns = [str(c).strip() for c in table.columns]
    for column in required:
        if column not in table.columns:
            raise InvalidInput(
                f"missing column '{column}' (found: {', '.join(table.columns)})",
                file=str(path),
                column=column,
                fix=f"the header must name {', '.join(required)}",
            )
    for column in required:
        table[column] = table[column].str.strip()
    for column in required if nonempty is None else nonempty:
        check_rows(
            table[column].to_numpy() != "",
            InvalidInput,
            lambda _: "empty value",
            file=str(path),
            column=column,
            fix=fix,
        )
    return table


def check_rows(
    ok: np.ndarray,
    error: type[InvalidInput],
    message: Callable[[int], str],
    *,
    file: str,
    column: str,
    fix: str,
    rows: np.ndarray | None = None,
) -> None:
    """Raise ``error`` for the first ``i`` where ``ok[i]`` is False, with ``message(i)`` and its
    data row (``rows[i]`` when the checked values are a part of the file, 0-based)."""
    bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
    if len(bad):
        i = int(bad[0])
        row = i if rows is None else int(rows[i])
        raise error(message(i), file=file, row=row + 1, column=column, fix=fix)
