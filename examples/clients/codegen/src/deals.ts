// A deal by id (typed root field or node), moving it, and the live stage changes.
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const DealFieldsFragment = graphql(`
  fragment DealFields on Opportunity {
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
  }
`);

export const DealDocument = graphql(`
  query Deal($id: ID!) {
    opportunity(id: $id) {
      ...DealFields
    }
  }
`);

export const DealNodeDocument = graphql(`
  query DealNode($id: ID!) {
    node(id: $id) {
      __typename
      id
      ...DealFields
    }
  }
`);

export const MoveDealDocument = graphql(`
  mutation MoveDeal($input: MoveOpportunityStageInput!) {
    moveOpportunityStage(input: $input) {
      opportunity {
        ...DealFields
      }
      stageChange {
        id
        changedAt
      }
      errors {
        field
        message
        code
      }
    }
  }
`);

export const StageChangesDocument = graphql(`
  subscription StageChanges($filter: OpportunityStageChangedFilter, $afterEventId: ID) {
    opportunityStageChanged(filter: $filter, afterEventId: $afterEventId) {
      id
      eventId
      changedAt
      fromStage {
        id
      }
      toStage {
        id
        name
      }
      opportunity {
        ...DealFields
      }
    }
  }
`);

export const moveVariables: VariablesOf<typeof MoveDealDocument> = {
  input: { opportunityId: "T3Bwb3J0dW5pdHk6MQ==", stageId: "U3RhZ2U6Mg==" },
};

export function refusals(data: ResultOf<typeof MoveDealDocument>): string[] {
  return data.moveOpportunityStage.errors.map((error) => `${error.code}: ${error.message}`);
}
