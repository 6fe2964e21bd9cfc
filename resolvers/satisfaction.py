"""Client satisfaction: recording an NPS or CSAT answer about an account."""

from typing import Any

from resolvers.mutation import mutate_record
from schema.base import Info
from schema.inputs import RecordSatisfactionInput
from schema.payloads import RecordSatisfactionPayload
from services import satisfaction


async def record_satisfaction(
    info: Info, input: RecordSatisfactionInput
) -> RecordSatisfactionPayload:
    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await satisfaction.record_satisfaction(actor_id=actor_id, values=values)

    return await mutate_record(info, RecordSatisfactionPayload, input, work)
