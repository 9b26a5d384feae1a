"""Import a file of orders (contracts §2 rows, CSV or Parquet) into the store, order by order.

Each order is checked on its own: a bad row rejects its whole order (nothing of it is created)
and is reported as ``{row, column, message}`` (row: 1-based data row, column: the file's), while
the other orders are created; an order id already stored with the same lines is a duplicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from dom.errors import InvalidInput
from dom.orders.capture import create_order
from dom.orders.errors import Contention, OrderConflict
from dom.orders.oms import Oms

_TRUE = {"true", "t", "yes", "y", "1"}
_COLUMNS = {
    "destination.zip": "dest_zip",
    "destination.lat": "dest_lat",
    "destination.lon": "dest_lon",
}


def _number(value: Any) -> Any:
    """A cell as the JSON form would carry it: whole numbers as int, other numbers as float."""
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_table(path: Path) -> pd.DataFrame:
    """The file's rows as text (empty cells as None)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = pd.read_parquet(path).astype(object)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.where(frame.notna(), None)
    return frame.replace({"": None})


def order_bodies(frame: pd.DataFrame) -> list[tuple[list[int], dict[str, Any]]]:
    """Rows grouped by order id (first appearance order): each order's data rows (1-based) and
    its JSON body of contracts §2."""
    out: dict[Any, tuple[list[int], dict[str, Any]]] = {}
    for i, row in enumerate(frame.to_dict("records")):
        key = row.get("order_id")
        if key not in out:
            lat, lon = row.get("dest_lat"), row.get("dest_lon")
            destination = (
                {"lat": _number(lat), "lon": _number(lon)}
                if lat is not None or lon is not None
                else {"zip": row.get("dest_zip")}
            )
            body: dict[str, Any] = {
                "order_id": key,
                "lines": [],
                "destination": destination,
                "promised_days": _number(row.get("promised_days")),
            }
            if row.get("ship_complete") is not None:
                body["ship_complete"] = str(row["ship_complete"]).strip().lower() in _TRUE
            for name in ("channel", "created_at"):
                if row.get(name) is not None:
                    body[name] = str(row[name])
            out[key] = ([], body)
        rows, body = out[key]
        rows.append(i + 1)
        body["lines"].append({"sku": row.get("sku"), "qty": _number(row.get("qty"))})
    return list(out.values())


def import_orders(oms: Oms, path: Path | str, *, allocation: str = "now") -> dict[str, Any]:
    """``{created, duplicates, rejected: [{row, column, message}]}`` for the file's orders."""
    path = Path(path)
    try:
        frame = read_table(path)
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the orders: {exc}", file=path.name) from None
    missing = [c for c in ("order_id", "sku", "qty", "promised_days") if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"no column '{missing[0]}'", file=path.name, fix="write the columns of contracts §2"
        )
    created = duplicates = 0
    rejected: list[dict[str, Any]] = []
    for rows, body in order_bodies(frame):
        try:
            _, new = create_order(oms, {**body, "allocation": allocation})
        except InvalidInput as exc:
            field = exc.column or ""
            row, column = rows[0], _COLUMNS.get(field, field)
            if field.startswith("lines["):
                k = int(field[6 : field.index("]")])
                row, column = rows[min(k, len(rows) - 1)], field.rsplit(".", 1)[-1]
            rejected.append({"row": row, "column": column or None, "message": exc.message})
            continue
        except (OrderConflict, Contention) as exc:
            rejected.append({"row": rows[0], "column": "order_id", "message": str(exc)})
            continue
        created += new
        duplicates += not new
    return {"created": created, "duplicates": duplicates, "rejected": rejected}
