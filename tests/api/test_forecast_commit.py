"""The forecast commit flag on deals: set on create, changed on update, filtered on."""

from ids import to_global_id
from models import OutboxEvent
from tests.factories import make_account, make_opportunity


async def test_a_deal_is_committed_to_the_forecast_and_lists_filter_on_it(gql):
    account = await make_account()
    await make_opportunity(account_id=account.pk, name="Uncommitted")
    data = await gql(
        """mutation($a: ID!) { createOpportunity(input: {accountId: $a, name: "Committed",
             forecastCommit: true}) { opportunity { id forecastCommit } errors { code } } }""",
        {"a": to_global_id("Account", account.pk)},
    )
    created = data["createOpportunity"]["opportunity"]
    assert created["forecastCommit"] is True
    lists = await gql(
        """{ yes: opportunities(filter: {forecastCommit: true}) { nodes { name } }
             no: opportunities(filter: {forecastCommit: false}) { nodes { name } } }"""
    )
    assert lists == {
        "yes": {"nodes": [{"name": "Committed"}]},
        "no": {"nodes": [{"name": "Uncommitted"}]},
    }
    updated = await gql(
        """mutation($id: ID!) { updateOpportunity(input: {id: $id, forecastCommit: false}) {
             opportunity { forecastCommit } errors { code } } }""",
        {"id": created["id"]},
    )
    assert updated["updateOpportunity"] == {
        "opportunity": {"forecastCommit": False},
        "errors": [],
    }
    event = await OutboxEvent.filter(type="opportunity.updated").get()
    assert event.data["previous"] == {"forecastCommit": True}
    refused = await gql(
        """mutation($id: ID!) { updateOpportunity(input: {id: $id, forecastCommit: null}) {
             opportunity { forecastCommit } errors { field message } } }""",
        {"id": created["id"]},
    )
    assert refused["updateOpportunity"]["errors"] == [
        {"field": ["forecastCommit"], "message": "forecast commit must be true or false"}
    ]
