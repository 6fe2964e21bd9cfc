// Moving a deal on the kanban: the payload carries the moved deal or the refusals.
import { graphql } from "relay-runtime";
import type { MoveOpportunityStageMutation } from "./__generated__/MoveOpportunityStageMutation.graphql";

export const moveOpportunityStageMutation = graphql`
  mutation MoveOpportunityStageMutation($input: MoveOpportunityStageInput!) {
    moveOpportunityStage(input: $input) {
      opportunity {
        id
        probability
        stageEnteredAt
        daysInStage
        stage {
          id
          name
        }
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
`;

export function refusals(response: MoveOpportunityStageMutation["response"]): string[] {
  return response.moveOpportunityStage.errors.map((error) => `${error.code}: ${error.message}`);
}
