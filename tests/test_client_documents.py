"""The example front-end documents (examples/clients/) still validate against schema.graphql.

CI compiles them with relay-compiler and GraphQL Codegen (.ci/clients.sh); this is the cheap
guard that runs with the suite: a field renamed or removed from the schema fails here first.
"""

import re
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLSchema,
    NoUndefinedVariablesRule,
    NoUnusedVariablesRule,
    build_schema,
    parse,
    specified_rules,
    validate,
)
from graphql.language import DirectiveNode, Visitor, visit

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "examples" / "clients"

# Relay's directives, as relay-compiler knows them. @argumentDefinitions and @arguments give
# fragments variables of their own, so they are removed and the variable rules are not run on
# Relay documents (relay-compiler checks those itself).
RELAY_DIRECTIVES = """
directive @connection(key: String!, filters: [String]) on FIELD
directive @refetchable(queryName: String!) on FRAGMENT_DEFINITION
directive @prependNode(connections: [ID!]!, edgeTypeName: String!) on FIELD
directive @appendNode(connections: [ID!]!, edgeTypeName: String!) on FIELD
directive @deleteRecord on FIELD
directive @deleteEdge(connections: [ID!]!) on FIELD
directive @alias(as: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
"""
RELAY_RULES = [
    rule
    for rule in specified_rules
    if rule not in (NoUndefinedVariablesRule, NoUnusedVariablesRule)
]


def _schema(extra_sdl: str = "") -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text() + extra_sdl)


def _documents(project: str, pattern: str) -> dict[str, str]:
    """Each graphql tagged template (Relay) or graphql() call (Codegen) in a project's sources."""
    found = {}
    for path in sorted((CLIENTS / project / "src").glob("*.ts")):
        for text in re.findall(pattern, path.read_text()):
            name = re.search(r"(?:query|mutation|subscription|fragment)\s+(\w+)", text)
            assert name, f"{path.name}: a document without a name"
            found[name.group(1)] = text
    return found


def relay_documents() -> dict[str, str]:
    return _documents("relay", r"graphql`([^`]*)`")


def codegen_documents() -> dict[str, str]:
    return _documents("codegen", r"graphql\(`([^`]*)`\)")


class _StripRelayArguments(Visitor):
    def enter_directive(self, node: DirectiveNode, *_args: object) -> object:
        if node.name.value in ("argumentDefinitions", "arguments"):
            return self.REMOVE
        return None


def relay_errors(documents: dict[str, str]) -> list[str]:
    document = visit(parse("\n".join(documents.values())), _StripRelayArguments())
    assert isinstance(document, DocumentNode)
    return [error.message for error in validate(_schema(RELAY_DIRECTIVES), document, RELAY_RULES)]


def codegen_errors(documents: dict[str, str]) -> list[str]:
    document = parse("\n".join(documents.values()))
    return [error.message for error in validate(_schema(), document)]


def test_every_screen_has_its_documents():
    assert sorted(relay_documents()) == [
        "AccountPageQuery",
        "AccountPage_timeline",
        "CreateAccountMutation",
        "DealLookupNodeQuery",
        "DealLookupQuery",
        "DealLookup_deal",
        "KanbanQuery",
        "Kanban_column",
        "MoveOpportunityStageMutation",
        "NotificationsQuery",
        "Notifications_events",
        "PortfolioQuery",
        "Portfolio_accounts",
        "StageChangesSubscription",
    ]
    assert sorted(codegen_documents()) == [
        "AccountPage",
        "CreateAccount",
        "Deal",
        "DealFields",
        "DealNode",
        "Kanban",
        "LiveEvents",
        "MoveDeal",
        "Notifications",
        "Portfolio",
        "StageChanges",
    ]


def test_relay_documents_validate_against_schema_graphql():
    assert relay_errors(relay_documents()) == []


def test_codegen_documents_validate_against_schema_graphql():
    assert codegen_errors(codegen_documents()) == []


def test_a_field_missing_from_the_schema_is_reported():
    relay = relay_documents()
    relay["KanbanQuery"] = relay["KanbanQuery"].replace("probability", "winChance")
    codegen = codegen_documents()
    codegen["DealFields"] = codegen["DealFields"].replace("probability", "winChance")

    assert relay_errors(relay) == ["Cannot query field 'winChance' on type 'Stage'."]
    assert codegen_errors(codegen) == ["Cannot query field 'winChance' on type 'Opportunity'."]
