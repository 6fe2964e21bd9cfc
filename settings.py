"""Deployment settings, read from environment variables prefixed ``ACCOUNTGRAPH_``."""

import base64
import json
import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Published, so usable only in development mode (ACCOUNTGRAPH_DEVELOPMENT=true): anyone could
# sign tokens with the first and read webhook secrets with the second.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-set-ACCOUNTGRAPH_SECRET_KEY-in-production"
DEVELOPMENT_WEBHOOK_SECRETS_KEY = "ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rLXNlY3JldHM="


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A list given in the environment as ``a,b,c``.
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]


# CORS (README, "For front-end teams": CORS). Browser origins are given as
# ``scheme://host[:port]``, either exactly or as patterns in which ``*`` stands for the
# letters, digits and hyphens of one host label (never a dot) or for a port.
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ORIGIN = re.compile(r"(?P<scheme>https?)://(?P<host>[a-z0-9.*-]+)(?::(?P<port>[0-9]{1,5}|\*))?")
_LABEL = re.compile(r"[a-z0-9*-]+")
_WILDCARD_LABEL = "[a-z0-9-]+"
_WILDCARD_PORT = "[0-9]{1,5}"

# Request headers a browser may send across origins: the API's own, validators of persisted
# GETs, W3C trace context and Sentry's, and Apollo's client awareness and CSRF headers.
DEFAULT_CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "If-None-Match",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
]
# Response headers a page's script may read besides the safelisted ones.
DEFAULT_CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "WWW-Authenticate"]


