"""One aggregate statement at a time, portable between SQLite and PostgreSQL.

The analytics questions need SQL the ORM does not build (CASE inside SUM, window functions,
correlated subqueries), while who-sees-what stays in Tortoise ``Q`` conditions. A
``Statement`` joins the two: ``rows_of(queryset)`` inlines a Tortoise query (visibility
included) as a subquery with its parameters, ``value(v)`` adds a parameter, and a few helpers
hide the differences between the two databases.

Parameters must be added in the order they appear in the text (SQLite placeholders are
positional), which an f-string evaluated left to right does.

Money is added up as integer cents: ``CAST(ROUND(amount * 100) AS BIGINT)``, and a weighted
amount is the integer ``cents * probability``, divided by 10,000 only in Python and rounded
by ``rules.round_money``. SQLite stores decimals as text and turns them into doubles for
arithmetic; amounts are bounded (``services.validation.MAX_AMOUNT``, under a trillion) so
that every amount has at most 14 significant digits, which a double holds exactly enough
for ``ROUND(amount * 100)`` to be the exact number of cents, and ``cents * 100`` fits a
64-bit integer many thousand times over.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise import Tortoise
from tortoise.queryset import QuerySet, ValuesListQuery, ValuesQuery

from services.analytics.rules import CENT, round_money

__all__ = [
    "CENT",
    "Statement",
    "as_date",
    "as_datetime",
    "as_day",
    "cents",
    "money",
    "weighted_money",
]

_PG_PARAMETER = re.compile(r"\$(\d+)")


class Statement:
    """The text and parameters of one SQL statement being written."""

    def __init__(self) -> None:
        self.connection = Tortoise.get_connection("default")
        self.postgres = self.connection.capabilities.dialect == "postgres"
        self.params: list[Any] = []

    def value(self, value: Any) -> str:
        """A placeholder for ``value``."""
        self.params.append(value)
        return f"${len(self.params)}" if self.postgres else "?"

    def timestamp(self, value: datetime) -> str:
        """A placeholder for a point in time, typed for PostgreSQL."""
        placeholder = self.value(value)
        return f"CAST({placeholder} AS TIMESTAMPTZ)" if self.postgres else placeholder

    def day(self, value: date) -> str:
        """A placeholder for a calendar day."""
        placeholder = self.value(value)
        return f"CAST({placeholder} AS DATE)" if self.postgres else placeholder

    def rows_of(self, query: QuerySet[Any] | ValuesQuery[Any] | ValuesListQuery[Any]) -> str:
        """The SQL of a Tortoise query (usually ``.values("id")``), to use as a subquery."""
        query._choose_db_if_not_chosen()
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        if self.postgres:
            offset = len(self.params)
            sql = _PG_PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", sql)
        self.params.extend(params)
        return sql

    def day_of(self, column: str) -> str:
        """The UTC calendar day of a timestamp column."""
        if self.postgres:
            return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
        return f"date({column})"

    def seconds_between(self, earlier: str, later: str) -> str:
        """Whole seconds from one timestamp expression to another."""
        if self.postgres:
            return f"CAST(ROUND(EXTRACT(EPOCH FROM ({later} - {earlier}))) AS BIGINT)"
        return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"

    def later_of(self, first: str, second: str) -> str:
        """The later of two timestamps, where the second may be null."""
        if self.postgres:
            return f"GREATEST({first}, {second})"
        return f"MAX({first}, COALESCE({second}, {first}))"

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        _, rows = await self.connection.execute_query(sql, self.params)
        return [dict(row) for row in rows]


def cents(column: str) -> str:
    """A money column as integer cents (null stays null)."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def money(total_cents: Any) -> Decimal:
    """Integer cents from the database as an exact amount."""
    return (Decimal(int(total_cents or 0)) / 100).quantize(CENT)


def weighted_money(cents_times_percent: Any) -> Decimal:
    """The sum of cents x probability (0..100) as an amount, rounded half up to the cent."""
    return round_money(Decimal(int(cents_times_percent or 0)) / 10_000)


def as_datetime(value: Any) -> datetime | None:
    """A timestamp read by raw SQL: PostgreSQL gives datetimes, SQLite gives text."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def as_date(value: Any) -> date | None:
    return None if value is None else as_day(value)


def as_day(value: Any) -> date:
    """A calendar day read by raw SQL from a column that is never null."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
