"""Deployment settings, read from environment variables prefixed ``ACCOUNTGRAPH_``."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a deployment; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="ACCOUNTGRAPH_", extra="ignore")

    database_url: str = "sqlite://accountgraph.db"
    redis_url: str | None = None
    secret_key: str = "change-me-in-production"
    base_currency: str = "USD"
    host: str = "127.0.0.1"
    port: int = 8000

    default_page_size: int = Field(20, ge=1)
    max_page_size: int = Field(100, ge=1)
    max_query_depth: int = Field(12, ge=1)
    max_query_tokens: int = Field(2000, ge=1)
    max_aliases: int = Field(30, ge=1)
    max_body_bytes: int = Field(1_000_000, ge=1)
    introspection: bool = True
    cors_origins: list[str] = []
    webhook_allow_private: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
