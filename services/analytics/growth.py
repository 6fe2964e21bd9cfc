"""``growthOpportunities``: white space, the products an account has not bought that similar
accounts have.

Similar accounts are the other accounts the viewer sees that count in reports
(``rules.REPORTABLE_ACCOUNT``: neither they nor their client archived) whose client is in the
same industry, or that have the same tier. An account has bought a product when one of its
won deals (not archived) has a line item for it. For each active product the account has not
bought and at least one similar account has: how many similar accounts bought it, out of how
many, and that share in percent (one decimal). Most-bought first.
"""

from dataclasses import dataclass
from decimal import Decimal

from models import Account
from services.analytics.attainment import percentage
from services.analytics.rules import reportable_accounts
from services.analytics.sql import Statement
from services.errors import not_found
from services.visibility import Visibility


@dataclass(frozen=True)
class GrowthOpportunity:
    product_id: int
    accounts_bought: int
    similar_accounts: int
    share: Decimal | None


async def growth_opportunities(
    *, visibility: Visibility, account_id: int
) -> list[GrowthOpportunity]:
    seen = Account.filter(visibility.condition(Account))
    account = await seen.filter(pk=account_id).select_related("client").first()
    if account is None:
        raise not_found("Account", "account_id")
    s = Statement()
    bought = """
        SELECT li.product_id FROM opportunity_line_item li
        JOIN opportunity o ON o.id = li.opportunity_id
        JOIN stage st ON st.id = o.stage_id
        WHERE st.category = 'WON' AND o.archived_at IS NULL"""
    sql = f"""
        WITH peers AS (
            SELECT a.id AS id FROM account a JOIN client c ON c.id = a.client_id
            WHERE a.id IN ({s.rows_of(reportable_accounts(visibility).values("id"))})
              AND a.id <> {s.value(account.pk)}
              AND (c.industry = {s.value(account.client.industry)}
                   OR a.tier = {s.value(account.tier.value)})
        )
        SELECT li.product_id AS product_id, COUNT(DISTINCT o.account_id) AS buyers,
               (SELECT COUNT(*) FROM peers) AS similar_accounts
        FROM opportunity_line_item li
        JOIN opportunity o ON o.id = li.opportunity_id
        JOIN stage st ON st.id = o.stage_id
        JOIN product p ON p.id = li.product_id
        WHERE st.category = 'WON' AND o.archived_at IS NULL
          AND p.archived_at IS NULL AND p.is_active = TRUE
          AND o.account_id IN (SELECT id FROM peers)
          AND li.product_id NOT IN ({bought} AND o.account_id = {s.value(account.pk)})
        GROUP BY li.product_id
        ORDER BY buyers DESC, li.product_id
    """
    return [
        GrowthOpportunity(
            product_id=row["product_id"],
            accounts_bought=int(row["buyers"]),
            similar_accounts=int(row["similar_accounts"]),
            share=percentage(Decimal(int(row["buyers"])), Decimal(int(row["similar_accounts"]))),
        )
        for row in await s.rows(sql)
    ]
