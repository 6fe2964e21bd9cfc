"""growthOpportunities on the hand-computed portfolio (tests/services/portfolio.py) with
line items added here: won D3 (Acme) has Platform; won D9 (Westco) Platform and Analytics;
lost D6 (Beta) Support; open D1 (Acme) Analytics. Only won deals count as bought.

All three clients are in Retail, so each account's similar accounts are the two others
(when the viewer sees them). Acme and Westco are KEY accounts, Beta STANDARD.
"""

from decimal import Decimal

import pytest

from models import OpportunityLineItem, Product
from services.analytics.growth import growth_opportunities
from services.errors import DomainError
from tests.factories import make_account, make_client
from tests.services.portfolio import build_portfolio


async def with_products():
    return await add_products(await build_portfolio())


async def add_products(p):
    products = {}
    for name in ("Platform", "Analytics", "Support"):
        products[name] = await Product.create(
            name=name, sku=name.upper(), list_price=Decimal("100.00"), currency="USD"
        )
    for deal, product in (("D3", "Platform"), ("D9", "Platform"), ("D9", "Analytics"),
                          ("D6", "Support"), ("D1", "Analytics")):  # fmt: skip
        await OpportunityLineItem.create(
            opportunity=p.deals[deal], product=products[product], quantity=Decimal("1"),
            unit_price=Decimal("100.00"),
        )  # fmt: skip
    p.products = products
    return p


async def growth(p, who: str, account) -> list[tuple[str, int, int, Decimal | None]]:
    names = {x.pk: n for n, x in p.products.items()}
    return [
        (names[g.product_id], g.accounts_bought, g.similar_accounts, g.share)
        for g in await growth_opportunities(visibility=p.sees(who), account_id=account.pk)
    ]


async def test_white_space_of_an_account_for_an_administrator():
    p = await with_products()
    # Beta bought nothing: Platform by Acme and Westco (2 of 2), Analytics by Westco (1 of 2).
    assert await growth(p, "admin", p.beta) == [
        ("Platform", 2, 2, Decimal("100.0")),
        ("Analytics", 1, 2, Decimal("50.0")),
    ]
    # Acme has Platform; its open deal with Analytics does not count as bought.
    assert await growth(p, "admin", p.acme) == [("Analytics", 1, 2, Decimal("50.0"))]
    # Westco has both; Support was only on a lost deal.
    assert await growth(p, "admin", p.westco) == []


async def test_similar_accounts_are_those_the_viewer_sees():
    p = await with_products()
    # carol sees Acme and Beta only: Westco's purchases do not show.
    assert await growth(p, "carol", p.beta) == [("Platform", 1, 1, Decimal("100.0"))]
    assert await growth(p, "alice", p.acme) == []
    with pytest.raises(DomainError):
        await growth(p, "alice", p.beta)


async def test_accounts_of_the_same_tier_are_similar_without_an_industry():
    p = await with_products()
    other = await make_account(client_id=(await make_client()).pk, tier="KEY")
    # Similar by tier: Acme (Platform) and Westco (Platform, Analytics).
    assert await growth(p, "admin", other) == [
        ("Platform", 2, 2, Decimal("100.0")),
        ("Analytics", 1, 2, Decimal("50.0")),
    ]
