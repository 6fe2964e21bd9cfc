// An account page: the account, and its timeline (union TimelineItem), refetchable and paged.
import { graphql } from "relay-runtime";
import type { AccountPage_timeline$data } from "./__generated__/AccountPage_timeline.graphql";

export const accountPageQuery = graphql`
  query AccountPageQuery($id: ID!) {
    account(id: $id) {
      id
      name
      status
      client {
        id
        name
      }
      ...AccountPage_timeline
    }
  }
`;

export const accountTimeline = graphql`
  fragment AccountPage_timeline on Account
  @refetchable(queryName: "AccountPageTimelineRefetchQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 30 }, cursor: { type: "String" }) {
    timeline(first: $count, after: $cursor) @connection(key: "AccountPage_timeline") {
      edges {
        node {
          __typename
          ... on Activity {
            id
            kind
            subject
            occurredAt
            owner {
              name
            }
          }
          ... on OpportunityStageChange {
            id
            changedAt
            opportunity {
              id
              name
            }
            fromStage {
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
`;

/** When each timeline item happened, whatever its kind. */
export function timelineTimes(data: AccountPage_timeline$data): string[] {
  return data.timeline.edges.map(({ node }) => {
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
