// An account page with its timeline (union TimelineItem), paged.
import type { ResultOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const AccountPageDocument = graphql(`
  query AccountPage($id: ID!, $first: Int = 30, $after: String) {
    account(id: $id) {
      id
      name
      status
      client {
        id
        name
      }
      timeline(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            __typename
            ... on Activity {
              id
              kind
              subject
              occurredAt
            }
            ... on OpportunityStageChange {
              id
              changedAt
              opportunity {
                id
                name
              }
              toStage {
                name
              }
            }
            ... on CoordinationRequest {
              id
              title
              status
              createdAt
            }
            ... on SatisfactionResponse {
              id
              answerKind: kind
              score
              receivedAt
            }
          }
        }
      }
    }
  }
`);

type Account = NonNullable<ResultOf<typeof AccountPageDocument>["account"]>;

export function timelineTimes(account: Account): string[] {
  return account.timeline.edges.map(({ node }) => {
    switch (node.__typename) {
      case "Activity":
        return node.occurredAt;
      case "OpportunityStageChange":
        return node.changedAt;
      case "CoordinationRequest":
        return node.createdAt;
      case "SatisfactionResponse":
        return node.receivedAt;
      default:
        return "";
    }
  });
}
