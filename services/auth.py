"""Signing in: passwords, access and refresh tokens, API keys.

Access tokens are short-lived signed JWTs. Refresh tokens are random, stored only as a hash,
and rotate: each use returns a new one, and presenting a used one again revokes its whole
family (someone replayed it). API keys look like ``ag_<prefix>_<secret>``; the prefix is a
public identifier shown in listings, the secret is stored only as a hash.
"""

import asyncio
import hashlib
import hmac
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import is_database_busy
from ids import parse_pk
from models import ApiKey, RefreshToken, User
from services.audit import now
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
    """Who is calling, and what their credential allows."""

    user: User
    scopes: frozenset[Scope]


class AuthenticationError(Exception):
    """A credential was presented and is not valid (expired, revoked, malformed)."""


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


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. Argon2 spends tens of milliseconds of
    CPU by design; it runs in a small pool of threads, so the event loop keeps serving other
    requests and at most ``password_hash_concurrency`` hashes run at once."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_threads(), _verify, password_hash, password)


async def hashed_password(password: str) -> str:
    """``hash_password`` in the password threads, off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_threads(), hash_password, password)


def issue_access_token(user: User) -> str:
    """A signed access token for ``user``, valid for the configured lifetime."""
    return _access_token(user, now())[0]


def _access_token(user: User, at: datetime) -> tuple[str, int]:
    lifetime = get_settings().access_token_seconds
    claims = {
        "sub": str(user.pk),
        "iat": at,
        "exp": at + timedelta(seconds=lifetime),
        "typ": "access",
    }
    return jwt.encode(claims, get_settings().secret_key, algorithm=_ALGORITHM), lifetime


async def _open_session(user: User, *, family: uuid.UUID) -> Session:
    at = now()
    refresh = secrets.token_urlsafe(32)
    await RefreshToken.create(
        user_id=user.pk,
        token_hash=_digest(refresh),
        family=family,
        expires_at=at + timedelta(days=get_settings().refresh_token_days),
    )
    access, lifetime = _access_token(user, at)
    return Session(user=user, access_token=access, refresh_token=refresh, expires_in=lifetime)


def _refused_refresh() -> DomainError:
    return DomainError.single(
        "the refresh token is not valid; sign in again",
        code=ErrorCode.INVALID_CREDENTIALS,
        field="refresh_token",
    )


async def refresh_session(*, refresh_token: str) -> Session:
    """Exchange a refresh token for a new access token and a new refresh token."""
    async with write_transaction():
        token = (
            await RefreshToken.select_for_update().filter(token_hash=_digest(refresh_token)).first()
        )
        if token is None or token.revoked_at is not None:
            raise _refused_refresh()
        at = now()
        if token.used_at is not None:
            await RefreshToken.filter(family=token.family, revoked_at=None).update(revoked_at=at)
            replayed = True
        else:
            replayed = False
        user = await User.get(pk=token.user_id)
        if not replayed and token.expires_at > at and user.is_active:
            token.used_at = at
            await token.save(update_fields=["used_at"])
            return await _open_session(user, family=token.family)
    raise _refused_refresh()


async def logout(*, refresh_token: str) -> None:
    """End the session the refresh token belongs to (every token of its family)."""
    token = await RefreshToken.get_or_none(token_hash=_digest(refresh_token))
    if token is None:
        raise _refused_refresh()
    await RefreshToken.filter(family=token.family, revoked_at=None).update(revoked_at=now())


async def create_api_key(
    *, user_id: int, name: str, scopes: frozenset[Scope]
) -> tuple[ApiKey, str]:
    """A new API key; the returned plaintext key is shown once and never stored."""
    if not scopes:
        raise DomainError.single(
            "give the key at least one scope", code=ErrorCode.REQUIRED, field="scopes"
        )
    name = name.strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise DomainError.single("name must be 1 to 200 characters", field="name")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)  # 32 random bytes
    key = await ApiKey.create(
        user_id=user_id,
        name=name,
        prefix=prefix,
        secret_hash=_digest(secret),
        scopes=sorted(scope.value for scope in scopes),
    )
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


async def revoke_api_key(*, key_id: int, user_id: int | None) -> ApiKey:
    """Revoke a key; refused from the very next request on. ``user_id`` limits it to own keys."""
    query = ApiKey.filter(pk=key_id)
    if user_id is not None:
        query = query.filter(user_id=user_id)
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
    """The caller behind a bearer credential: an access token or an API key."""
    if credential.startswith(API_KEY_PREFIX):
        return await _authenticate_key(credential)
    try:
        claims = _verified_claims(credential)
    except jwt.PyJWTError as exc:
        raise AuthenticationError("the access token is invalid or expired") from exc
    user_id = parse_pk(claims["sub"])
    if claims.get("typ") != "access" or user_id is None:
        raise AuthenticationError("the access token is invalid or expired")
    user = await User.get_or_none(pk=user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("the account is not active")
    return Principal(user=user, scopes=ALL_SCOPES)


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
    return jwt.decode(
        token, key, algorithms=[_ALGORITHM], options={"require": ["sub", "exp", "iat"]}
    )


async def _authenticate_key(credential: str) -> Principal:
    prefix, _, secret = credential.removeprefix(API_KEY_PREFIX).partition("_")
    key = await ApiKey.get_or_none(prefix=prefix) if prefix and secret else None
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(secret)):
        raise AuthenticationError("the API key is not valid")
    if key.revoked_at is not None:
        raise AuthenticationError("the API key was revoked")
    user = await User.get(pk=key.user_id)
    if not user.is_active:
        raise AuthenticationError("the account is not active")
    at = now()
    # Recording every use would make each read a write; a minute's precision is enough.
    if key.last_used_at is None or at - key.last_used_at > timedelta(minutes=1):
        try:
            await ApiKey.filter(pk=key.pk).update(last_used_at=at)
        except Exception as exc:
            if not is_database_busy(exc):
                raise
            # Bookkeeping only: a busy database must not refuse the request; a later use
            # records the time.
    return Principal(user=user, scopes=frozenset(Scope(s) for s in key.scopes))
