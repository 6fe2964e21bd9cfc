// The deal kanban: every stage of every pipeline with its first open deals, one query.
import type { ResultOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const KanbanDocument = graphql(`
  query Kanban($perStage: Int = 10) {
    pipelines {
      id
      name
      stages {
        id
        name
        position
        category
        opportunities(first: $perStage, filter: { status: OPEN }, orderBy: [{ field: AMOUNT, direction: DESC }]) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              name
              amount
              weightedAmount
              currency
              owner {
                name
              }
            }
          }
        }
      }
    }
  }
`);

/** Each column's open amount; Decimal arrives as a string and is summed by the caller's decimal library. */
export function columnAmounts(data: ResultOf<typeof KanbanDocument>): Record<string, (string | null | undefined)[]> {
  const columns: Record<string, (string | null | undefined)[]> = {};
  for (const pipeline of data.pipelines) {
    for (const stage of pipeline.stages) {
      columns[stage.id] = stage.opportunities.edges.map(({ node }) => node.amount);
    }
  }
  return columns;
}
