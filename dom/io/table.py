"""One input file as validated text: the checks every loader shares (CSV or Parquet).

Each file is read once as text (pandas), every column is parsed and checked with vectorised
pandas/numpy, and ids are mapped to dense ints with ``pandas.Index.get_indexer``. The first
problem found raises :class:`dom.errors.InvalidInput` naming the file, the 1-based data row (plus
the file line a text editor shows, for CSV), the column, the fix, and how many other rows share
the problem. Cells are stripped; an empty cell means "not given"; blank lines are skipped but
still counted in row numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dom.errors import InvalidInput, closest
from dom.model import MAX_ID_CHARS

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


@dataclass(frozen=True, eq=False)
class Table:
    """One input file as stripped text cells, remembering which data row each row came from."""

    df: pd.DataFrame  # str cells, "" where empty; positional rows
    file: str
    rownum: np.ndarray  # int64 [row]: 1-based data row in the file
    has_lines: bool  # CSV: data row r is file line r + 1

    def fail(
        self,
        message: str,
        *,
        rows: np.ndarray | Sequence[int] | None = None,
        column: str | None = None,
        fix: str | None = None,
        cls: type[InvalidInput] = InvalidInput,
    ) -> NoReturn:
        """Raise ``cls`` naming this file, the first of ``rows`` (positional) and ``column``."""
        row = None
        if rows is not None and len(rows):
            row = int(self.rownum[int(rows[0])])
            if self.has_lines:
                message += f" (file line {row + 1})"
            if len(rows) > 1:
                message += f"; {len(rows) - 1} more row(s) have the same problem"
        raise cls(message, file=self.file, row=row, column=column, fix=fix)

    def check_columns(self, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        """Every required column is present; an unknown column spelt like an expected one fails."""
        present = list(self.df.columns)
        unknown = [c for c in present if c not in required and c not in optional]
        for name in required:
            if name not in present:
                guess = closest(name, unknown)
                fix = f"rename column '{guess}' to '{name}'" if guess else f"add a column '{name}'"
                self.fail(
                    f"required column '{name}' is missing (header: {', '.join(present)})",
                    column=name,
                    fix=fix,
                )
        missing_optional = [o for o in optional if o not in present]
        for col in unknown:
            guess = closest(col, missing_optional, cutoff=0.75)
            if guess:
                self.fail(f"unknown column '{col}'", column=col, fix=f"rename it to '{guess}'")

    def ids(self, col: str, *, what: str) -> np.ndarray:
        """An id column as a str array: every cell 1 to ``MAX_ID_CHARS`` printable characters."""
        raw = self.df[col]
        empty = np.flatnonzero(raw.eq("").to_numpy())
        if len(empty):
            self.fail(f"{col} is empty", rows=empty, column=col, fix=f"fill in {what}")
        bad = np.flatnonzero(
            (raw.str.len() > MAX_ID_CHARS).to_numpy() | ~raw.map(str.isprintable).to_numpy(bool)
        )
        if len(bad):
            shown = str(raw.iat[bad[0]])
            self.fail(
                f"{col} {shown[:40]!r}{'...' if len(shown) > 40 else ''} is not an id",
                rows=bad,
                column=col,
                fix=f"give {what} as 1 to {MAX_ID_CHARS} printable characters",
            )
        return raw.to_numpy(dtype=str)

    def numbers(
        self,
        col: str,
        *,
        what: str,
        whole: bool = False,
        low: float | None = None,
        low_open: bool = False,
        high: float | None = None,
        default: float | None = None,
    ) -> np.ndarray:
        """A numeric column as float64, range-checked; empty cells take ``default`` or fail."""
        raw = self.df[col]
        empty = raw.eq("").to_numpy()
        if default is None and empty.any():
            self.fail(
                f"{col} is empty", rows=np.flatnonzero(empty), column=col, fix=f"fill in {what}"
            )
        values = _to_float(raw)
        given = ~empty
        self._reject_cells(col, given & ~np.isfinite(values), "is not a number",
                           f"write {what} as a plain number")  # fmt: skip
        values[empty] = np.nan if default is None else default
        if whole:
            self._reject_cells(col, given & (values != np.floor(values)), "is not a whole number",
                               f"{what} must be a whole number")  # fmt: skip
        if low is not None:
            below = values <= low if low_open else values < low
            bound = f"above {low:g}" if low_open else f"at least {low:g}"
            self._reject_cells(col, given & below, "is out of range", f"{what} must be {bound}")
        if high is not None:
            self._reject_cells(col, given & (values > high), "is out of range",
                               f"{what} must be at most {high:g}")  # fmt: skip
        return values

    def _reject_cells(self, col: str, bad: np.ndarray, problem: str, fix: str) -> None:
        """Fail on the rows where ``bad`` holds, quoting the first one's cell of ``col``."""
        rows = np.flatnonzero(bad)
        if len(rows):
            cell = self.df[col].iat[rows[0]]
            self.fail(f"{col} '{cell}' {problem}", rows=rows, column=col, fix=fix)

    def flags(self, col: str, *, default: bool) -> np.ndarray:
        """A true/false column (true/false, yes/no, 1/0, any case); empty cells take ``default``."""
        low = self.df[col].str.lower()
        is_true = low.isin(_TRUE).to_numpy()
        is_false = low.isin(_FALSE).to_numpy()
        bad = np.flatnonzero(~is_true & ~is_false & low.ne("").to_numpy())
        if len(bad):
            self.fail(
                f"{col} '{self.df[col].iat[bad[0]]}' is not true or false",
                rows=bad,
                column=col,
                fix="write true or false (or leave it empty)",
            )
        return np.where(is_true | is_false, is_true, default)

    def check_unique(self, cols: list[str], what: str) -> None:
        """No two rows share the key ``cols``."""
        dup = np.flatnonzero(self.df.duplicated(cols, keep="first").to_numpy())
        if len(dup):
            key = self.df.iloc[dup[0]][cols]
            first = int(np.argmax((self.df[cols] == key.to_numpy()).all(axis=1).to_numpy()))
            shown = ", ".join(f"{c}={key[c]}" for c in cols)
            self.fail(
                f"duplicate {what} ({shown}); it first appears at row {self.rownum[first]}",
                rows=dup,
                column=", ".join(cols),
                fix=f"keep one row per {what}",
            )

    def lookup(
        self,
        col: str,
        index: pd.Index,
        *,
        what: str,
        cls: type[InvalidInput],
        fix: str,
    ) -> np.ndarray:
        """Dense int codes of the ids in ``col`` against ``index``; an unknown id fails."""
        codes = index.get_indexer(pd.Index(self.df[col]))
        bad = np.flatnonzero(codes < 0)
        if len(bad):
            value = str(self.df[col].iat[bad[0]])
            guess = closest(value, index) if len(index) <= 50_000 else None
            hint = f"did you mean '{guess}'? " if guess else ""
            self.fail(f"unknown {what} '{value}'", rows=bad, column=col, fix=hint + fix, cls=cls)
        return codes.astype(np.int64)


