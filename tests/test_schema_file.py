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


def test_every_enum_value_is_described():
    from graphql import GraphQLEnumType

    from schema.root import build_schema

    schema = build_schema()._schema
    enums = {
        name: graphql_type
        for name, graphql_type in schema.type_map.items()
        if isinstance(graphql_type, GraphQLEnumType) and not name.startswith("__")
    }
    missing = [
        f"{name}.{value_name}"
        for name, graphql_type in enums.items()
        for value_name, value in graphql_type.values.items()
        if not (value.description or "").strip()
    ]
    assert missing == []
    assert sum(len(graphql_type.values) for graphql_type in enums.values()) >= 205


def test_after_and_before_say_whether_they_take_a_cursor_or_a_time():
    from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type

    from schema.root import build_schema

    schema = build_schema()._schema
    found: dict[str, set[str]] = {}
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType):
            places = [
                (name, arg.type, arg.description)
                for field in graphql_type.fields.values()
                for name, arg in field.args.items()
            ]
        elif isinstance(graphql_type, GraphQLInputObjectType):
            places = [(name, f.type, f.description) for name, f in graphql_type.fields.items()]
        else:
            continue
        for name, graphql_input, description in places:
            if name in {"after", "before"}:
                kind = get_named_type(graphql_input).name
                found.setdefault(f"{kind}: {description}", set()).add(name)
    cursor = "A cursor from this list (`pageInfo.{}Cursor` or an edge's `cursor`): the page "
    assert sorted(found) == [
        "DateTime: Only changes made at or after this time.",
        "DateTime: Only changes made before this time.",
        "String: " + cursor.format("end") + "starts just after that item. Opaque: pass it "
        "back as it came.",
        "String: " + cursor.format("start") + "ends just before that item; use with `last`. "
        "Opaque: pass it back as it came.",
        "String: An event's cursor: the page ends with the next newer.",
        "String: An event's cursor: the page starts with the next older.",
        "String: An item's cursor: the page ends with the next newer item.",
        "String: An item's cursor: the page starts with the next older item.",
    ]
