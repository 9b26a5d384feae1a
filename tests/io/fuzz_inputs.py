"""Coverage-guided fuzzing (atheris, libFuzzer) of what users send: JSON orders, order files,
bundle files, and request bodies to the service. Run by ``test_fuzz.py``; by hand:
``python tests/io/fuzz_inputs.py json|csv|bundle|http -runs=N``.

Each input is built from the fuzzer's bytes into one of the shapes users get wrong: a mutation of a
valid order or file (a field or cell replaced by a huge number, a control character, a wrong
type, a deep nesting, a quote or separator), raw JSON text, or a random JSON value. Any exception
other than the project's own input errors (``dom.errors.DomError``) is a crash: libFuzzer stops
and prints the input and the traceback, and the process exits non-zero.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import atheris

with atheris.instrument_imports(include=["dom"]):
    from dom.errors import DomError
    from dom.io import load_network, load_orders, order_from_json, parse_json

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
GOOD_ORDER: dict[str, Any] = {
    "order_id": "C3",
    "lines": [{"sku": "LAMP", "qty": 1}, {"sku": "TEE", "qty": 2}],
    "destination": {"zip": "02134"},
    "promised_days": 2,
    "ship_complete": True,
    "channel": "web",
    "created_at": "2026-03-02T14:05:00Z",
}
NASTY_NUMBERS = (10**19, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, 10**400, 1e308, -0.0, 1e-320)
NASTY_TEXT = ("", " ", "\x00", "\x1b[2J", "\u202e", "\ufeff", "a\nb", '"', ",", "é" * 200, "1e999")
NASTY_CELLS = (
    "99999999999999999999999", "1e400", "-1", "nan", "inf", "0x10", "1,5", '"', '""', "\x00",
    "\x07", "\r", "ab\ncd", "\ufffd", "true", " ", "1" * 200, "2.5", "１",
)  # fmt: skip


def nasty(fdp: atheris.FuzzedDataProvider, depth: int = 0) -> Any:
    """A JSON-ish value: mostly the kinds users get wrong, sometimes nested."""
    kind = fdp.ConsumeIntInRange(0, 11)
    if kind == 0:
        return fdp.PickValueInList(list(NASTY_NUMBERS))
    if kind == 1:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 80))
    if kind == 2:
        return fdp.ConsumeFloat()
    if kind == 3:
        return fdp.PickValueInList(list(NASTY_TEXT))
    if kind == 4:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40))
    if kind == 5:
        return fdp.ConsumeBool()
    if kind == 6:
        return None
    if kind == 7 and depth < 4:
        return [nasty(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    if kind == 8 and depth < 4:
        keys = ["sku", "qty", "zip", "lat", "lon", "order_id", fdp.ConsumeUnicodeNoSurrogates(6)]
        return {fdp.PickValueInList(keys): nasty(fdp, depth + 1) for _ in range(3)}
    if kind == 9:  # nested deeper than any parser should follow
        value: Any = 1
        for _ in range(fdp.ConsumeIntInRange(50, 1500)):
            value = [value]
        return value
    return fdp.ConsumeIntInRange(-5, 400)


def mutated_order(fdp: atheris.FuzzedDataProvider) -> Any:
    """The good order with a few fields, lines or destination parts replaced or deleted."""
    order = json.loads(json.dumps(GOOD_ORDER))
    lines, dest = order["lines"], order["destination"]
    for _ in range(fdp.ConsumeIntInRange(1, 3)):
        where = fdp.ConsumeIntInRange(0, 3)
        if where == 0:
            target = order
            key = fdp.PickValueInList([*GOOD_ORDER, "allocation", "Order_ID"])
        elif where == 1:
            target = lines[fdp.ConsumeIntInRange(0, 1)]
            key = fdp.PickValueInList(["sku", "qty", "extra"])
        elif where == 2:
            target, key = dest, fdp.PickValueInList(["zip", "lat", "lon"])
        else:
            order["lines"] = lines * fdp.PickValueInList([0, 2, 499, 500, 501])
            continue
        if fdp.ConsumeBool():
            target.pop(key, None)
        else:
            target[key] = nasty(fdp)
    return order


def json_input(data: bytes) -> None:
    """One JSON order: mutated, random, or raw text through the same parser the service uses."""
    fdp = atheris.FuzzedDataProvider(data)
    shape = fdp.ConsumeIntInRange(0, 3)
    try:
        if shape == 0:
            order_from_json(nasty(fdp), NETWORK)
        elif shape == 1:
            text = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 400))
            order_from_json(parse_json(text), NETWORK)
        elif shape == 2:  # as the service gets it: text, parsed by the project's parser
            try:
                text = json.dumps(mutated_order(fdp)).encode()
            except RecursionError:  # too deep for the encoder: the text a client could send
                text = b"[" * 100_000 + b"]" * 100_000
            order_from_json(parse_json(text), NETWORK)
        else:
            order_from_json(mutated_order(fdp), NETWORK)
    except DomError:
        pass


def _json_body(fdp: atheris.FuzzedDataProvider) -> bytes:
    """A request body: a mutated order or a random value as JSON text, or raw bytes."""
    shape = fdp.ConsumeIntInRange(0, 2)
    if shape == 2:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 300))
    try:
        return json.dumps(mutated_order(fdp) if shape == 0 else nasty(fdp)).encode()
    except RecursionError:
        return b"[" * 100_000 + b"]" * 100_000


def http_input(data: bytes) -> None:
    """One request to the service's routing or batch endpoint: never an answer of 5xx."""
    fdp = atheris.FuzzedDataProvider(data)
    body = _json_body(fdp)
    if fdp.ConsumeBool():
        url = "/v1/route?reserve=" + fdp.PickValueInList(["true", "false", "maybe"])
    else:
        url, body = "/v1/allocations", b'{"method": "greedy", "orders": [' + body + b"]}"
    answer = CLIENT.post(url, content=body, headers={"Content-Type": "application/json"})
    if answer.status_code >= 500:
        raise AssertionError(f"{url} answered {answer.status_code}: {answer.text[:300]}")


