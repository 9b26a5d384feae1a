"""Concurrent clients creating, cancelling and shipping orders over HTTP, while replicas are
killed: what the crash tests drive and what they check afterwards."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

SKUS = ["TEE", "MUG", "LAMP", "GIFT"]
ZIPS = ["10001", "89501", "02116", "30303"]


@dataclass
class Outcomes:
    """What the clients saw: every order answered 201, and answers no client may get."""

    created: set[str] = field(default_factory=set)
    server_errors: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client_loop(
    k: int,
    urls: Callable[[], list[str]],
    until: float,
    out: Outcomes,
    seed: int,
    stop: threading.Event,
) -> None:
    rng = random.Random(seed * 1000 + k)
    n = 0
    while time.monotonic() < until and not stop.is_set():
        n += 1
        order_id = f"C{seed}-{k}-{n}"
        body = {
            "order_id": order_id,
            "lines": [
                {"sku": rng.choice(SKUS), "qty": rng.randint(1, 2)}
                for _ in range(rng.randint(1, 2))
            ],
            "destination": {"zip": rng.choice(ZIPS)},
            "promised_days": 3,
        }
        try:
            with httpx.Client(base_url=rng.choice(urls()), timeout=10) as http:
                answer = http.post("/v1/orders", json=body)
                _note(out, answer, order_id)
                if answer.status_code not in (200, 201):
                    continue
                order = answer.json()
                roll = rng.random()
                if roll < 0.3:
                    _note(out, http.post(f"/v1/orders/{order_id}/cancel"))
                elif roll < 0.7:
                    for f in order["fulfillments"]:
                        _note(
                            out,
                            http.post(
                                "/v1/fulfillments/release",
                                json={"fc_id": f["fc_id"], "max_orders": 5},
                            ),
                        )
                    order = http.get(f"/v1/orders/{order_id}").json()
                    for f in order["fulfillments"]:
                        if f["status"] != "released":
                            continue
                        lines = [
                            {"line_no": x["line_no"], "picked_qty": x["qty"]} for x in f["lines"]
                        ]
                        _note(
                            out,
                            http.post(
                                f"/v1/fulfillments/{f['fulfillment_id']}/pick",
                                json={"lines": lines},
                            ),
                        )
                        _note(out, http.post(f"/v1/fulfillments/{f['fulfillment_id']}/ship"))
        except (httpx.TransportError, ValueError):
            time.sleep(0.05)  # the replica died under us: its answer is unknown


def _note(out: Outcomes, answer: httpx.Response, created: str | None = None) -> None:
    with out.lock:
        out.requests += 1
        if answer.status_code == 201 and created is not None:
            out.created.add(created)
        if answer.status_code >= 500 and answer.status_code != 503:
            out.server_errors.append(
                f"{answer.request.url.path}: {answer.status_code} {answer.text[:200]}"
            )


def run_load(
    urls: Callable[[], list[str]],
    seconds: float,
    stop: threading.Event,
    *,
    clients: int = 32,
    seed: int = 0,
) -> tuple[Outcomes, list[threading.Thread]]:
    """Start ``clients`` threads for at most ``seconds`` (or until ``stop`` is set); returns
    their outcomes and the threads."""
    out = Outcomes()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client_loop, args=(k, urls, until, out, seed, stop), daemon=True)
        for k in range(clients)
    ]
    for t in threads:
        t.start()
    return out, threads
