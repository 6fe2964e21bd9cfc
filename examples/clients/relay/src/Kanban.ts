// The deal kanban: a pipeline's stages, each with its first open deals, in one query.
import { graphql } from "relay-runtime";
import type { KanbanQuery } from "./__generated__/KanbanQuery.graphql";

export const kanbanQuery = graphql`
  query KanbanQuery {
    pipelines {
      id
      name
      stages {
        id
        name
        position
        probability
        category
        ...Kanban_column
      }
    }
  }
`;

export const kanbanColumn = graphql`
  fragment Kanban_column on Stage
  @refetchable(queryName: "KanbanColumnPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    opportunities(
      first: $count
      after: $cursor
      filter: { status: OPEN }
      orderBy: [{ field: AMOUNT, direction: DESC }]
    ) @connection(key: "Kanban_opportunities") {
      totalCount
      edges {
        node {
          id
          name
          amount
          weightedAmount
          currency
          daysInStage
          owner {
            id
            name
          }
          account {
            id
            name
          }
        }
      }
    }
  }
`;

export function stageNames(data: KanbanQuery["response"]): string[] {
  return data.pipelines.flatMap((pipeline) => pipeline.stages.map((stage) => `${pipeline.name}: ${stage.name}`));
}
