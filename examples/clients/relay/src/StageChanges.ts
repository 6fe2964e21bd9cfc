// Live kanban: deals moved by others, resumed after the last event seen.
import { graphql } from "relay-runtime";

export const stageChangesSubscription = graphql`
  subscription StageChangesSubscription($filter: OpportunityStageChangedFilter, $afterEventId: ID) {
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
        id
        stageEnteredAt
        stage {
          id
          name
        }
      }
    }
  }
`;
