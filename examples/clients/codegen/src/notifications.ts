// The notifications feed, then the live events after the newest one loaded.
import type { ResultOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const NotificationsDocument = graphql(`
  query Notifications($first: Int = 20, $after: String) {
    events(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          __typename
          eventId
          type
          occurredAt
          actor {
            name
          }
          ... on OpportunityStageChangedEvent {
            opportunity {
              id
              name
            }
            stageChange {
              fromStage {
                name
              }
              toStage {
                name
              }
            }
          }
          ... on OpportunityWonEvent {
            opportunity {
              id
              name
              amount
            }
          }
          ... on ActivityLoggedEvent {
            activity {
              id
              subject
            }
          }
          ... on CoordinationRequestCreatedEvent {
            coordinationRequest {
              id
              title
            }
          }
        }
      }
    }
  }
`);

export const LiveEventsDocument = graphql(`
  subscription LiveEvents($afterEventId: ID) {
    events(afterEventId: $afterEventId) {
      __typename
      eventId
      type
      occurredAt
      ... on OpportunityWonEvent {
        opportunity {
          id
          name
        }
      }
    }
  }
`);

export function newestEventId(data: ResultOf<typeof NotificationsDocument>): string | null {
  return data.events.edges[0]?.node.eventId ?? null;
}
