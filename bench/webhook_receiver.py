"""The benchmark's webhook receiver: a bare ASGI app under uvicorn, in its own process, so that
the receiver is not what limits the figures. POST anywhere: 204, and the webhook-id is kept
with its arrival time. GET /count: how many arrived. GET /received: [[webhook-id, time], ...]."""

import json
import time
from typing import Any

received: list[tuple[str, float]] = []


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if scope["method"] == "POST":
        headers = dict(scope["headers"])
        received.append((headers.get(b"webhook-id", b"").decode(), time.time()))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    body = json.dumps(len(received) if scope["path"] == "/count" else received).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
