// The notifications feed: the viewer's events, newest first, typed per event.
import { graphql } from "relay-runtime";
import type { Notifications_events$data } from "./__generated__/Notifications_events.graphql";

export const notificationsQuery = graphql`
  query NotificationsQuery {
    ...Notifications_events
  }
`;

export const notificationsEvents = graphql`
  fragment Notifications_events on Query
  @refetchable(queryName: "NotificationsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }) {
    events(first: $count, after: $cursor) @connection(key: "Notifications_events") {
      edges {
        node {
          __typename
          eventId
          type
          occurredAt
          actor {
            id
            name
          }
          ... on OpportunityStageChangedEvent {
            opportunity {
              id
              name
            }
            stageChange {
              id
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
              currency
            }
          }
          ... on ActivityLoggedEvent {
            activity {
              id
              subject
              account {
                id
                name
              }
            }
          }
          ... on CoordinationRequestCreatedEvent {
            coordinationRequest {
              id
              title
            }
          }
          ... on AccountHealthChangedEvent {
            account {
              id
              name
              health {
                status
              }
            }
            changedFields
          }
        }
      }
    }
  }
`;

/** The newest event id seen: the subscription resumes after it. */
export function newestEventId(data: Notifications_events$data): string | null {
  return data.events.edges[0]?.node.eventId ?? null;
}
