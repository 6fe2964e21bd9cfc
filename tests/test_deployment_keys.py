"""Outside development mode the server and the worker start only with keys of their own: the
published development keys would let anyone sign an administrator's token or read every
webhook secret of a database dump."""

import asyncio
import os
import socket
import subprocess
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.fernet import Fernet

from server import create_app
from settings import (
    DEVELOPMENT_SECRET_KEY,
    DEVELOPMENT_WEBHOOK_SECRETS_KEY,
    MissingDeploymentKeys,
    Settings,
    check_deployment_keys,
)
from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_events import Socket, prepare_database, start_server
from tests.live_server import ACCOUNTGRAPH, ADMIN_EMAIL, ADMIN_PASSWORD, free_port

OWN_SECRET_KEY = "a-deployment-of-its-own-" + "k" * 40
OWN_WEBHOOK_KEY = Fernet.generate_key().decode()
GENERATE_SECRET_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
GENERATE_WEBHOOK_KEY = (
    "python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
)
REFUSAL = (
    "AccountGraph will not start with these keys:\n"
    "  - ACCOUNTGRAPH_SECRET_KEY is not set (it signs access tokens); generate one with: "
    f"{GENERATE_SECRET_KEY}\n"
    "  - ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY is not set (it encrypts webhook secrets in the "
    f"database); generate one with: {GENERATE_WEBHOOK_KEY}\n"
    "For local development only, ACCOUNTGRAPH_DEVELOPMENT=true uses published keys.\n"
)


