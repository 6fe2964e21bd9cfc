"""How the demo writes its rows: in bulk, each row given its key afterwards."""

from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from tortoise.models import Model

BATCH_SIZE = 1000
# Amounts are stored to the cent.
CENT = Decimal("0.01")

M = TypeVar("M", bound=Model)


async def insert_with_keys(model: type[M], rows: Sequence[M]) -> Sequence[M]:
    """Bulk insert ``rows`` and give each its key.

    ``bulk_create`` does not report keys; the rows are inserted one statement after another in
    the seeding transaction, so the table's new keys, in order, are theirs.
    """
    if not rows:
        return rows
    last = await model.all().order_by("-id").limit(1).values_list("id", flat=True)
    start = last[0] if last else 0
    await model.bulk_create(list(rows), batch_size=BATCH_SIZE)
    ids = await model.filter(id__gt=start).order_by("id").values_list("id", flat=True)
    if len(ids) != len(rows):
        raise RuntimeError(f"expected {len(rows)} new {model.__name__} rows, found {len(ids)}")
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
    return rows
