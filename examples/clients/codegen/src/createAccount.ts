// Creating an account: Decimal and Date inputs are strings too.
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const CreateAccountDocument = graphql(`
  mutation CreateAccount($input: CreateAccountInput!) {
    createAccount(input: $input) {
      account {
        id
        name
        tier
        status
        annualRecurringValue
        currency
        renewalDate
      }
      errors {
        field
        message
        code
      }
    }
  }
`);

export const createVariables: VariablesOf<typeof CreateAccountDocument> = {
  input: { clientId: "Q2xpZW50OjE=", name: "Acme renewal", annualRecurringValue: "12000.00", renewalDate: "2027-01-31" },
};

export function createdName(data: ResultOf<typeof CreateAccountDocument>): string | null {
  return data.createAccount.account?.name ?? null;
}