def environment_without_keys(tmp_path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {
            "ACCOUNTGRAPH_DEVELOPMENT",
            "ACCOUNTGRAPH_SECRET_KEY",
            "ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS",
            "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY",
        }
    }
    env["ACCOUNTGRAPH_DATABASE_URL"] = f"sqlite://{tmp_path / 'keys.db'}"
    env["COLUMNS"] = "500"
    return env


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_to_start_without_keys_of_their_own(command, tmp_path):
    port = free_port()
    args = (
        ["serve", "--host", "127.0.0.1", "--port", str(port)] if command == "serve" else [command]
    )

    finished = subprocess.run(
        [ACCOUNTGRAPH, *args],
        cwd=tmp_path,
        env=environment_without_keys(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 2
    assert finished.stderr == REFUSAL
    assert finished.stdout == ""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert not (tmp_path / "keys.db").exists()  # refused before touching the database


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_the_published_keys_set_explicitly_are_refused_too(command, tmp_path):
    env = environment_without_keys(tmp_path)
    env["ACCOUNTGRAPH_SECRET_KEY"] = DEVELOPMENT_SECRET_KEY
    env["ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY"] = DEVELOPMENT_WEBHOOK_SECRETS_KEY
    args = ["serve", "--port", str(free_port())] if command == "serve" else [command]

    finished = subprocess.run(
        [ACCOUNTGRAPH, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 2
    assert finished.stderr == (
        "AccountGraph will not start with these keys:\n"
        "  - ACCOUNTGRAPH_SECRET_KEY is not set (it signs access tokens); generate one with: "
        f"{GENERATE_SECRET_KEY}\n"
        "  - ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY holds the published development key\n"
        "For local development only, ACCOUNTGRAPH_DEVELOPMENT=true uses published keys.\n"
    )


@pytest.mark.parametrize(
    ("settings", "problems"),
    [
        ({"development": True}, []),
        ({"secret_key": OWN_SECRET_KEY, "webhook_secrets_key": [OWN_WEBHOOK_KEY]}, []),
        (
            {"secret_key": OWN_WEBHOOK_KEY, "webhook_secrets_key": [OWN_WEBHOOK_KEY]},
            ["ACCOUNTGRAPH_SECRET_KEY and ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY must be different keys"],
        ),
        (
            {
                "development": True,
                "webhook_secrets_key": [OWN_WEBHOOK_KEY, "not-a-fernet-key"],
                "previous_secret_keys": ["short"],
            },
            [
                "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY: key 2 is not a Fernet key (32 bytes in "
                f"URL-safe base64); generate one with: {GENERATE_WEBHOOK_KEY}",
                "ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS: key 1 is shorter than 32 characters",
            ],
        ),
    ],
)
def test_deployment_keys_are_checked(settings, problems):
    if not problems:
        check_deployment_keys(Settings(**settings))
        return
    with pytest.raises(MissingDeploymentKeys) as refused:
        check_deployment_keys(Settings(**settings))
    assert str(refused.value) == (
        "AccountGraph will not start with these keys:\n"
        + "".join(f"  - {problem}\n" for problem in problems)
        + "For local development only, ACCOUNTGRAPH_DEVELOPMENT=true uses published keys."
    )


def test_keys_are_read_from_the_environment_as_comma_separated_lists(monkeypatch):
    monkeypatch.setenv("ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY", f"{OWN_WEBHOOK_KEY}, {'b' * 43}=")
    monkeypatch.setenv("ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS", "x" * 32)
    settings = Settings()
    assert settings.webhook_secrets_key == [OWN_WEBHOOK_KEY, "b" * 43 + "="]
    assert settings.previous_secret_keys == ["x" * 32]


async def test_the_app_itself_refuses_to_start_without_keys(monkeypatch):
    """``uvicorn server:app`` run directly, without the command's check."""
    app = create_app(Settings(development=False))
    with pytest.raises(MissingDeploymentKeys):
        async with app.router.lifespan_context(app):
            pass


def forged_admin_token() -> str:
    """What anyone could sign with the published key (the first user is the administrator)."""
    at = datetime.now(UTC)
    claims = {"sub": "1", "typ": "access", "iat": at, "exp": at + timedelta(minutes=5)}
    return jwt.encode(claims, DEVELOPMENT_SECRET_KEY, algorithm="HS256")


async def test_a_token_signed_with_the_published_key_is_refused_by_a_server_with_its_own(
    tmp_path,
):
    url = (
        await create_postgres_database()
        if BACKEND == "postgres"
        else f"sqlite://{tmp_path / 'own.db'}"
    )
    env = await asyncio.to_thread(prepare_database, url, tmp_path)
    env.pop("ACCOUNTGRAPH_DEVELOPMENT")
    env.update(
        ACCOUNTGRAPH_SECRET_KEY=OWN_SECRET_KEY, ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY=OWN_WEBHOOK_KEY
    )
    server = await asyncio.to_thread(start_server, env, tmp_path)
    query = {"query": "{ viewer { email } }"}
    try:
        async with httpx.AsyncClient(base_url=server.base) as client:
            forged = await client.post(
                "/graphql", json=query, headers={"Authorization": f"Bearer {forged_admin_token()}"}
            )
            signed_in = await client.post(
                "/graphql",
                json={
                    "query": "mutation($e: String!, $p: String!) { login(input: "
                    "{email: $e, password: $p}) { accessToken } }",
                    "variables": {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
                },
            )
            token = signed_in.json()["data"]["login"]["accessToken"]
            genuine = await client.post(
                "/graphql", json=query, headers={"Authorization": f"Bearer {token}"}
            )
        async with Socket.open(server) as ws:
            await ws.send(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {forged_admin_token()}"},
                }
            )
            closed_with = await ws.closed_with()
    finally:
        server.stop()
        if BACKEND == "postgres":
            await drop_postgres_database(url)

    assert forged.status_code == 401
    assert forged.json() == {
        "errors": [
            {
                "message": "the access token is not valid; sign in again",
                "extensions": {"code": "UNAUTHENTICATED", "reason": "INVALID"},
            }
        ]
    }
    assert closed_with == 4403
    assert genuine.json() == {"data": {"viewer": {"email": ADMIN_EMAIL}}}
