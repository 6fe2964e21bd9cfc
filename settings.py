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
    # API keys expire at most this many days after they are made (and by default then).
    api_key_max_days: Annotated[int, Field(ge=1)] = 365

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
    # Webhook endpoints one user may own, and pings (pingWebhookEndpoint) per endpoint a minute.
    webhook_endpoints_per_user: Annotated[int, Field(ge=1)] = 20
    webhook_pings_per_minute: Annotated[int, Field(ge=1)] = 5
    # Live events (GraphQL subscriptions).
    redis_channel: str = "accountgraph:events"
    relay_poll_seconds: Annotated[float, Field(gt=0)] = 0.5
    relay_batch_size: Annotated[int, Field(ge=1, le=5000)] = 500
    resume_window_seconds: Annotated[int, Field(ge=0)] = 86_400
    max_subscriptions_per_connection: Annotated[int, Field(ge=1)] = 20
    websocket_init_timeout_seconds: Annotated[float, Field(gt=0)] = 5
    websocket_keep_alive_seconds: Annotated[float, Field(gt=0)] = 15


@lru_cache
def get_settings() -> Settings:
    return Settings()
