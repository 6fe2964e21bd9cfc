"""The real application, served by uvicorn with its lifespan, over real HTTP."""

import httpx
import pytest

from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD, live_server


@pytest.fixture(scope="module")
async def server_url(tmp_path_factory):
    """A server on its own database, so the suite's clean-up between tests never touches it."""
    workdir = tmp_path_factory.mktemp("live")
    if BACKEND == "postgres":
        url = await create_postgres_database()
    else:
        url = f"sqlite://{workdir / 'live.db'}"
    with live_server(url, workdir) as base:
        yield base
    if BACKEND == "postgres":
        await drop_postgres_database(url)


def test_health_and_readiness(server_url):
    assert httpx.get(f"{server_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server_url}/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})


def sign_in(server_url: str) -> dict[str, str]:
    """Sign in as the administrator the live server was set up with (by the command line)."""
    login = httpx.post(
        f"{server_url}/graphql",
        json={
            "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }",
            "variables": {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
        },
    )
    return {"Authorization": f"Bearer {login.json()['data']['login']['accessToken']}"}


def test_a_request_through_the_lifespan_reaches_the_database(server_url):
    response = httpx.post(
        f"{server_url}/graphql",
        json={"query": "{ pipelines { name stages { name } } }"},
        headers=sign_in(server_url),
    )
    assert response.status_code == 200
    pipelines = response.json()["data"]["pipelines"]
    assert [p["name"] for p in pipelines] == ["New business", "Expansion", "Renewal"]
    assert [s["name"] for s in pipelines[0]["stages"]] == [
        "Prospecting",
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
        "Closed won",
        "Closed lost",
    ]


def test_get_runs_queries_but_never_mutations(server_url):
    auth = sign_in(server_url)
    query = httpx.get(
        f"{server_url}/graphql", params={"query": "{ pipelines { name } }"}, headers=auth
    )
    assert query.status_code == 200
    mutation = httpx.get(
        f"{server_url}/graphql",
        params={"query": 'mutation { createCompetitor(input: {name: "X"}) { competitor { id } } }'},
        headers=auth,
    )
    assert mutation.status_code == 405
    check = httpx.post(
        f"{server_url}/graphql", json={"query": "{ competitors { totalCount } }"}, headers=auth
    )
    assert check.json()["data"]["competitors"]["totalCount"] == 0


def test_graphiql_is_served_to_browsers(server_url):
    page = httpx.get(f"{server_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql-assets" in page.text


def metric_value(text: str, name: str, labels: str) -> float:
    """The value of one sample of the Prometheus text exposition, 0 when it is absent."""
    for line in text.splitlines():
        if line.startswith(f"{name}{{{labels}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_and_status(server_url):
    before = httpx.get(f"{server_url}/metrics").text
    httpx.get(f"{server_url}/healthz")
    httpx.get(f"{server_url}/healthz")
    httpx.get(f"{server_url}/no-such-page")
    response = httpx.get(f"{server_url}/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    after = response.text
    healthz = 'method="GET",route="/healthz",status="200"'
    unknown = 'method="GET",route="other",status="404"'
    name = "accountgraph_http_requests_total"
    assert metric_value(after, name, healthz) - metric_value(before, name, healthz) == 2
    assert metric_value(after, name, unknown) - metric_value(before, name, unknown) == 1
    assert "/no-such-page" not in after
    assert (
        'accountgraph_http_request_duration_seconds_count{method="GET",route="/healthz"}' in after
    )
