// The portfolio: who is signed in, and their accounts with open deals, paged with @connection.
import { graphql } from "relay-runtime";
import type { PortfolioQuery } from "./__generated__/PortfolioQuery.graphql";
import type { Portfolio_accounts$data } from "./__generated__/Portfolio_accounts.graphql";

export const portfolioQuery = graphql`
  query PortfolioQuery {
    viewer {
      id
      name
      role
    }
    ...Portfolio_accounts
  }
`;

export const portfolioAccounts = graphql`
  fragment Portfolio_accounts on Query
  @refetchable(queryName: "PortfolioAccountsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    filter: { type: "AccountFilter" }
    orderBy: { type: "[AccountOrder!]", defaultValue: [{ field: NAME, direction: ASC }] }
  ) {
    accounts(first: $count, after: $cursor, filter: $filter, orderBy: $orderBy)
      @connection(key: "Portfolio_accounts") {
      totalCount
      edges {
        node {
          id
          name
          tier
          status
          annualRecurringValue
          currency
          renewalDate
          owner {
            id
            name
          }
          health {
            score
            status
          }
          opportunities(first: 5, filter: { status: OPEN }) {
            totalCount
            edges {
              node {
                id
                name
                amount
                currency
                expectedCloseDate
                stage {
                  id
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`;

export type PortfolioResponse = PortfolioQuery["response"];

/** One line per account: the scalars arrive as strings (customScalarTypes). */
export function portfolioLines(data: Portfolio_accounts$data): string[] {
  return data.accounts.edges.map(({ node }) => {
    const arr: string = node.annualRecurringValue;
    const renewal: string | null | undefined = node.renewalDate;
    return `${node.name} (${node.tier}) ${arr} ${node.currency} renews ${renewal ?? "-"}`;
  });
}
