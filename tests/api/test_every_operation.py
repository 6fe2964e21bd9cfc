"""Every root query field and every mutation, generated from the schema itself, refuses
callers who may not use it: anonymous callers are asked to sign in, read-only users may not
write (a FORBIDDEN error in the mutation's payload), and nothing changes either way."""

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from ids import to_global_id
from models.enums import Role
from resolvers.mutation import MayWriteInPayload
from schema.root import build_schema
from services import auth
from tests.factories import make_team, make_user
from tests.state import database_state

schema = build_schema()

MUTATION_TYPE = schema._schema.mutation_type
QUERY_TYPE = schema._schema.query_type
assert MUTATION_TYPE is not None and QUERY_TYPE is not None
SAMPLES = {
    "String": "x",
    "ID": to_global_id("Account", 1),
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Decimal": "1",
    "Date": "2030-01-01",
    "DateTime": "2030-01-01T00:00:00Z",
    "JSON": {},
    "Upload": "x",  # a JSON stand-in for a file: the access checks come before the upload
}
PUBLIC_MUTATIONS = {"login", "refreshToken", "logout"}
# Any signed-in user manages their own keys and password.
OWN_CREDENTIALS = {"createApiKey", "revokeApiKey", "changePassword"}
PUBLIC_QUERIES = {"viewer"}


def sample(graphql_type):
    """A value of ``graphql_type`` that passes validation (the resolver decides the rest)."""
    if isinstance(graphql_type, GraphQLNonNull):
        return sample(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return [sample(graphql_type.of_type)]
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: sample(field.type)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
    assert isinstance(graphql_type, GraphQLScalarType)
    return SAMPLES[graphql_type.name]


def document(kind: str, name: str) -> tuple[str, dict]:
    """``mutation($a0: T!) { name(arg: $a0) { __typename } }`` with every required argument;
    a mutation selects its payload's ``errors``."""
    root = MUTATION_TYPE if kind == "mutation" else QUERY_TYPE
    assert root is not None
    field = root.fields[name]
    required = [
        (arg_name, arg)
        for arg_name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull)
    ]
    params = ", ".join(f"$a{i}: {arg.type}" for i, (_, arg) in enumerate(required))
    args = ", ".join(f"{arg_name}: $a{i}" for i, (arg_name, _) in enumerate(required))
    variables = {f"a{i}": sample(arg.type) for i, (_, arg) in enumerate(required)}
    head = f"{kind}({params})" if params else kind
    call = f"{name}({args})" if args else name
    selection = "errors { field message code }" if kind == "mutation" else "__typename"
    return f"{head} {{ {call} {{ {selection} }} }}", variables


def refusal(name: str) -> str:
    """The message a caller whose role may not run mutation ``name`` is given."""
    field = schema.get_field_for_type(field_name=name, type_name="Mutation")
    assert field is not None
    (check,) = (e for e in field.extensions if isinstance(e, MayWriteInPayload))
    return check.message


MUTATIONS = sorted(MUTATION_TYPE.fields)
# The whole answer to an anonymous call of anything but signing in (HTTP 401).
SIGN_IN_FIRST = {
    "errors": [
        {
            "message": "Sign in first: send 'Authorization: Bearer <access token or API key>'.",
            "extensions": {"code": "UNAUTHENTICATED", "reason": "MISSING"},
        }
    ]
}
QUERIES = sorted(name for name in QUERY_TYPE.fields if name not in PUBLIC_QUERIES)


@pytest.mark.parametrize("name", sorted(set(MUTATIONS) - PUBLIC_MUTATIONS))
async def test_every_mutation_asks_anonymous_callers_to_sign_in(gql, name):
    query, variables = document("mutation", name)
    before = await database_state()
    body = await gql(query, variables, token=None, errors=True)
    assert body == SIGN_IN_FIRST
    assert await database_state() == before


@pytest.mark.parametrize("name", sorted(set(MUTATIONS) - PUBLIC_MUTATIONS - OWN_CREDENTIALS))
async def test_every_mutation_is_forbidden_to_read_only_users(gql, name):
    team = await make_team()
    viewer = await make_user(role=Role.VIEWER, team_id=team.pk)
    query, variables = document("mutation", name)
    before = await database_state()
    body = await gql(query, variables, token=auth.issue_access_token(viewer), errors=True)
    assert body == {
        "data": {name: {"errors": [{"field": None, "message": refusal(name), "code": "FORBIDDEN"}]}}
    }
    assert await database_state() == before


@pytest.mark.parametrize("name", QUERIES)
async def test_every_query_field_asks_anonymous_callers_to_sign_in(gql, name):
    query, variables = document("query", name)
    body = await gql(query, variables, token=None, errors=True)
    assert body == SIGN_IN_FIRST


async def api_key(*scopes: auth.Scope) -> str:
    """A key of an administrator (who may do anything) with only ``scopes``."""
    admin = await make_user(role=Role.ADMIN)
    return (await auth.create_api_key(user_id=admin.pk, name="k", scopes=frozenset(scopes)))[1]


def without_key_use(state: dict) -> dict:
    """The database state apart from the API keys' last-used times."""
    return {table: rows for table, rows in state.items() if table != "api_key"}


# What the mutations on a user's own credentials tell any API key.
API_KEYS_MAY_NOT = {
    "createApiKey": "API keys may not create API keys",
    "revokeApiKey": "API keys may not revoke API keys",
    "changePassword": "API keys may not change passwords",
}


@pytest.mark.parametrize("name", sorted(set(MUTATIONS) - PUBLIC_MUTATIONS))
async def test_every_mutation_is_forbidden_to_a_read_only_api_key(gql, name):
    key = await api_key(auth.Scope.READ)
    query, variables = document("mutation", name)
    before = await database_state()
    body = await gql(query, variables, token=key, errors=True)
    message = (
        f"{API_KEYS_MAY_NOT[name]}: sign in with a password and use the access token"
        if name in OWN_CREDENTIALS
        else "This API key may not change anything: use a key with the write scope."
    )
    assert body == {
        "data": {name: {"errors": [{"field": None, "message": message, "code": "FORBIDDEN"}]}}
    }
    assert without_key_use(await database_state()) == without_key_use(before)


@pytest.mark.parametrize("name", sorted(QUERY_TYPE.fields))
async def test_every_query_field_is_forbidden_to_a_write_only_api_key(gql, name):
    key = await api_key(auth.Scope.WRITE)
    query, variables = document("query", name)
    body = await gql(query, variables, token=key, errors=True)
    assert body == {
        "errors": [
            {
                "message": "This API key may not read anything: use a key with the read scope.",
                "extensions": {"code": "FORBIDDEN"},
            }
        ]
    }