def _cells(fdp: atheris.FuzzedDataProvider, text: str) -> str:
    """``text`` (a CSV file) with a few cells, lines or header names replaced."""
    rows = [line.split(",") for line in text.splitlines()]
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        r = fdp.ConsumeIntInRange(0, len(rows) - 1)
        c = fdp.ConsumeIntInRange(0, len(rows[r]) - 1)
        choice = fdp.ConsumeIntInRange(0, 5)
        if choice <= 2:
            rows[r][c] = fdp.PickValueInList(list(NASTY_CELLS))
        elif choice == 3:
            rows[r][c] = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 12))
        elif choice == 4:
            del rows[r][c]
        else:
            rows.insert(r, list(rows[r]))
    return "\n".join(",".join(row) for row in rows) + "\n"


def _write(path: Path, fdp: atheris.FuzzedDataProvider, text: str) -> None:
    body = _cells(fdp, text).encode("utf-8", "surrogatepass")
    if fdp.ConsumeIntInRange(0, 15) == 0:
        body = body.replace(b"e", b"\xff")  # not UTF-8
    path.write_bytes(body)


def csv_input(data: bytes) -> None:
    """One order file: the tiny orders with cells broken, read as CSV."""
    fdp = atheris.FuzzedDataProvider(data)
    path = WORK / "orders.csv"
    _write(path, fdp, ORDERS_TEXT)
    with contextlib.suppress(DomError):
        load_orders(path, NETWORK)


def bundle_input(data: bytes) -> None:
    """One bundle with one of its CSV files broken."""
    fdp = atheris.FuzzedDataProvider(data)
    name = fdp.PickValueInList(sorted(BUNDLE_TEXT))
    _write(WORK / "bundle" / name, fdp, BUNDLE_TEXT[name])
    try:
        load_network(WORK / "bundle")
    except DomError:
        pass
    finally:
        (WORK / "bundle" / name).write_text(BUNDLE_TEXT[name])


TARGETS = {"json": json_input, "csv": csv_input, "bundle": bundle_input, "http": http_input}

if __name__ == "__main__":
    NETWORK = load_network(TINY)
    WORK = Path(tempfile.mkdtemp(prefix="dom-fuzz-"))
    shutil.copytree(TINY, WORK / "bundle")
    ORDERS_TEXT = (TINY / "orders.csv").read_text()
    BUNDLE_TEXT = {
        p.name: p.read_text() for p in sorted(TINY.glob("*.csv")) if "orders" not in p.name
    }
    target = TARGETS[sys.argv.pop(1)]
    if target is http_input:
        from fastapi.testclient import TestClient

        from api.app import create_app
        from api.settings import Settings

        CLIENT = TestClient(
            create_app(Settings(network_dir=TINY)),  # type: ignore[call-arg]
            client=("127.0.0.1", 50000),
            raise_server_exceptions=False,
        )
    try:
        atheris.Setup(sys.argv, target)
        atheris.Fuzz()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
