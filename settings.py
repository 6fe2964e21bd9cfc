"""Deployment settings, read from environment variables prefixed ``ACCOUNTGRAPH_``."""

from functools import lru_cache
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a deployment; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="ACCOUNTGRAPH_", extra="ignore")

    database_url: str = "sqlite://accountgraph.db"
    redis_url: str | None = None
    # Signs access tokens (HMAC-SHA256, so at least 32 bytes). The default is for development
    # only; a deployment sets its own.
    secret_key: Annotated[str, Field(min_length=32)] = (
        "development-only-secret-key-set-ACCOUNTGRAPH_SECRET_KEY-in-production"
    )
    base_currency: str = "USD"
    host: str = "127.0.0.1"
    port: int = 8000

    default_page_size: Annotated[int, Field(ge=1)] = 20
    max_page_size: Annotated[int, Field(ge=1)] = 100
    max_query_depth: Annotated[int, Field(ge=1)] = 12
    max_query_tokens: Annotated[int, Field(ge=1)] = 2000
    max_aliases: Annotated[int, Field(ge=1)] = 30
    max_directives: Annotated[int, Field(ge=0)] = 50
    max_query_cost: Annotated[int, Field(ge=1)] = 50_000
    max_body_bytes: Annotated[int, Field(ge=1)] = 1_000_000
    introspection: bool = True
    field_suggestions: bool = True
    cors_origins: list[str] = []
    webhook_allow_private: bool = False

    # Lead import (accountgraph import-leads, importLeads): rows per all-or-nothing batch, the
    # owner of imported leads when the command line names none, the largest upload, and how
    # many rejected rows a response lists (the counts are always complete).
    import_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 500
    import_default_owner: str | None = None
    max_upload_bytes: Annotated[int, Field(ge=1)] = 25_000_000
    import_listed_rejections: Annotated[int, Field(ge=0)] = 1000

    access_token_seconds: Annotated[int, Field(ge=30)] = 300
    refresh_token_days: Annotated[int, Field(ge=1)] = 30
    login_attempts_per_account: Annotated[int, Field(ge=1)] = 5
    login_attempts_per_address: Annotated[int, Field(ge=1)] = 20
    login_window_seconds: Annotated[int, Field(ge=1)] = 900

    # Seconds between background re-evaluations of account health; 0 turns them off.
    health_refresh_seconds: Annotated[int, Field(ge=0)] = 3600
    # Webhook delivery (README, "Webhooks"). Delays in seconds before the 2nd, 3rd, ...
    # attempt: the Standard Webhooks example schedule, about 28 hours in all.
    webhook_retry_schedule: list[Annotated[float, Field(ge=0)]] = [
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        36000,
    ]
    webhook_retry_jitter: Annotated[float, Field(ge=0, le=0.5)] = 0.2
    webhook_connect_timeout: Annotated[float, Field(gt=0, le=20)] = 5
    webhook_read_timeout: Annotated[float, Field(gt=0, le=20)] = 15
    webhook_lease_seconds: Annotated[float, Field(ge=1)] = 60
    webhook_retention_days: Annotated[float, Field(gt=0)] = 30
    webhook_disable_after_hours: Annotated[float, Field(gt=0)] = 120
    webhook_rotation_overlap_hours: Annotated[float, Field(ge=0)] = 24
    webhook_poll_seconds: Annotated[float, Field(gt=0)] = 0.5
    webhook_batch_size: Annotated[int, Field(ge=1, le=1000)] = 100
    webhook_concurrency: Annotated[int, Field(ge=1, le=1000)] = 20
    webhook_dispatch_in_server: bool = True
    # Live events (GraphQL subscriptions).
    redis_channel: str = "accountgraph:events"
    relay_poll_seconds: Annotated[float, Field(gt=0)] = 0.5
    relay_batch_size: Annotated[int, Field(ge=1, le=5000)] = 500
    resume_window_seconds: Annotated[int, Field(ge=0)] = 86_400
    max_subscriptions_per_connection: Annotated[int, Field(ge=1)] = 20
    websocket_init_timeout_seconds: Annotated[float, Field(gt=0)] = 5
    websocket_keep_alive_seconds: Annotated[float, Field(gt=0)] = 15

    # Slow and large requests (README, "Security"): the most time a POST body may take to
    # arrive, the largest WebSocket message before the socket has signed in, and what
    # `accountgraph serve` passes to uvicorn: most connections at once (then 503), seconds an
    # idle keep-alive connection stays open, largest WebSocket message, largest incomplete
    # HTTP event (request line and headers; uvicorn's h11 implementation).
    body_timeout_seconds: Annotated[float, Field(gt=0)] = 30
    websocket_max_bytes_before_sign_in: Annotated[int, Field(ge=1024)] = 65_536
    limit_concurrency: Annotated[int, Field(ge=1)] | None = None
    timeout_keep_alive: Annotated[int, Field(ge=1)] = 5
    ws_max_size: Annotated[int, Field(ge=1024)] = 1_048_576
    h11_max_incomplete_event_size: Annotated[int, Field(ge=1024)] = 16_384

    # Exposure (README, "Security"): /metrics needs this bearer token when it is set, and is
    # served on a listener of its own (and not on the API's) when metrics_port is set.
    metrics_token: Annotated[str, Field(min_length=16)] | None = None
    metrics_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    metrics_host: str = "127.0.0.1"
    # GraphiQL at /graphql for browsers; introspection for callers who have not signed in.
    graphiql: bool = True
    introspection_anonymous: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
