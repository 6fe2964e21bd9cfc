// The portfolio: who is signed in, and a page of their accounts with open deals.
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const PortfolioDocument = graphql(`
  query Portfolio($first: Int = 20, $after: String, $filter: AccountFilter) {
    viewer {
      id
      name
      role
    }
    accounts(first: $first, after: $after, filter: $filter, orderBy: [{ field: NAME, direction: ASC }]) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
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
            nodes {
              id
              name
              amount
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
`);

export const nextPage: VariablesOf<typeof PortfolioDocument> = { first: 20, after: "cursor" };

export function portfolioLines(data: ResultOf<typeof PortfolioDocument>): string[] {
  return data.accounts.edges.map(({ node }) => {
    const arr: string = node.annualRecurringValue;
    const renewal: string | null | undefined = node.renewalDate;
    return `${node.name} (${node.tier}) ${arr} ${node.currency} renews ${renewal ?? "-"}`;
  });
}
