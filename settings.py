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

    access_token_seconds: Annotated[int, Field(ge=30)] = 300
    refresh_token_days: Annotated[int, Field(ge=1)] = 30
    login_attempts_per_account: Annotated[int, Field(ge=1)] = 5
    login_attempts_per_address: Annotated[int, Field(ge=1)] = 20
    login_window_seconds: Annotated[int, Field(ge=1)] = 900

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
