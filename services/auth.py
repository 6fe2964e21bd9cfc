"""Signing in: passwords, access and refresh tokens, API keys.

Access tokens are short-lived signed JWTs. Refresh tokens are random, stored only as a hash,
and rotate: each use returns a new one, and presenting a used one again revokes its whole
family (someone replayed it). API keys look like ``ag_<prefix>_<secret>``; the prefix is a
public identifier shown in listings, the secret is stored only as a hash.

A sign-in session is one refresh-token family: its id is the family, and every access token
issued for it names it (the ``sid`` claim). A session is live while its family has a token
not revoked; logout, a replayed refresh token, a password change or reset revoke the family,
and its access tokens are refused from the very next request on (one indexed lookup, joined
with the user's, per request).

A refused credential raises ``AuthenticationError`` with a ``CredentialRefusal``, the one
word a client acts on:

- ``MISSING``: no credential was sent (the transport raises this one): sign in.
- ``INVALID``: not a credential this server issued (malformed, a bad signature, an unknown
  API key): drop it and sign in again.
- ``EXPIRED``: an access token or API key past its expiry: refresh the access token with
  ``refreshToken`` (a key must be replaced).
- ``REVOKED``: a credential that was good and was withdrawn: its session ended (logout, a
  replayed refresh token, a password change or reset), its API key was revoked, or its user
  was deactivated. Refreshing cannot help: sign in again.
"""

import asyncio
import base64
import hashlib
import hmac
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import is_database_busy
from ids import parse_pk
from models import ApiKey, RefreshToken, User
from models.enums import Role
from services.clock import now
from services.errors import DomainError, ErrorCode
from services.login_throttle import reserve_sign_in_attempt, sign_in_succeeded
from services.writes import write_transaction
from settings import get_settings

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
_ALGORITHM = "HS256"
API_KEY_PREFIX = "ag_"
# Checked against when an email is unknown, so that a wrong email and a wrong password
# take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


ALL_SCOPES = frozenset(Scope)


@dataclass(frozen=True)
class Session:
    user: User
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Principal:
    """Who is calling, and what their credential allows.

    ``session_id`` names the sign-in session of an access token, ``api_key_id`` the key of a
    script; ``expires_at`` is when the credential stops working by itself (None: never).
    """

    user: User
    scopes: frozenset[Scope]
    session_id: uuid.UUID | None = None
    api_key_id: int | None = None
    expires_at: datetime | None = None

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None


class CredentialRefusal(StrEnum):
    """Why a request's credential was refused (``extensions.reason`` of ``UNAUTHENTICATED``)."""

    MISSING = "MISSING"
    INVALID = "INVALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class AuthenticationError(Exception):
    """A credential is missing or not valid; ``reason`` says which way, the message says it
    in words a person reads."""

    def __init__(self, message: str, reason: CredentialRefusal) -> None:
        super().__init__(message)
        self.reason = reason


SIGN_IN_FIRST = "Sign in first: send 'Authorization: Bearer <access token or API key>'."
NOT_BEARER = "use 'Authorization: Bearer <access token or API key>'"
INVALID_TOKEN = "the access token is not valid; sign in again"
EXPIRED_TOKEN = "the access token expired; get a new one with refreshToken"
ENDED_SESSION = "the session was ended (signed out or revoked); sign in again"
INACTIVE_ACCOUNT = "the account is not active"
EXPIRED_KEY = "the API key expired; create a new one"


def missing_credential() -> AuthenticationError:
    """The error for a request that sent no credential where one is needed."""
    return AuthenticationError(SIGN_IN_FIRST, CredentialRefusal.MISSING)


def malformed_credential() -> AuthenticationError:
    """The error for an ``Authorization`` value that is not ``Bearer <credential>``."""
    return AuthenticationError(NOT_BEARER, CredentialRefusal.INVALID)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid_credentials() -> DomainError:
    return DomainError.single(
        "the email or password is not right", code=ErrorCode.INVALID_CREDENTIALS
    )


async def login(*, email: str, password: str, address: str) -> Session:
    """Check an email and password and open a session.

    The attempt is counted before the password is checked, and refused while too many recent
    failures for this account from this address (or from this address over all accounts)
    make it wait (services/login_throttle.py). A password hash made with older parameters is
    replaced on success.
    """
    email = email.strip().lower().replace("\x00", "")
    await reserve_sign_in_attempt(account=email, address=address)
    user = await User.get_or_none(email=email)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    valid = await verify_password(stored, password)
    if not valid or user is None or user.password_hash is None or not user.is_active:
        raise _invalid_credentials()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await hashed_password(password)
        await user.save(update_fields=["password_hash"])
    await sign_in_succeeded(account=email, address=address)
    return await _open_session(user, family=uuid.uuid4())


