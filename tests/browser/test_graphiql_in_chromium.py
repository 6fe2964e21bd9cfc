"""GraphiQL in Chromium, as a developer uses it: sign in with the login mutation, put the
token in the Headers tab, run a query, start opportunityStageChanged, move a deal through the
API and see the event in the result pane; a subscription the server refuses shows the close
code and reason there instead of spinning."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.browser.conftest import api_server
from tests.live_events import TRANSPORT_WS, Server, World, make_world, until_subscribed
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".result-window .CodeMirror"
SUBSCRIPTION = (
    "subscription Moves { opportunityStageChanged "
    "{ eventId opportunity { name } fromStage { name } toStage { name } } }"
)


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    async with api_server(Path(tmp_path_factory.mktemp("graphiql")), {}) as started:
        yield started


@pytest.fixture(scope="module")
async def world(server: Server) -> AsyncIterator[World]:
    made = await make_world(server.base)
    try:
        yield made
    finally:
        await made.admin.aclose()


async def open_graphiql(page: Page, server: Server) -> None:
    await page.goto(f"{server.base}/graphql")
    await page.wait_for_selector(QUERY_EDITOR)


async def type_into(page: Page, editor: str, text: str) -> None:
    """Replace an editor's text as a person would: click, select all, type (as one input,
    so that the editor's closing of brackets does not add to it)."""
    await page.click(f"{editor} .CodeMirror-lines")
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)
    await page.wait_for_function(
        "([editor, text]) => document.querySelector(editor).CodeMirror.getValue() === text",
        arg=[editor, text],
    )


async def run(page: Page, document: str) -> None:
    """Type a document into the query editor and run it (the play button)."""
    await type_into(page, QUERY_EDITOR, document)
    # GraphiQL parses the document on its own time; run only what it has read.
    await page.wait_for_function(
        "([editor, text]) => {"
        "  const ast = document.querySelector(editor).CodeMirror.documentAST;"
        "  return !!ast && ast.loc.source.body === text;"
        "}",
        arg=[QUERY_EDITOR, document],
    )
    await page.click(".graphiql-execute-button")


async def set_headers(page: Page, headers: dict[str, str]) -> None:
    await page.get_by_role("button", name="Headers").click()
    await type_into(page, HEADERS_EDITOR, json.dumps(headers))


async def result(page: Page, containing: str, within: float = 10) -> Any:
    """The result pane's JSON, once it contains ``containing``."""
    await page.wait_for_function(
        "([pane, text]) => document.querySelector(pane).CodeMirror.getValue().includes(text)",
        arg=[RESULT, containing],
        timeout=within * 1000,
    )
    return json.loads(
        await page.evaluate(f"document.querySelector({RESULT!r}).CodeMirror.getValue()")
    )


async def sign_in(page: Page) -> str:
    await run(
        page,
        f'mutation SignIn {{ login(input: {{email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}"}}) '
        "{ accessToken errors { message } } }",
    )
    answer = await result(page, "accessToken")
    assert answer["data"]["login"]["errors"] == []
    return answer["data"]["login"]["accessToken"]


async def test_a_signed_in_graphiql_runs_a_query_and_receives_a_stage_change(
    page: Page, server: Server, world: World
):
    await open_graphiql(page, server)
    token = await sign_in(page)
    await set_headers(page, {"Authorization": f"Bearer {token}"})

    await run(page, "query Me { viewer { email } }")
    assert await result(page, ADMIN_EMAIL) == {"data": {"viewer": {"email": ADMIN_EMAIL}}}

    await run(page, SUBSCRIPTION)
    await until_subscribed(server, 1)
    deal = world.deals["a"][0]
    event_id = await world.move(deal, "Qualification")
    assert await result(page, event_id, within=20) == {
        "data": {
            "opportunityStageChanged": {
                "eventId": event_id,
                "opportunity": {"name": "a deal 0"},
                "fromStage": {"name": "Prospecting"},
                "toStage": {"name": "Qualification"},
            }
        }
    }
    await page.click(".graphiql-execute-button")  # stop
    await until_subscribed(server, 0)


async def close_of_a_socket_signed_in_with(server: Server, payload: dict[str, str]) -> tuple:
    """The close code and reason with which the server ends a socket whose connection_init
    carries ``payload``, seen by a plain WebSocket client."""
    async with connect(server.ws_url, subprotocols=[TRANSPORT_WS]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.mark.parametrize(
    ("headers", "connection_init"),
    [
        ({}, {}),
        ({"Authorization": "Bearer not-a-token"}, {"authorization": "Bearer not-a-token"}),
        ({"authorization": "Basic YWRtaW46YWRtaW4="}, {"authorization": "Basic YWRtaW46YWRtaW4="}),
    ],
    ids=["no-authorization", "unknown-token", "not-bearer"],
)
async def test_a_refused_subscription_shows_why_in_the_result_pane(
    page: Page, server: Server, headers: dict[str, str], connection_init: dict[str, str]
):
    code, reason = await close_of_a_socket_signed_in_with(server, connection_init)
    await open_graphiql(page, server)
    if headers:
        await set_headers(page, headers)
    await run(page, SUBSCRIPTION)
    assert await result(page, "closeCode", within=5) == {
        "errors": [
            {
                "message": f"The subscription socket was closed: {code} {reason}".strip(),
                "extensions": {"closeCode": code, "closeReason": reason},
            }
        ]
    }
    # Finished, not spinning: the play button is back.
    await page.wait_for_selector(".graphiql-execute-button[aria-label^='Execute']")
