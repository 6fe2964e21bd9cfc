"""Pipelines and stages, and the three every deployment starts with."""

from models import Pipeline, Stage
from models.enums import StageCategory
from services.writes import write_transaction

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST

# (name, default probability, category, rotting threshold in days)
DEFAULT_PIPELINES: dict[str, list[tuple[str, int, StageCategory, int | None]]] = {
    "New business": [
        ("Prospecting", 10, OPEN, 14),
        ("Qualification", 20, OPEN, 14),
        ("Needs analysis", 40, OPEN, 21),
        ("Proposal", 60, OPEN, 21),
        ("Negotiation", 80, OPEN, 14),
        ("Closed won", 100, WON, None),
        ("Closed lost", 0, LOST, None),
    ],
    "Expansion": [
        ("Discovery", 20, OPEN, 21),
        ("Proposal", 50, OPEN, 21),
        ("Negotiation", 80, OPEN, 14),
        ("Closed won", 100, WON, None),
        ("Closed lost", 0, LOST, None),
    ],
    "Renewal": [
        ("Upcoming", 70, OPEN, 30),
        ("In negotiation", 85, OPEN, 14),
        ("Renewed", 100, WON, None),
        ("Churned", 0, LOST, None),
    ],
}


async def ensure_default_pipelines() -> None:
    """Create the standard pipelines that do not exist yet (by name); safe to run again."""
    existing = {name for (name,) in await Pipeline.all().values_list("name")}
    async with write_transaction():
        for position, (name, stages) in enumerate(DEFAULT_PIPELINES.items()):
            if name in existing:
                continue
            pipeline = await Pipeline.create(name=name, position=position)
            await Stage.bulk_create(
                [
                    Stage(
                        pipeline_id=pipeline.pk,
                        name=stage_name,
                        position=index,
                        probability=probability,
                        category=category,
                        rotting_days=rotting,
                    )
                    for index, (stage_name, probability, category, rotting) in enumerate(stages)
                ]
            )
