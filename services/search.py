"""How text is matched and sorted: ignoring case and accents, the same on both databases.

``fold`` turns text into its search form: accents dropped and letters in lower case
("Müller" -> "muller", "GÄRTEN" -> "garten", "Straße" -> "strasse"). It is one fixed table
(``FOLDS``: ASCII, Latin, Greek and Cyrillic letters), applied by Python on SQLite (a
deterministic SQL function registered on every connection) and by an SQL function on
PostgreSQL (``accountgraph_fold``, created by migration 0010 from the same table), so that
both databases find and order the same rows: neither depends on the server's locale or on
an extension that needs a superuser (``unaccent``).

Every case-insensitive "contains" filter (``__icontains``, which list searches use) compares
folded text on both databases, and names sort by their folded form (``folded_sql``).

The database clients (``db/sqlite.py`` and ``db/__init__.py``) use the executors here, so the
fold is in their filters, and SQLite registers ``fold`` on each connection.
"""

import unicodedata
from typing import Any

from pypika_tortoise.terms import Function, Term
from tortoise.backends.asyncpg.executor import AsyncpgExecutor
from tortoise.backends.sqlite.executor import SqliteExecutor
from tortoise.filters import Like, escape_like, insensitive_contains

FOLD_FUNCTION = "accountgraph_fold"
_LETTERS = [
    range(0x41, 0x5B),  # A-Z
    range(0xC0, 0x250),  # Latin-1 Supplement, Latin Extended-A and -B
    range(0x370, 0x400),  # Greek
    range(0x400, 0x530),  # Cyrillic
    range(0x1E00, 0x1F00),  # Latin Extended Additional (Vietnamese, ...)
    range(0x1F00, 0x2000),  # Greek Extended
]


def _folded(char: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare.casefold()


# Latin letters that are not a base letter with an accent, as a reader would spell them.
_SPELLED = {"æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "ħ": "h", "\u0131": "i", "ŧ": "t",
            "þ": "th", "ð": "d", "ŋ": "n", "ƀ": "b", "ƶ": "z"}  # fmt: skip
FOLDS: dict[str, str] = {
    chr(point): _SPELLED.get(_folded(chr(point)), _folded(chr(point)))
    for letters in _LETTERS
    for point in letters
    if unicodedata.category(chr(point)).startswith("L")
}
FOLDS = {source: target for source, target in FOLDS.items() if source != target}
_TABLE = str.maketrans(FOLDS)


def fold(text: str | None) -> str | None:
    """``text`` without accents, in lower case, as both databases compare it."""
    return None if text is None else text.translate(_TABLE)


def postgres_function_sql() -> str:
    """``CREATE FUNCTION accountgraph_fold(text)``: ``fold`` in SQL, from the same table."""
    singles = {k: v for k, v in FOLDS.items() if len(v) == 1}
    expression = "$1"
    for source, target in FOLDS.items():
        if len(target) != 1:
            expression = f"replace({expression}, '{source}', '{target}')"
    sources, targets = "".join(singles), "".join(singles.values())
    return (
        f"CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
        f"$fold$ SELECT translate({expression}, '{sources}', '{targets}') $fold$"
    )


def folded_sql(column_sql: str, *, postgres: bool) -> str:
    """SQL of a text column's folded form, ordered by code point on both databases."""
    if postgres:
        return f'{FOLD_FUNCTION}({column_sql}) COLLATE "C"'
    return f"{FOLD_FUNCTION}({column_sql})"


class _Fold(Function):
    def __init__(self, term: Any) -> None:
        super().__init__(FOLD_FUNCTION, term)


def folded_contains(field: Term, value: str) -> Like:
    """``field`` contains ``value``, both folded."""
    return Like(_Fold(field), field.wrap_constant(f"%{escape_like(fold(value) or '')}%"))


class FoldingSqliteExecutor(SqliteExecutor):
    FILTER_FUNC_OVERRIDE = {
        **SqliteExecutor.FILTER_FUNC_OVERRIDE,
        insensitive_contains: folded_contains,
    }


class FoldingAsyncpgExecutor(AsyncpgExecutor):
    FILTER_FUNC_OVERRIDE = {
        **AsyncpgExecutor.FILTER_FUNC_OVERRIDE,
        insensitive_contains: folded_contains,
    }