def _json_or_comma_separated(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip().startswith("["):
        return json.loads(value)
    return _comma_separated(value)


def _origin_parts(origin: str) -> re.Match[str]:
    parts = _ORIGIN.fullmatch(origin.strip().lower().rstrip("/"))
    if parts is None:
        raise ValueError(
            f"{origin!r} is not an origin: write scheme://host or scheme://host:port "
            "(http or https, no path), e.g. https://app.example.com"
        )
    return parts


def normalize_origin(origin: str) -> str:
    """An exact origin as browsers send it: lower case, no default port (or ``*``, any)."""
    if origin.strip() == "*":
        return "*"
    parts = _origin_parts(origin)
    if "*" in parts.group(0):
        raise ValueError(f"{origin!r} has a wildcard: put it in ACCOUNTGRAPH_CORS_ORIGIN_PATTERNS")
    port = parts["port"]
    if port is None or int(port) == _DEFAULT_PORTS[parts["scheme"]]:
        return f"{parts['scheme']}://{parts['host']}"
    return f"{parts['scheme']}://{parts['host']}:{int(port)}"


def origin_pattern_regex(pattern: str) -> str:
    """The anchored regular expression of an origin pattern such as
    ``https://*.preview.example.com`` or ``https://pr-*.example.com``: each ``*`` in the host
    matches the letters, digits and hyphens of one label, never a dot, so the first pattern
    takes ``https://pr-7.preview.example.com`` but neither ``https://a.b.preview.example.com``
    nor ``https://preview.example.com.evil.test``; a ``*`` port matches any port. The labels
    after the last wildcard must name a domain (two labels at least), so ``https://*.com``
    is refused."""
    parts = _origin_parts(pattern)
    labels = parts["host"].split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{pattern!r}: a host label is empty")
    wild = [index for index, label in enumerate(labels) if "*" in label]
    if wild and len(labels) - wild[-1] - 1 < 2:
        raise ValueError(
            f"{pattern!r}: a wildcard must be followed by a domain of two labels at least "
            "(https://*.preview.example.com), or it would allow any site"
        )
    host = r"\.".join(
        _WILDCARD_LABEL.join(re.escape(piece) for piece in label.split("*")) for label in labels
    )
    port = parts["port"]
    if port == "*":
        suffix = f"(?::{_WILDCARD_PORT})?"
    elif port is None or int(port) == _DEFAULT_PORTS[parts["scheme"]]:
        suffix = ""
    else:
        suffix = f":{int(port)}"
    return f"{parts['scheme']}://{host}{suffix}"


def _origins(values: list[str]) -> list[str]:
    return [normalize_origin(value) for value in values]


def _origin_patterns(values: list[str]) -> list[str]:
    for value in values:
        origin_pattern_regex(value)
    return [value.strip().lower().rstrip("/") for value in values]


def _header_names(values: list[str]) -> list[str]:
    for value in values:
        if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", value):
            raise ValueError(f"{value!r} is not a header name")
    return values


Origins = Annotated[
    list[str], NoDecode, BeforeValidator(_json_or_comma_separated), AfterValidator(_origins)
]
OriginPatterns = Annotated[
    list[str],
    NoDecode,
    BeforeValidator(_json_or_comma_separated),
    AfterValidator(_origin_patterns),
]
HeaderNames = Annotated[
    list[str], NoDecode, BeforeValidator(_json_or_comma_separated), AfterValidator(_header_names)
]


class Settings(BaseSettings):
    """Every knob of a deployment; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="ACCOUNTGRAPH_", extra="ignore")

    database_url: str = "sqlite://accountgraph.db"
    # How long a write waits for SQLite's write lock held by another process before it is
    # answered DATABASE_BUSY (nothing changed, try again).
    sqlite_busy_timeout_seconds: Annotated[float, Field(ge=0)] = 10
    redis_url: str | None = None
    # Development mode (make run, the test suite) may use the published keys above; outside it
    # serve and worker refuse to start without keys of their own (check_deployment_keys).
    development: bool = False
    # Signs access tokens (HMAC-SHA256, so at least 32 bytes).
    secret_key: Annotated[str, Field(min_length=32)] = DEVELOPMENT_SECRET_KEY
    # Earlier signing keys: tokens they signed are still accepted while a rotation overlaps.
    previous_secret_keys: CommaSeparated = []
    # Fernet keys encrypting webhook secrets at rest: the first encrypts, every one decrypts.
    webhook_secrets_key: CommaSeparated = []
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: CommaSeparated = []
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
    # CORS (README, "For front-end teams": CORS): exact origins (JSON list or comma-separated;
    # "*" for any), patterns for preview deployments, what may be sent and read, how long a
    # browser keeps a preflight's answer, and whether cookies go along (never with "*").
    cors_origins: Origins = []
    cors_origin_patterns: OriginPatterns = []
    cors_allow_headers: HeaderNames = DEFAULT_CORS_ALLOW_HEADERS
    cors_expose_headers: HeaderNames = DEFAULT_CORS_EXPOSE_HEADERS
    cors_max_age_seconds: Annotated[int, Field(ge=0, le=86_400)] = 600
    cors_allow_credentials: bool = False

    @model_validator(mode="after")
    def _no_credentials_for_any_origin(self) -> "Settings":
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError(
                'ACCOUNTGRAPH_CORS_ALLOW_CREDENTIALS cannot go with "*" in '
                "ACCOUNTGRAPH_CORS_ORIGINS: every site would act with the user's cookies"
            )
        return self

    # Responses of at least compression_minimum_bytes are gzip-compressed for clients that
    # accept it (README, "For front-end teams": compression).
    compress_responses: bool = True
    compression_minimum_bytes: Annotated[int, Field(ge=1)] = 1000
    compression_level: Annotated[int, Field(ge=1, le=9)] = 6
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
    # A used refresh token presented again this soon answers the same pair again (two tabs
    # refreshing at once); later it is a replay and ends the session. 0: strictly single use.
    refresh_grace_seconds: Annotated[float, Field(ge=0, le=300)] = 20
    # Sign-in limits (README, "Signing in"): failures of one account from one address, and of
    # one address over every account, before each further attempt waits a delay that doubles
    # from login_delay_seconds up to login_max_delay_seconds; counted failures are forgotten
    # login_window_seconds after the last wait ends. Argon2 runs in at most
    # password_hash_concurrency threads.
    login_attempts_per_account: Annotated[int, Field(ge=1)] = 5
    login_attempts_per_address: Annotated[int, Field(ge=1)] = 100
    login_delay_seconds: Annotated[int, Field(ge=1)] = 2
    login_max_delay_seconds: Annotated[int, Field(ge=1)] = 900
    login_window_seconds: Annotated[int, Field(ge=1)] = 900
    password_hash_concurrency: Annotated[int, Field(ge=1, le=64)] = 2
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
    # Faults of the database (README, "When the database is down"). PostgreSQL: the longest
    # statement, and the longest wait for a connection (opening one, or taking one from the
    # pool). Every GraphQL request over HTTP: the longest it may take. /readyz: the longest
    # its probe of the database may take. Retry-After of a 503, in seconds.
    database_statement_timeout_seconds: Annotated[float, Field(gt=0)] = 15
    database_acquire_timeout_seconds: Annotated[float, Field(gt=0)] = 5
    request_timeout_seconds: Annotated[float, Field(gt=0)] = 60
    readiness_timeout_seconds: Annotated[float, Field(gt=0, lt=1)] = 0.5
    retry_after_seconds: Annotated[int, Field(ge=0)] = 5

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

    # Persisted operations (README, "Persisted operations"): how many documents Automatic
    # Persisted Queries keep (least recently used go first; in Redis, shared by every process,
    # when redis_url is set, under this key prefix); a manifest of trusted documents (Relay
    # persistConfig, GraphQL Codegen persistedDocuments, Apollo); and whether only its
    # documents may run (no GraphiQL then).
    persisted_queries_max: Annotated[int, Field(ge=1)] = 1000
    persisted_queries_redis_prefix: str = "accountgraph:persisted-queries"
    trusted_documents: str | None = None
    trusted_documents_only: bool = False


class MissingDeploymentKeys(Exception):
    """The server or worker would run with published or unusable keys."""


GENERATE_SECRET_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
GENERATE_WEBHOOK_SECRETS_KEY = (
    "python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
)


def is_fernet_key(key: str) -> bool:
    """32 bytes in URL-safe base64, what ``cryptography.fernet.Fernet`` takes."""
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32 and len(key) == 44
    except (ValueError, UnicodeEncodeError):
        return False


def check_deployment_keys(settings: Settings) -> None:
    """Refuse the published development keys outside development mode.

    Anyone can sign an administrator's access token with the published secret key, and read
    every webhook secret of a database dump with the published encryption key.
    """
    problems = [
        f"ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY: key {number} is not a Fernet key (32 bytes in "
        f"URL-safe base64); generate one with: {GENERATE_WEBHOOK_SECRETS_KEY}"
        for number, key in enumerate(settings.webhook_secrets_key, start=1)
        if not is_fernet_key(key)
    ]
    problems += [
        f"ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS: key {number} is shorter than 32 characters"
        for number, key in enumerate(settings.previous_secret_keys, start=1)
        if len(key) < 32
    ]
    if not settings.development:
        if settings.secret_key == DEVELOPMENT_SECRET_KEY:
            problems.append(
                "ACCOUNTGRAPH_SECRET_KEY is not set (it signs access tokens); "
                f"generate one with: {GENERATE_SECRET_KEY}"
            )
        if not settings.webhook_secrets_key:
            problems.append(
                "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY is not set (it encrypts webhook secrets in "
                f"the database); generate one with: {GENERATE_WEBHOOK_SECRETS_KEY}"
            )
        if DEVELOPMENT_WEBHOOK_SECRETS_KEY in settings.webhook_secrets_key:
            problems.append("ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY holds the published development key")
    if settings.secret_key in settings.webhook_secrets_key:
        problems.append(
            "ACCOUNTGRAPH_SECRET_KEY and ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY must be different keys"
        )
    if problems:
        raise MissingDeploymentKeys(
            "AccountGraph will not start with these keys:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
            + "\nFor local development only, ACCOUNTGRAPH_DEVELOPMENT=true uses published keys."
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
