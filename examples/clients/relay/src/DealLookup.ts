// A deal looked up by id, through the typed root field or through node(id:).
import { graphql } from "relay-runtime";

export const dealLookupQuery = graphql`
  query DealLookupQuery($id: ID!) {
    opportunity(id: $id) {
      ...DealLookup_deal
    }
  }
`;

export const dealLookupNodeQuery = graphql`
  query DealLookupNodeQuery($id: ID!) {
    node(id: $id) {
      __typename
      ...DealLookup_deal @alias(as: "deal")
    }
  }
`;

export const dealFragment = graphql`
  fragment DealLookup_deal on Opportunity {
    id
    name
    amount
    currency
    probability
    expectedCloseDate
    stageEnteredAt
    stage {
      id
      name
    }
    account {
      id
      name
    }
    stageHistory(first: 5) {
      edges {
        node {
          id
          changedAt
          fromStage {
            name
          }
          toStage {
            name
          }
        }
      }
    }
  }
`;
