// Creating an account from the portfolio: the new account is prepended to the list on screen.
import { graphql } from "relay-runtime";
import type { CreateAccountMutation$variables } from "./__generated__/CreateAccountMutation.graphql";

export const createAccountMutation = graphql`
  mutation CreateAccountMutation($input: CreateAccountInput!, $connections: [ID!]!) {
    createAccount(input: $input) {
      account @prependNode(connections: $connections, edgeTypeName: "AccountEdge") {
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
`;

export const exampleVariables: CreateAccountMutation$variables = {
  input: { clientId: "Q2xpZW50OjE=", name: "Acme renewal", annualRecurringValue: "12000.00", renewalDate: "2027-01-31" },
  connections: [],
};