@cache
def _password_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=get_settings().password_hash_concurrency, thread_name_prefix="password-hash"
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False when there is none, after the same
    work, so that timing does not tell). Argon2 spends tens of milliseconds of CPU by design;
    it runs in a small pool of threads, so the event loop keeps serving other requests and at
    most ``password_hash_concurrency`` hashes run at once."""
    loop = asyncio.get_running_loop()
    checked = password_hash or _DUMMY_HASH
    valid = await loop.run_in_executor(_password_threads(), _verify, checked, password)
    return valid and password_hash is not None


async def hashed_password(password: str) -> str:
    """``hash_password`` in the password threads, off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_threads(), hash_password, password)


def issue_access_token(user: User) -> str:
    """A signed access token for ``user``, valid for the configured lifetime.

    It belongs to no sign-in session (the server never issues one: it is for tests and
    tools), so only its expiry or the user's deactivation ends it.
    """
    return _access_token(user, now())[0]


def _access_token(user: User, at: datetime, session_id: uuid.UUID | None = None) -> tuple[str, int]:
    lifetime = get_settings().access_token_seconds
    claims: dict[str, Any] = {
        "sub": str(user.pk),
        "iat": at,
        "exp": at + timedelta(seconds=lifetime),
        "typ": "access",
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    return jwt.encode(claims, get_settings().secret_key, algorithm=_ALGORITHM), lifetime


async def _open_session(
    user: User, *, family: uuid.UUID, refresh: str | None = None, at: datetime | None = None
) -> Session:
    """A new refresh token of ``family`` (``refresh``, or a random one) and its access token."""
    at = at or now()
    refresh = refresh or secrets.token_urlsafe(32)
    await RefreshToken.create(
        user_id=user.pk,
        token_hash=_digest(refresh),
        family=family,
        expires_at=at + timedelta(days=get_settings().refresh_token_days),
    )
    access, lifetime = _access_token(user, at, family)
    return Session(user=user, access_token=access, refresh_token=refresh, expires_in=lifetime)


def _refused_refresh() -> DomainError:
    return DomainError.single(
        "the refresh token is not valid; sign in again",
        code=ErrorCode.INVALID_CREDENTIALS,
        field="refresh_token",
    )


def _successor(refresh_token: str, key: str) -> str:
    """The refresh token that replaces ``refresh_token``: HMAC-SHA256 of it under ``key``."""
    mac = hmac.new(key.encode(), b"refresh-token-successor\x00" + refresh_token.encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def _signing_keys() -> list[str]:
    settings = get_settings()
    return [settings.secret_key, *settings.previous_secret_keys]


async def refresh_session(*, refresh_token: str) -> Session:
    """Exchange a refresh token for a new access token and a new refresh token.

    A refresh token is used once. Presented again within ``refresh_grace_seconds`` of its use
    (two tabs, or a retry after a lost response, refreshing with the same token) it answers
    the same pair it answered the first time: no new token, no second successor. Presented
    later, it is a replay: the whole session ends.

    Answering the same pair stores no token in clear. The successor refresh token is not
    random: it is the HMAC-SHA256 of its predecessor under the token-signing key, so it can
    be derived again only by someone presenting the predecessor, and the database keeps its
    SHA-256 hash as it keeps every refresh token's (the row to answer with is found by that
    hash, trying the previous signing keys while a rotation overlaps). That beats keeping the
    successor encrypted: nothing readable is stored, no migration, and a dump of the database
    together with the signing key still yields no live token, as the predecessors are stored
    only hashed too. The access token is a signature over claims that are all stored (the
    user, the session, the time of use as its ``iat``), so it is signed again, identical. The
    chain is as unpredictable as its first, random, token for anyone without the signing key,
    and whoever has that key can sign access tokens anyway.
    """
    async with write_transaction():
        token = (
            await RefreshToken.select_for_update().filter(token_hash=_digest(refresh_token)).first()
        )
        if token is None or token.revoked_at is not None:
            raise _refused_refresh()
        at = now()
        user = await User.get(pk=token.user_id)
        usable = token.expires_at > at and user.is_active
        if token.used_at is None:
            if not usable:
                raise _refused_refresh()
            token.used_at = at
            await token.save(update_fields=["used_at"])
            successor = _successor(refresh_token, get_settings().secret_key)
            return await _open_session(user, family=token.family, refresh=successor, at=at)
        grace = timedelta(seconds=get_settings().refresh_grace_seconds)
        if usable and at - token.used_at <= grace:
            again = await _session_again(token, refresh_token, user)
            if again is not None:
                return again
        await RefreshToken.filter(family=token.family, revoked_at=None).update(revoked_at=at)
    raise _refused_refresh()


async def _session_again(token: RefreshToken, refresh_token: str, user: User) -> Session | None:
    """The pair that ``token`` was exchanged for, if its successor is still live."""
    candidates = {_digest(c): c for c in (_successor(refresh_token, k) for k in _signing_keys())}
    successor = await RefreshToken.filter(
        family=token.family, token_hash__in=list(candidates), revoked_at=None
    ).first()
    if successor is None or token.used_at is None:
        return None
    access, lifetime = _access_token(user, token.used_at, token.family)
    return Session(
        user=user,
        access_token=access,
        refresh_token=candidates[successor.token_hash],
        expires_in=lifetime,
    )


async def logout(*, refresh_token: str) -> None:
    """End the session the refresh token belongs to (every token of its family)."""
    token = await RefreshToken.get_or_none(token_hash=_digest(refresh_token))
    if token is None:
        raise _refused_refresh()
    await RefreshToken.filter(family=token.family, revoked_at=None).update(revoked_at=now())


async def revoke_sessions(*, user_id: int, keep: uuid.UUID | None = None) -> int:
    """End every sign-in session of a user but ``keep``; their access tokens are refused from
    the next request on. Returns how many sessions ended."""
    live = RefreshToken.filter(user_id=user_id, revoked_at=None)
    if keep is not None:
        live = live.exclude(family=keep)
    families = set(await live.values_list("family", flat=True))
    if families:
        await RefreshToken.filter(family__in=families, revoked_at=None).update(revoked_at=now())
    return len(families)


def _key_expiry(expires_at: datetime | None, at: datetime) -> datetime:
    """When a new key expires: as asked, at most ``api_key_max_days`` away (the default)."""
    days = get_settings().api_key_max_days
    latest = at + timedelta(days=days)
    if expires_at is None:
        return latest
    if expires_at.tzinfo is None:
        raise DomainError.single("give expiresAt with a time zone", field="expires_at")
    if expires_at <= at:
        raise DomainError.single(
            "expiresAt must be in the future", code=ErrorCode.OUT_OF_RANGE, field="expires_at"
        )
    if expires_at > latest:
        raise DomainError.single(
            f"a key may live at most {days} days: choose an expiresAt before "
            f"{latest.isoformat(timespec='seconds')}",
            code=ErrorCode.OUT_OF_RANGE,
            field="expires_at",
        )
    return expires_at


async def create_api_key(
    *,
    user_id: int,
    name: str,
    scopes: frozenset[Scope],
    expires_at: datetime | None = None,
    creator_scopes: frozenset[Scope] = ALL_SCOPES,
) -> tuple[ApiKey, str]:
    """A new API key; the returned plaintext key is shown once and never stored.

    A key never gets scopes its creator lacks: ``creator_scopes`` are those of the credential
    asking for it (a signed-in session and the command line have them all). Only
    administrators' keys may have the admin scope. A key expires at ``expires_at``, at most
    ``api_key_max_days`` from now, which is also when it expires if none is given.
    """
    if not scopes <= creator_scopes:
        raise DomainError.single("a key cannot have scopes its creator lacks", field="scopes")
    if not scopes:
        raise DomainError.single(
            "give the key at least one scope", code=ErrorCode.REQUIRED, field="scopes"
        )
    name = name.strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise DomainError.single("name must be 1 to 200 characters", field="name")
    at = now()
    expiry = _key_expiry(expires_at, at)
    if Scope.ADMIN in scopes and not await User.exists(pk=user_id, role=Role.ADMIN):
        raise DomainError.single(
            "only administrators' keys may have the admin scope",
            code=ErrorCode.FORBIDDEN,
            field="scopes",
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)  # 32 random bytes
    key = await ApiKey.create(
        user_id=user_id,
        name=name,
        prefix=prefix,
        secret_hash=_digest(secret),
        scopes=sorted(scope.value for scope in scopes),
        expires_at=expiry,
    )
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


async def revoke_api_key(*, key_id: int, actor: User) -> ApiKey:
    """Revoke a key; refused from the very next request on. Administrators may revoke anyone's
    key, everyone else only their own: another user's key is not found, as if it did not
    exist. Revoking a revoked key changes nothing."""
    query = ApiKey.filter(pk=key_id)
    if actor.role != Role.ADMIN:
        query = query.filter(user_id=actor.pk)
    key = await query.first()
    if key is None:
        raise DomainError.single("API key not found", code=ErrorCode.NOT_FOUND, field="id")
    if key.revoked_at is None:
        key.revoked_at = now()
        await key.save(update_fields=["revoked_at"])
    return key


def bearer_token(header: str) -> str | None:
    """The credential of an ``Authorization`` value ``Bearer <credential>``; None if malformed."""
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    return credential if scheme.lower() == "bearer" and credential else None


async def authenticate(credential: str) -> Principal:
    """The caller behind a bearer credential: an access token or an API key.

    Raises ``AuthenticationError`` with the reason it is refused."""
    if credential.startswith(API_KEY_PREFIX):
        return await _authenticate_key(credential)
    try:
        claims = _verified_claims(credential)
    except jwt.PyJWTError as exc:
        raise AuthenticationError(INVALID_TOKEN, CredentialRefusal.INVALID) from exc
    user_id = parse_pk(claims["sub"])
    if claims.get("typ") != "access" or user_id is None:
        raise AuthenticationError(INVALID_TOKEN, CredentialRefusal.INVALID)
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    if expires_at <= now():
        raise AuthenticationError(EXPIRED_TOKEN, CredentialRefusal.EXPIRED)
    if "sid" not in claims:  # from issue_access_token: no session to check
        user = await User.get_or_none(pk=user_id)
        if user is None or not user.is_active:
            raise AuthenticationError(INACTIVE_ACCOUNT, CredentialRefusal.REVOKED)
        return Principal(user=user, scopes=ALL_SCOPES, expires_at=expires_at)
    try:
        session_id = uuid.UUID(str(claims["sid"]))
    except ValueError:
        raise AuthenticationError(INVALID_TOKEN, CredentialRefusal.INVALID) from None
    # One statement: the user, if active and their session still has a token not revoked.
    user = await User.filter(
        pk=user_id,
        is_active=True,
        refresh_tokens__family=session_id,
        refresh_tokens__revoked_at=None,
    ).first()
    if user is None:
        if not await User.exists(pk=user_id, is_active=True):
            raise AuthenticationError(INACTIVE_ACCOUNT, CredentialRefusal.REVOKED)
        raise AuthenticationError(ENDED_SESSION, CredentialRefusal.REVOKED)
    return Principal(user=user, scopes=ALL_SCOPES, session_id=session_id, expires_at=expires_at)


def _verified_claims(token: str) -> dict[str, Any]:
    """The claims of a token signed with the secret key or, while a rotation overlaps, with
    one of ``ACCOUNTGRAPH_PREVIOUS_SECRET_KEYS``; new tokens are signed with the first only."""
    settings = get_settings()
    *earlier, last = [settings.secret_key, *settings.previous_secret_keys]
    for key in earlier:
        try:
            return _decode(token, key)
        except jwt.InvalidSignatureError:
            continue
    return _decode(token, last)


def _decode(token: str, key: str) -> dict[str, Any]:
    # The caller checks the expiry against services.clock, like every other time.
    return jwt.decode(
        token,
        key,
        algorithms=[_ALGORITHM],
        options={"require": ["sub", "exp", "iat"], "verify_exp": False},
    )


async def _authenticate_key(credential: str) -> Principal:
    prefix, _, secret = credential.removeprefix(API_KEY_PREFIX).partition("_")
    key = await ApiKey.get_or_none(prefix=prefix) if prefix and secret else None
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(secret)):
        raise AuthenticationError("the API key is not valid", CredentialRefusal.INVALID)
    if key.revoked_at is not None:
        raise AuthenticationError("the API key was revoked", CredentialRefusal.REVOKED)
    at = now()
    if key.expires_at is not None and key.expires_at <= at:
        raise AuthenticationError(EXPIRED_KEY, CredentialRefusal.EXPIRED)
    user = await User.get(pk=key.user_id)
    if not user.is_active:
        raise AuthenticationError(INACTIVE_ACCOUNT, CredentialRefusal.REVOKED)
    # Recording every use would make each read a write; a minute's precision is enough.
    if key.last_used_at is None or at - key.last_used_at > timedelta(minutes=1):
        try:
            await ApiKey.filter(pk=key.pk).update(last_used_at=at)
        except Exception as exc:
            if not is_database_busy(exc):
                raise
            # Bookkeeping only: a busy database must not refuse the request; a later use
            # records the time.
    return Principal(
        user=user,
        scopes=frozenset(Scope(s) for s in key.scopes),
        api_key_id=key.pk,
        expires_at=key.expires_at,
    )
