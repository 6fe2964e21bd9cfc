"""What is on a deal: products (line items) and competitors."""

from decimal import Decimal

from ids import to_global_id
from models import AuditLogEntry, Competitor, OpportunityLineItem, Product
from tests.factories import make_opportunity
from tests.state import database_state

ADD_ITEM = """mutation($input: CreateOpportunityLineItemInput!) {
  createOpportunityLineItem(input: $input) {
    opportunityLineItem { quantity unitPrice discountPercent total product { sku } }
    errors { field message code }
  }
}"""


async def product() -> Product:
    return await Product.create(
        name="Seats", sku="SEAT-1", list_price=Decimal("120.00"), currency="USD"
    )


async def test_a_line_item_takes_the_list_price_unless_given(gql):
    deal = await make_opportunity()
    seats = await product()
    base = {
        "opportunityId": to_global_id("Opportunity", deal.pk),
        "productId": to_global_id("Product", seats.pk),
    }

    listed = await gql(ADD_ITEM, {"input": {**base, "quantity": "10", "discountPercent": "12.5"}})
    priced = await gql(ADD_ITEM, {"input": {**base, "quantity": "2", "unitPrice": "99.99"}})

    assert listed["createOpportunityLineItem"] == {
        "opportunityLineItem": {
            "quantity": "10.00",
            "unitPrice": "120.00",
            "discountPercent": "12.50",
            "total": "1050.00",
            "product": {"sku": "SEAT-1"},
        },
        "errors": [],
    }
    assert priced["createOpportunityLineItem"]["opportunityLineItem"]["total"] == "199.98"
    items = await gql(
        "query($id: ID!) { opportunity(id: $id) { lineItems { quantity } } }",
        {"id": to_global_id("Opportunity", deal.pk)},
    )
    assert items["opportunity"]["lineItems"] == [{"quantity": "10.00"}, {"quantity": "2.00"}]


async def test_bad_line_items_are_refused(gql):
    deal = await make_opportunity()
    seats = await product()
    base = {
        "opportunityId": to_global_id("Opportunity", deal.pk),
        "productId": to_global_id("Product", seats.pk),
    }
    before = await database_state()
    zero = await gql(ADD_ITEM, {"input": {**base, "quantity": "0"}})
    discount = await gql(ADD_ITEM, {"input": {**base, "quantity": "1", "discountPercent": "150"}})
    assert zero["createOpportunityLineItem"]["errors"] == [
        {"field": ["quantity"], "message": "quantity must be greater than 0", "code": "INVALID"}
    ]
    assert discount["createOpportunityLineItem"]["errors"] == [
        {
            "field": ["discountPercent"],
            "message": "discount percent must be between 0 and 100",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before


async def test_deleting_a_line_item_keeps_its_values_in_the_audit_log(gql):
    deal = await make_opportunity()
    seats = await product()
    item = await OpportunityLineItem.create(
        opportunity_id=deal.pk, product_id=seats.pk, quantity=3, unit_price=100
    )
    data = await gql(
        "mutation($id: ID!) { deleteOpportunityLineItem(input: {id: $id}) { opportunityLineItem { quantity } errors { message } } }",
        {"id": to_global_id("OpportunityLineItem", item.pk)},
    )
    assert data["deleteOpportunityLineItem"] == {
        "opportunityLineItem": {"quantity": "3.00"},
        "errors": [],
    }
    assert not await OpportunityLineItem.exists(pk=item.pk)
    entry = await AuditLogEntry.get(action="DELETE")
    assert entry.changes["quantity"] == {"before": "3.00", "after": None}
    assert entry.changes["productId"]["before"] == to_global_id("Product", seats.pk)


async def test_a_competitor_is_on_a_deal_once(gql):
    deal = await make_opportunity()
    rival = await Competitor.create(name="Rival")
    add = """mutation($input: CreateOpportunityCompetitorInput!) {
      createOpportunityCompetitor(input: $input) {
        opportunityCompetitor { status notes competitor { name } } errors { field message code } } }"""
    values = {
        "opportunityId": to_global_id("Opportunity", deal.pk),
        "competitorId": to_global_id("Competitor", rival.pk),
        "status": "PREFERRED",
        "notes": "Cheaper",
    }
    first = await gql(add, {"input": values})
    assert first["createOpportunityCompetitor"] == {
        "opportunityCompetitor": {
            "status": "PREFERRED",
            "notes": "Cheaper",
            "competitor": {"name": "Rival"},
        },
        "errors": [],
    }
    before = await database_state()
    second = await gql(add, {"input": values})
    assert second["createOpportunityCompetitor"]["errors"] == [
        {
            "field": ["competitorId"],
            "message": "this competitor is already on the deal",
            "code": "DUPLICATE",
        }
    ]
    assert await database_state() == before
