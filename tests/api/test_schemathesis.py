"""Property-based fuzzing of the whole API from its own /openapi.json (schemathesis).

Every operation gets valid (positive) and invalid (negative) generated requests over real HTTP;
whatever they hold, the service must never answer 5xx.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.api.conftest import LiveServer

EXAMPLES_PER_MODE = 45


@pytest.mark.slow
def test_no_5xx_over_a_thousand_generated_requests(
    live_server: Callable[..., LiveServer],
) -> None:
    """At least 1,000 generated requests across every operation and no 5xx answer."""
    server = live_server({})
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    session = requests.Session()
    sent: list[int] = []
    server_errors: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in schemathesis.GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_MODE,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def probe(case: schemathesis.Case) -> None:
                response = case.call(base_url=server.url, session=session, timeout=30)
                sent.append(response.status_code)
                if response.status_code >= 500:
                    server_errors.append(f"{case.operation.label}: {response.status_code} {case}")

            try:
                probe()
            except Unsatisfiable:  # nothing to negate: e.g. GET /healthz has no inputs
                continue
    print(f"schemathesis: {len(sent)} requests, statuses {sorted(set(sent))}")
    assert not server_errors, server_errors[:5]
    assert len(sent) >= 1000
