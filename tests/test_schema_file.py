from pathlib import Path

from schema.root import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_is_current():
    assert SCHEMA_FILE.read_text() == schema_sdl(), (
        "schema.graphql is out of date: run `make schema` (accountgraph export-schema)"
    )


def test_every_type_field_and_argument_is_described():
    from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

    from schema.root import build_schema

    schema = build_schema()

    missing = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__"):
            continue
        if not graphql_type.description and name not in {"Boolean", "String", "Int", "Float", "ID"}:
            missing.append(name)
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInputObjectType | GraphQLInterfaceType
        ):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []
