"""Persisted operations: Automatic Persisted Queries and trusted documents.

A request may name its document instead of sending it:

* **Automatic Persisted Queries** (APQ, as Apollo Client's persisted-queries link speaks
  it): ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``. A hash the
  server does not know is answered ``PersistedQueryNotFound`` (code
  ``PERSISTED_QUERY_NOT_FOUND``, status 200 and ``Cache-Control: private, no-cache,
  must-revalidate``, as Apollo Server answers it), and the link sends the request again
  with the query text; the text is checked against the hash (``PERSISTED_QUERY_HASH_MISMATCH``,
  400 otherwise), run, and stored once it has passed every document limit, so the next
  hash-only request runs it.
* **Trusted documents**: a manifest built with the front end (``ACCOUNTGRAPH_TRUSTED_DOCUMENTS``:
  Relay's ``persistConfig`` file and GraphQL Codegen's ``persisted-documents.json`` are both a
  JSON object ``{id: text}``; Apollo's persisted query manifest is read too). A request names
  one with ``documentId``, ``doc_id`` or ``extensions.persistedQuery.sha256Hash``. With
  ``ACCOUNTGRAPH_TRUSTED_DOCUMENTS_ONLY`` nothing else runs: any other document, sent as text
  or registered through APQ, is refused with ``PERSISTED_QUERY_NOT_ALLOWED`` (400).

Stored APQ documents are bounded: a least-recently-used store of
``ACCOUNTGRAPH_PERSISTED_QUERIES_MAX`` documents, kept in this process, or in Redis (shared by
every process) when ``ACCOUNTGRAPH_REDIS_URL`` is set. Losing it costs a client one extra round
trip, never an answer: a Redis fault reads as a miss and skips the store.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import orjson
import redis.asyncio as aioredis
from graphql import GraphQLError, GraphQLFormattedError
from redis.exceptions import RedisError

from settings import Settings

__all__ = [
    "DocumentStore",
    "LocalDocumentStore",
    "PersistedOperationRefused",
    "PersistedOperations",
    "RedisDocumentStore",
    "ResolvedDocument",
    "TrustedDocuments",
    "TrustedDocumentsError",
    "sha256_hex",
]

log = logging.getLogger("accountgraph.persisted")

NOT_FOUND: Final = "PERSISTED_QUERY_NOT_FOUND"
NOT_ALLOWED: Final = "PERSISTED_QUERY_NOT_ALLOWED"
HASH_MISMATCH: Final = "PERSISTED_QUERY_HASH_MISMATCH"
INVALID: Final = "PERSISTED_QUERY_INVALID"

# What Apollo Server sends with PersistedQueryNotFound: a CDN must not keep the miss, or the
# document registered a moment later would never be seen.
NOT_FOUND_CACHE_CONTROL: Final = "private, no-cache, must-revalidate"

# The GraphQL over HTTP persisted documents appendix prefixes ids with their algorithm.
_SHA256_PREFIX = "sha256:"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def sha256_hex(text: str) -> str:
    """The APQ hash of a document: SHA-256 of its UTF-8 text, in lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PersistedOperationRefused(Exception):
    """A persisted-operation request the server answers with an error, and nothing runs."""

    def __init__(
        self, status_code: int, message: str, code: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code
        self.headers = headers or {}

    @property
    def error(self) -> GraphQLFormattedError:
        """The refusal as a GraphQL error."""
        return GraphQLError(self.message, extensions={"code": self.code}).formatted


def _not_found() -> PersistedOperationRefused:
    # Apollo's link recognises the message as well as the code (older versions only the
    # message), so the message is the protocol's word, not a sentence.
    return PersistedOperationRefused(
        200, "PersistedQueryNotFound", NOT_FOUND, {"Cache-Control": NOT_FOUND_CACHE_CONTROL}
    )


def _not_allowed() -> PersistedOperationRefused:
    return PersistedOperationRefused(
        400,
        "This server runs trusted documents only: send the id of a document in its manifest "
        "(documentId, or extensions.persistedQuery.sha256Hash), built with your front end.",
        NOT_ALLOWED,
    )


def _hash_mismatch() -> PersistedOperationRefused:
    return PersistedOperationRefused(
        400,
        "The persisted query's hash does not match its text: send the SHA-256 of the query, "
        "in hex, exactly as sent.",
        HASH_MISMATCH,
    )


def _invalid(message: str) -> PersistedOperationRefused:
    return PersistedOperationRefused(400, message, INVALID)


# ----------------------------------------------------------------------------- stores


class DocumentStore(Protocol):
    """Where APQ documents live between requests, bounded."""

    async def get(self, document_hash: str) -> str | None: ...

    async def put(self, document_hash: str, text: str) -> None: ...

    async def close(self) -> None: ...


class LocalDocumentStore:
    """This process's own least-recently-used store of at most ``max_documents``."""

    def __init__(self, max_documents: int) -> None:
        self.max_documents = max_documents
        self._documents: OrderedDict[str, str] = OrderedDict()

    async def get(self, document_hash: str) -> str | None:
        text = self._documents.get(document_hash)
        if text is not None:
            self._documents.move_to_end(document_hash)
        return text

    async def put(self, document_hash: str, text: str) -> None:
        self._documents[document_hash] = text
        self._documents.move_to_end(document_hash)
        while len(self._documents) > self.max_documents:
            self._documents.popitem(last=False)

    async def close(self) -> None:
        return None


# KEYS: documents (hash), recency (sorted set), clock (counter). A counter rather than a
# wall clock orders uses, so that processes with skewed clocks still agree on the oldest.
_GET_SCRIPT = """
local text = redis.call('HGET', KEYS[1], ARGV[1])
if text then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
return text
"""
# ARGV: hash, text, most documents kept.
_PUT_SCRIPT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if extra > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
  redis.call('HDEL', KEYS[1], unpack(oldest))
end
return extra
"""


class RedisDocumentStore:
    """A least-recently-used store of at most ``max_documents`` shared by every process through
    Redis: a document one process stored is found by the next request whichever process
    answers it. Each read or write is one script, so the bound holds under concurrent use."""

    def __init__(self, url: str, max_documents: int, *, prefix: str) -> None:
        self.max_documents = max_documents
        self._keys = [f"{prefix}:documents", f"{prefix}:recency", f"{prefix}:clock"]
        self._redis: Any = aioredis.from_url(
            url, client_name="accountgraph-persisted-queries", decode_responses=True
        )
        self._get = self._redis.register_script(_GET_SCRIPT)
        self._put = self._redis.register_script(_PUT_SCRIPT)

    async def get(self, document_hash: str) -> str | None:
        try:
            text = await self._get(keys=self._keys, args=[document_hash])
        except (RedisError, OSError) as exc:
            log.warning("could not read a persisted query from Redis (a miss): %s", exc)
            return None
        return text if isinstance(text, str) else None

    async def put(self, document_hash: str, text: str) -> None:
        try:
            await self._put(keys=self._keys, args=[document_hash, text, self.max_documents])
        except (RedisError, OSError) as exc:
            log.warning("could not store a persisted query in Redis: %s", exc)

    async def close(self) -> None:
        await self._redis.aclose()


# -------------------------------------------------------------------- trusted documents


class TrustedDocumentsError(Exception):
    """The trusted documents manifest cannot be used; the server does not start."""


@dataclass(frozen=True)
class TrustedDocuments:
    """The documents of a build-time manifest, by id, and the SHA-256 of each text (so that a
    trusted document sent as text, or by its APQ hash, is recognised whatever the manifest's
    own hash algorithm: Relay uses MD5 by default, GraphQL Codegen SHA-1 or SHA-256)."""

    by_id: dict[str, str] = field(default_factory=dict)
    text_hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, documents: dict[str, str]) -> TrustedDocuments:
        hashes = {sha256_hex(text): text for text in documents.values()}
        return cls(by_id=dict(documents), text_hashes=hashes)

    @classmethod
    def load(cls, path: str | Path) -> TrustedDocuments:
        """Read a manifest: ``{id: text}`` (Relay ``persistConfig``, GraphQL Codegen
        ``persistedDocuments``) or Apollo's ``apollo-persisted-query-manifest``."""
        try:
            manifest = orjson.loads(Path(path).read_bytes())
        except OSError as exc:
            raise TrustedDocumentsError(f"cannot read the trusted documents {path}: {exc}") from exc
        except orjson.JSONDecodeError as exc:
            raise TrustedDocumentsError(
                f"the trusted documents {path} are not JSON: {exc}"
            ) from exc
        documents = _manifest_documents(manifest)
        if documents is None:
            raise TrustedDocumentsError(
                f"the trusted documents {path} are neither an object of document texts by id "
                "(Relay persistConfig, GraphQL Codegen persistedDocuments) nor an Apollo "
                "persisted query manifest"
            )
        return cls.of(documents)

    def get(self, document_id: str) -> str | None:
        return self.by_id.get(document_id) or self.text_hashes.get(document_id)

    def trusts(self, text: str) -> bool:
        return sha256_hex(text) in self.text_hashes


def _manifest_documents(manifest: Any) -> dict[str, str] | None:
    if not isinstance(manifest, dict):
        return None
    if manifest.get("format") == "apollo-persisted-query-manifest":
        operations = manifest.get("operations")
        if not isinstance(operations, list) or not all(
            isinstance(op, dict)
            and isinstance(op.get("id"), str)
            and isinstance(op.get("body"), str)
            for op in operations
        ):
            return None
        return {op["id"]: op["body"] for op in operations}
    if not all(isinstance(text, str) for text in manifest.values()):
        return None
    return dict(manifest)


# ---------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class ResolvedDocument:
    """The document a request runs, and what to do with it once it has run."""

    query: str | None
    # Named by an id or hash rather than sent as text: a GET of it is cacheable (ETag).
    persisted: bool = False
    # An APQ registration: store the text under this hash once it has passed the limits.
    store_as: str | None = None


def _persisted_query_hash(extensions: dict[str, Any] | None) -> str | None:
    persisted_query = (extensions or {}).get("persistedQuery")
    if persisted_query is None:
        return None
    if not isinstance(persisted_query, dict):
        raise _invalid("extensions.persistedQuery must be an object.")
    if persisted_query.get("version") != 1:
        raise _invalid("Unsupported persisted query version: send version 1.")
    document_hash = persisted_query.get("sha256Hash")
    if not isinstance(document_hash, str) or not document_hash:
        raise _invalid("extensions.persistedQuery.sha256Hash must be a string.")
    return document_hash


def _without_prefix(document_id: str) -> str:
    return document_id.removeprefix(_SHA256_PREFIX)


class PersistedOperations:
    """What a request's document is, from its text, its id or its APQ hash."""

    def __init__(
        self,
        *,
        store: DocumentStore,
        trusted: TrustedDocuments | None = None,
        trusted_only: bool = False,
    ) -> None:
        if trusted_only and trusted is None:
            raise TrustedDocumentsError(
                "ACCOUNTGRAPH_TRUSTED_DOCUMENTS_ONLY needs a manifest: set "
                "ACCOUNTGRAPH_TRUSTED_DOCUMENTS to its path"
            )
        self.store = store
        self.trusted = trusted or TrustedDocuments()
        self.trusted_only = trusted_only

    @classmethod
    def from_settings(cls, settings: Settings) -> PersistedOperations:
        store: DocumentStore
        if settings.redis_url:
            store = RedisDocumentStore(
                settings.redis_url,
                settings.persisted_queries_max,
                prefix=settings.persisted_queries_redis_prefix,
            )
        else:
            store = LocalDocumentStore(settings.persisted_queries_max)
        trusted = (
            TrustedDocuments.load(settings.trusted_documents)
            if settings.trusted_documents
            else None
        )
        return cls(store=store, trusted=trusted, trusted_only=settings.trusted_documents_only)

    async def close(self) -> None:
        await self.store.close()

    async def resolve(
        self, *, query: str | None, extensions: dict[str, Any] | None, document_id: Any
    ) -> ResolvedDocument:
        """The document to run, or ``PersistedOperationRefused``."""
        document_hash = _persisted_query_hash(extensions)
        if document_id is not None:
            if not isinstance(document_id, str) or not document_id:
                raise _invalid("documentId must be a string.")
            if document_hash is not None and _without_prefix(document_id) != document_hash:
                raise _invalid("documentId and extensions.persistedQuery name different documents.")
            document_hash = _without_prefix(document_id)

        if document_hash is None:
            if query is not None and self.trusted_only and not self.trusted.trusts(query):
                raise _not_allowed()
            return ResolvedDocument(query)

        trusted = self.trusted.get(document_hash)
        if trusted is not None:
            if query is not None and query != trusted:
                raise _hash_mismatch()
            return ResolvedDocument(trusted, persisted=query is None)

        if query is None:
            text = None if self.trusted_only else await self.store.get(document_hash)
            if text is None:
                raise _not_found()
            return ResolvedDocument(text, persisted=True)

        if self.trusted_only:
            raise _not_allowed()
        if not _SHA256_HEX.fullmatch(document_hash) or sha256_hex(query) != document_hash:
            raise _hash_mismatch()
        return ResolvedDocument(query, store_as=document_hash)

    async def resolve_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A WebSocket ``subscribe`` (or legacy ``start``) payload with the document it names
        as its ``query`` (nothing is stored over a WebSocket), or ``PersistedOperationRefused``."""
        extensions = payload.get("extensions")
        resolved = await self.resolve(
            query=payload.get("query"),
            extensions=extensions if isinstance(extensions, dict) else None,
            document_id=payload.get("documentId", payload.get("doc_id")),
        )
        return payload if resolved.query is None else {**payload, "query": resolved.query}

    async def remember(self, resolved: ResolvedDocument) -> None:
        """Store an APQ registration (called once its document passed every limit)."""
        if resolved.store_as is not None and resolved.query is not None:
            await self.store.put(resolved.store_as, resolved.query)
