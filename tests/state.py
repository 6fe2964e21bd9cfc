"""What the database holds, to show that a refused request changed nothing."""

from tortoise import Tortoise


async def database_state() -> dict[str, list[tuple]]:
    """Every row of every table, in key order (test databases are small)."""
    state = {}
    for model in Tortoise.apps["models"].values():
        rows = await model.all().order_by(model._meta.pk_attr).values_list()
        state[model._meta.db_table] = [tuple(row) for row in rows]
    return state
