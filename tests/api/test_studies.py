"""``/v1/studies``: a study as JSON or YAML in, a job out, its status and files; bad studies 422
naming the key."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TINY, LiveServer, MakeClient, Workers

# the embedded default runs studies in-process; the Redis case is the live test at the end
embedded = pytest.mark.parametrize("store_url", [None], ids=["memory"])

STUDY = {
    "name": "tiny",
    "demand": {"orders_per_day": 30},
    "seeds": [1, 2],
    "modes": ["online", "greedy"],
    "work_limit": 5000,
    "scenarios": {"base": {}, "no-ewr": {"nodes": {"EWR": {"enabled": False}}}},
}


def _wait(client: TestClient, url: str) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["status"] in ("finished", "failed"):
            return dict(body)
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


@pytest.fixture
def client(make_client: MakeClient, tmp_path) -> TestClient:  # type: ignore[no-untyped-def]
    return make_client(data_dir=tmp_path)


@embedded
def test_a_study_as_json_runs_and_serves_its_files(client: TestClient) -> None:
    """202 with a job; the status reaches finished with progress 1 and the files' links."""
    answer = client.post("/v1/studies", json=STUDY)
    assert answer.status_code == 202, answer.text
    assert answer.json()["runs"] == 2 * 3 * 2
    body = _wait(client, answer.json()["url"])
    assert body["status"] == "finished" and body["progress"] == 1.0, body
    files = body["files"]
    assert isinstance(files, dict) and {"kpis.csv", "summary.csv", "report.html"} <= set(files)
    kpis = client.get(files["kpis.csv"])
    assert kpis.status_code == 200 and kpis.text.startswith("scenario,mode,seed,day,orders")
    assert len(kpis.text.strip().splitlines()) == 1 + 12
    page = client.get(files["report.html"])
    assert page.headers["content-type"].startswith("text/html") and "<svg" in page.text


@embedded
def test_a_study_as_yaml_is_accepted(client: TestClient) -> None:
    text = "demand: {orders_per_day: 20}\nmodes: [online]\nwork_limit: 2000\n"
    answer = client.post("/v1/studies", content=text, headers={"Content-Type": "application/yaml"})
    assert answer.status_code == 202, answer.text
    assert _wait(client, answer.json()["url"])["status"] == "finished"


@embedded
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scenarios": {"x": {"nodes": {"NOPE": {"enabled": False}}}}}, "scenarios.x.nodes.NOPE"),
        ({"scenarios": {"x": {"demand": {"multiply": -2}}}}, "scenarios.x.demand.multiply"),
        ({"sweep": {"parameter": "policy.nope", "values": [1]}}, "sweep.parameter"),
        ({"orders": "orders.csv"}, "orders"),
        ({"network": "/etc"}, "network"),
        ({"seeds": 1000, "days": 10}, "seeds"),
    ],
)
def test_a_bad_study_is_422_naming_the_key(
    client: TestClient, change: dict[str, object], field: str
) -> None:
    answer = client.post("/v1/studies", json={**STUDY, **change})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


@embedded
def test_unknown_study_is_404(client: TestClient) -> None:
    assert client.get("/v1/studies/nope").status_code == 404
    assert client.get("/v1/studies/nope/kpis.csv").status_code == 404


@pytest.mark.redis
@pytest.mark.slow
def test_with_redis_a_dom_worker_runs_the_study_for_any_replica(
    redis_url: str,
    live_server: Callable[..., LiveServer],
    rq_workers: Callable[[dict[str, str]], Workers],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """Posted to one replica, run by `dom worker`, its kpis.csv read from another."""
    env = {"DOM_REDIS_URL": redis_url, "DOM_NETWORK_DIR": str(TINY), "DOM_DATA_DIR": str(tmp_path)}
    first, second = live_server(env), live_server(env)
    rq_workers(env).start()
    answer = httpx.post(first.url + "/v1/studies", json=STUDY, timeout=30)
    assert answer.status_code == 202, answer.text
    deadline = time.monotonic() + 180
    while True:
        body = httpx.get(second.url + answer.json()["url"], timeout=30).json()
        if body["status"] in ("finished", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert body["status"] == "finished", body
    kpis = httpx.get(second.url + body["files"]["kpis.csv"], timeout=30)
    assert kpis.status_code == 200 and len(kpis.text.strip().splitlines()) == 13