def _to_float(raw: pd.Series) -> np.ndarray:
    """Text cells as float64, NaN where empty or not a number.

    Arrow's cast is several times faster than ``pd.to_numeric`` but fails the whole column on one
    bad cell; then ``pd.to_numeric`` finds which.
    """
    try:
        arr = pa.array(raw, type=pa.string())
        arr = pc.if_else(pc.equal(arr, ""), None, arr)
        return np.array(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, copy=True)


def read_table(path: Path) -> Table:
    """Read a CSV or Parquet file (by extension) as stripped text cells."""
    label = str(path)
    if not path.is_file():
        raise InvalidInput("file not found", file=label, fix="check the path and the file name")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InvalidInput(f"cannot read as Parquet: {exc}", file=label) from exc
        df = df.astype(object).where(df.notna(), "").astype(str)
        has_lines = False
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                df = pd.read_csv(
                    path, dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False
                )
            except pd.errors.EmptyDataError as exc:
                raise InvalidInput(
                    "the file is empty", file=label, fix="start it with a header row"
                ) from exc
            except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
                raise InvalidInput(
                    f"cannot parse as CSV: {str(exc).strip()}",
                    file=label,
                    fix="give every row as many comma-separated fields as the header",
                ) from exc
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"not UTF-8 text: {exc}", file=label, fix="save the file as UTF-8 CSV"
                ) from exc
        has_lines = True
    df.columns = [str(c).strip() for c in df.columns]
    dup_cols = [c for c in df.columns if list(df.columns).count(c) > 1]
    if dup_cols:
        raise InvalidInput(
            f"column '{dup_cols[0]}' appears twice in the header",
            file=label,
            column=dup_cols[0],
            fix="keep one column of each name",
        )
    df = df.apply(lambda c: c.str.strip()) if len(df.columns) else df
    blank = (df == "").all(axis=1).to_numpy() if len(df.columns) else np.zeros(len(df), bool)
    keep = np.flatnonzero(~blank)
    df = df.iloc[keep].reset_index(drop=True)
    return Table(df=df, file=label, rownum=keep.astype(np.int64) + 1, has_lines=has_lines)


def read_bundle_table(
    folder: Path, name: str, required: Sequence[str], optional: Sequence[str] = ()
) -> Table:
    """Read one bundle file, check its columns and that it has data rows."""
    table = read_table(folder / name)
    table.check_columns(required, optional)
    if table.df.empty:
        table.fail("has no data rows", fix=f"add at least one row under the header of {name}")
    return table
