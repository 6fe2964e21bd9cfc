"""Cursors name a row's place in the list's ordering, for every connection and every orderBy
it offers (generated from the schema and the ``Listing`` registry): paging forward and
backward over ties and missing values gives exactly the whole ordered list, and rows that
exist throughout are neither repeated nor skipped when others are inserted, archived or
deleted between pages. Old offset cursors, damaged ones and cursors of another ordering
are refused, naming the argument."""

import base64
import itertools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cmp_to_key
from types import SimpleNamespace
from typing import Any, cast

import pytest
from strawberry.types.base import get_object_definition
from tortoise.fields import CharField, DateField, DatetimeField, DecimalField, TextField
from tortoise.fields.data import CharEnumFieldInstance, UUIDField
from tortoise.models import Model

from ids import to_global_id
from models import (
    Activity,
    CoordinationComment,
    Product,
    SatisfactionResponse,
    Target,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from models import (
    Client as ClientModel,
)
from models import (
    Competitor as CompetitorModel,
)
from models.audit import AuditLogEntry
from models.enums import ActivityKind, SatisfactionKind
from models.opportunities import OpportunityStageChange
from resolvers.core.listing import SortExpression, list_page, ordering
from resolvers.core.pagination import PageArgs, ValueKind
from schema.base import RecordNode
from schema.listing import LISTINGS, Listing
from schema.root import build_schema
from services.search import fold
from tests.database import count_statements
from tests.factories import (
    make_account,
    make_client,
    make_contact,
    make_lead,
    make_opportunity,
    make_plan,
    make_request,
    make_team,
    make_user,
)
from tests.state import database_state

SCHEMA = build_schema()._schema
ROWS = 9  # copies of a seed row, with ties and missing values in every sortable column


def _name(node: type) -> str:
    return get_object_definition(node, strict=True).name


def _node_models() -> dict[str, type[Model]]:
    return {_name(cls): model for model, cls in RecordNode.declared.items()}


def _connections() -> list[tuple[str, str, Listing]]:
    """(parent type, field, listing) of every list field that takes an ``orderBy``."""
    by_node = {_name(listing.node): listing for listing in LISTINGS}
    found = []
    for type_name, graphql_type in sorted(SCHEMA.type_map.items()):
        if type_name.startswith("__") or not hasattr(graphql_type, "fields"):
            continue
        for field_name, field in graphql_type.fields.items():
            if "orderBy" not in getattr(field, "args", {}):
                continue
            connection = field.type.of_type.name
            found.append((type_name, field_name, by_node[connection.removesuffix("Connection")]))
    return found


CONNECTIONS = _connections()


def _order_cases() -> list:
    """Every connection with every field in both directions, and all its fields at once."""
    cases = []
    for parent, field, listing in CONNECTIONS:
        names = list(listing.columns)
        for name, direction in itertools.product(names, ("ASC", "DESC")):
            cases.append(pytest.param(parent, field, listing, [(name, direction)],
                                      id=f"{parent}.{field}-{name}-{direction}"))  # fmt: skip
        mixed = [(name, ("DESC", "ASC")[i % 2]) for i, name in enumerate(names)]
        cases.append(pytest.param(parent, field, listing, mixed, id=f"{parent}.{field}-all"))
        cases.append(pytest.param(parent, field, listing, [], id=f"{parent}.{field}-default"))
    return cases


# ---- data: a small world, and copies of one row of each kind with chosen sort values ----

T0 = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
TEXTS = ["Beta", "beta", "Álpha", "BÉTA", "alpha", "Ça", "BETA", "ÁLPHA", "ca"]
TIMES = [T0, T0, T0 - timedelta(days=1), T0 + timedelta(microseconds=500000), T0,
         T0 + timedelta(days=2), T0 - timedelta(days=1), T0 + timedelta(microseconds=1), T0]  # fmt: skip
DATES = [date(2031, 5, 1), date(2031, 5, 1), date(2030, 12, 31), date(2031, 6, 1),
         date(2031, 5, 1), date(2031, 1, 9), date(2031, 1, 10), date(2030, 12, 31),
         date(2031, 6, 1)]  # fmt: skip
NUMBERS = ["10.00", "9.50", "100.00", "10.00", "0.00", "9.50", "1000.00", "10.01", "100.00"]
INTEGERS = [5, 5, 10, 1, 0, 10, 5, 9, 1]
MISSING = (3, 7)  # rows whose nullable sort values are missing


def sort_value(field: Any, row: int, column: int) -> Any:
    i = (row + 2 * column) % ROWS
    if field.null and i in MISSING:
        return None
    if isinstance(field, DatetimeField):
        return TIMES[i]
    if isinstance(field, DateField):
        return DATES[i]
    if isinstance(field, DecimalField):
        return Decimal(NUMBERS[i])
    if isinstance(field, CharField | TextField):
        return TEXTS[i]
    return INTEGERS[i]


async def build_world() -> dict[type[Model], Model]:
    """One record of each kind a list shows, linked so each nested list has one."""
    admin = await User.get(email="admin@example.com")
    team = await make_team(name="Seed team")
    user = await make_user(team_id=team.pk)
    client = await make_client(name="Seed client")
    account = await make_account(client_id=client.pk, owner_id=user.pk)
    contact = await make_contact(client_id=client.pk)
    deal = await make_opportunity(account_id=account.pk)
    lead = await make_lead(owner_id=user.pk)
    activity = await Activity.create(
        kind=ActivityKind.CALL, subject="Seed", occurred_at=T0, owner_id=user.pk,
        client_id=client.pk, contact_id=contact.pk, account_id=account.pk,
        opportunity_id=deal.pk, lead_id=lead.pk,
    )  # fmt: skip
    request = await make_request(account_id=account.pk, team_id=team.pk, assignee_id=admin.pk)
    endpoint = await WebhookEndpoint.create(
        owner_id=admin.pk, url="https://hooks.example.com/a", secret_encrypted="x"
    )
    seeds: list[Model | None] = [
        user, team, client, contact, account, deal, lead, activity, request,
        await make_plan(account_id=account.pk),
        await CoordinationComment.create(request_id=request.pk, author_id=user.pk, body="Hi"),
        await Target.create(user_id=user.pk, period_start=date(2031, 1, 1),
                            period_end=date(2031, 3, 31), amount=Decimal("1000.00")),
        await Product.create(name="Seed product", sku="SEED-1", list_price=Decimal("1.00"),
                             currency="USD"),
        await CompetitorModel.create(name="Seed competitor"),
        await SatisfactionResponse.create(account_id=account.pk, kind=SatisfactionKind.NPS,
                                          score=9, received_at=T0),
        endpoint,
        await WebhookDelivery.create(
            endpoint_id=endpoint.pk, event_id=uuid.uuid4(), event_type="webhook.ping",
            payload="{}", next_attempt_at=T0, event_occurred_at=T0, created_at=T0, updated_at=T0,
        ),
        await OpportunityStageChange.filter(opportunity_id=deal.pk).first(),
        await AuditLogEntry.all().order_by("id").first(),
    ]  # fmt: skip
    return {type(seed): seed for seed in seeds if seed is not None}


_copies = itertools.count(1)


async def copy_row(seed: Model, values: dict[str, Any]) -> Model:
    """A new row like ``seed`` with ``values`` (set after creation, so that timestamps the
    model fills in itself take the chosen value too)."""
    meta = type(seed)._meta
    n = next(_copies)
    data: dict[str, Any] = {}
    for name in meta.fields_db_projection:
        field = meta.fields_map[name]
        if name == meta.pk_attr:
            continue
        value = getattr(seed, name)
        if isinstance(field, UUIDField):
            value = uuid.uuid4()
        elif field.unique and isinstance(value, str):
            value = f"{value} {n}"
        elif field.unique:
            value = None
        data[name] = value
    row = await type(seed).create(**data)
    if values:
        await type(seed).filter(pk=row.pk).update(**values)
    return await type(seed).get(pk=row.pk)


def column(listing: Listing, name: str) -> str:
    """The model field an orderBy field sorts by (every list sorts by fields so far)."""
    field = listing.columns[name]
    assert isinstance(field, str)
    return field


def sort_columns(listing: Listing, order: list[tuple[str, str]]) -> list[tuple[str, bool]]:
    """(model field, descending) of an orderBy, as the server completes it (default, id)."""
    if order:
        terms = [(column(listing, name), direction == "DESC") for name, direction in order]
    else:
        terms = [(term.lstrip("-"), term.startswith("-")) for term in listing.default_order]
    if terms[-1][0] != "id":
        terms.append(("id", terms[-1][1]))
    return terms


async def fill(listing: Listing, world: dict, values: Callable[[int], dict]) -> list[Model]:
    seed = world[listing.model]
    return [await copy_row(seed, values(row)) for row in range(ROWS)]


def spread(listing: Listing) -> Callable[[int], dict]:
    """Sort values for copy ``row``: ties and missing values in every sortable column."""
    fields = listing.model._meta.fields_map
    columns = list(dict.fromkeys(column(listing, name) for name in listing.columns))
    return lambda row: {c: sort_value(fields[c], row, i) for i, c in enumerate(columns)}


# ---- what the list should be, computed here from the rows themselves ----


def _python_key(field: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, CharField | TextField) and not isinstance(field, CharEnumFieldInstance):
        return fold(value)
    return value


async def expected_ids(model: type[Model], ids: list[int], terms: list[tuple[str, bool]]):
    """``ids`` in the order ``terms`` give: missing values last either way, text folded."""
    rows = await model.filter(pk__in=ids)
    fields = model._meta.fields_map

    def compare(a: Model, b: Model) -> int:
        for column, descending in terms:
            x = _python_key(fields[column], getattr(a, column))
            y = _python_key(fields[column], getattr(b, column))
            if x == y:
                continue
            if x is None or y is None:
                return 1 if x is None else -1
            return (1 if x > y else -1) * (-1 if descending else 1)
        return 0

    return [row.pk for row in sorted(rows, key=cmp_to_key(compare))]


# ---- paging through a list over the API ----

PAGE = "edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def document(parent: str, field: str, order: list[tuple[str, str]]) -> str:
    order_by = ", ".join(f"{{field: {name}, direction: {d}}}" for name, d in order)
    args = f"first: $first, after: $after, last: $last, before: $before, orderBy: [{order_by}]"
    variables = "$first: Int, $after: String, $last: Int, $before: String"
    if parent == "Query":
        return f"query({variables}) {{ list: {field}({args}) {{ {PAGE} }} }}"
    return (
        f"query($parent: ID!, {variables}) {{ node(id: $parent) {{ ... on {parent} {{ "
        f"list: {field}({args}) {{ {PAGE} }} }} }} }}"
    )


class Pager:
    def __init__(self, gql, parent: str, field: str, order, parent_id: str | None) -> None:
        self.gql, self.parent, self.query = gql, parent, document(parent, field, order)
        self.parent_id = parent_id

    async def page(self, **arguments: Any) -> dict:
        variables = {"parent": self.parent_id, **arguments} if self.parent_id else arguments
        data = await self.gql(self.query, variables)
        return data["list"] if self.parent == "Query" else data["node"]["list"]

    async def everything(self) -> list[int]:
        return ids_of(await self.page(first=100))


def ids_of(connection: dict) -> list[int]:
    return [int(base64.b64decode(e["node"]["id"]).decode().split(":")[1])
            for e in connection["edges"]]  # fmt: skip


async def walk(pager: Pager, size: int, forward: bool, between=None) -> list[int]:
    """Every row, page by page, checking the page flags; ``between`` runs after each page."""
    seen: list[list[int]] = []
    cursor = None
    while True:
        if forward:
            connection = await pager.page(first=size, after=cursor)
        else:
            connection = await pager.page(last=size, before=cursor)
        info = connection["pageInfo"]
        rows = ids_of(connection)
        seen.append(rows)
        more, earlier = (
            (info["hasNextPage"], info["hasPreviousPage"])
            if forward
            else (info["hasPreviousPage"], info["hasNextPage"])
        )
        assert earlier is (cursor is not None), (seen, info)
        if rows:
            edges = connection["edges"]
            assert (info["startCursor"], info["endCursor"]) == (
                edges[0]["cursor"],
                edges[-1]["cursor"],
            )
        if not more:
            break
        assert len(rows) == size
        cursor = info["endCursor"] if forward else info["startCursor"]
        if between is not None:
            await between(rows)
    pages = seen if forward else seen[::-1]
    return [row for page in pages for row in page]


async def setup_case(gql, parent: str, field: str, listing: Listing):
    world = await build_world()
    rows = await fill(listing, world, spread(listing))
    parent_id = None
    if parent != "Query":
        parent_model = _node_models()[parent]
        link = next(
            name
            for name in listing.model._meta.fk_fields
            if cast(Any, listing.model._meta.fields_map[name]).related_model is parent_model
        )
        parent_pk = getattr(world[listing.model], f"{link}_id")
        parent_id = to_global_id(parent, parent_pk)
    return world, rows, parent_id


@pytest.mark.parametrize(("parent", "field", "listing", "order"), _order_cases())
async def test_paging_both_ways_gives_the_whole_ordered_list(gql, parent, field, listing, order):
    _, rows, parent_id = await setup_case(gql, parent, field, listing)
    pager = Pager(gql, parent, field, order, parent_id)
    listed = await pager.everything()
    assert {row.pk for row in rows} <= set(listed)
    expected = await expected_ids(listing.model, listed, sort_columns(listing, order))
    assert listed == expected
    assert await walk(pager, 2, forward=True) == expected
    assert await walk(pager, 3, forward=False) == expected


def _concurrent_cases() -> list:
    cases = []
    for parent, field, listing in CONNECTIONS:
        mixed = [(name, ("DESC", "ASC")[i % 2]) for i, name in enumerate(listing.columns)]
        for forward in (True, False):
            way = "forward" if forward else "backward"
            cases.append(pytest.param(parent, field, listing, mixed, forward,
                                      id=f"{parent}.{field}-{way}"))  # fmt: skip
    return cases


async def remove(listing: Listing, row: Model) -> None:
    """Archive a row the way users do, or delete it where lists have no archive."""
    if listing.archivable:
        await type(row).filter(pk=row.pk).update(archived_at=T0)
    else:
        await type(row).filter(pk=row.pk).delete()


@pytest.mark.parametrize(("parent", "field", "listing", "order", "forward"), _concurrent_cases())
async def test_changes_between_pages_repeat_or_skip_nothing(
    gql, parent, field, listing, order, forward
):
    _, rows, parent_id = await setup_case(gql, parent, field, listing)
    pager = Pager(gql, parent, field, order, parent_id)
    before = await pager.everything()
    by_pk = {row.pk: row for row in rows}
    gone: set[int] = set()
    added: list[int] = []
    columns = list(dict.fromkeys(column(listing, name) for name in listing.columns))

    def same(source: Model, column: str) -> Any:
        """The source's value; a unique one made different, though only just."""
        value = getattr(source, column)
        unique = listing.model._meta.fields_map[column].unique
        return f"{value} {next(_copies)}" if unique and value is not None else value

    async def change(page: list[int]) -> None:
        """Copies of the first row, the cursor's row and the last row (so ties land on both
        sides of the cursor, and new rows before and after it); then the cursor's own row
        and one not read yet leave the list."""
        cursor_row = page[-1] if forward else page[0]
        for pk in (before[0], cursor_row, before[-1]):
            if pk in by_pk:
                source = by_pk[pk]
                copy = await copy_row(source, {c: same(source, c) for c in columns})
                added.append(copy.pk)
        unread = [pk for pk in (before if forward else before[::-1]) if pk in by_pk]
        unread = unread[unread.index(cursor_row) + 1 :] if cursor_row in unread else []
        for pk in [cursor_row, *unread[1:2]]:
            if pk in by_pk and pk not in gone:
                await remove(listing, by_pk[pk])
                gone.add(pk)

    walked = await walk(pager, 3, forward, between=change)
    assert len(walked) == len(set(walked)), walked
    throughout = [pk for pk in before if pk not in gone]
    assert [pk for pk in walked if pk in set(before)] == [pk for pk in before if pk in walked]
    assert set(throughout) <= set(walked)
    assert set(walked) <= set(before) | set(added)
    assert gone and added


# ---- refused cursors ----


def _cursor(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


OLD_OFFSET = base64.b64encode(b"cursor:3").decode()
DAMAGED = "'{}' is not a valid cursor; pass a cursor from a page of this list"


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        (OLD_OFFSET, "'{}' is an old offset cursor, no longer accepted; read the list again "
                     "from its first page to get current cursors"),
        ("bogus", DAMAGED),
        ("!!!", DAMAGED),
        (_cursor([1, 2]), DAMAGED),
        (_cursor({"v": 1, "o": "Client(name,id)", "k": ["a"]}), DAMAGED),
        (_cursor({"v": 1, "o": "Client(name,id)", "k": [1, 2]}), DAMAGED),
        (_cursor({"v": 1, "o": "Client(name,id)", "k": ["a", None]}), DAMAGED),
        (_cursor({"v": 1, "o": "Client(name,id)", "k": ["a", True]}), DAMAGED),
        (_cursor({"v": 2, "o": "Client(name,id)", "k": ["a", 1]}),
         "'{}' is a cursor of another version of the API; read the list again from its first page"),
        (_cursor({"v": 1, "o": "Client(-name,-id)", "k": ["a", 1]}),
         "'{}' is a cursor of another list or another orderBy; pass a cursor from a page of "
         "this list read with the same orderBy"),
        (_cursor({"v": 1, "o": "Account(name,id)", "k": ["a", 1]}),
         "'{}' is a cursor of another list or another orderBy; pass a cursor from a page of "
         "this list read with the same orderBy"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_foreign_old_or_damaged_cursors_are_refused(gql, cursor, message, argument):
    await make_client(name="Initech")
    state = await database_state()
    body = await gql(
        f"query($c: String) {{ clients({argument}: $c) {{ totalCount }} }}", {"c": cursor},
        errors=True,
    )  # fmt: skip
    assert body == {
        "data": None,
        "errors": [
            {
                "message": message.format(argument),
                "locations": [{"line": 1, "column": 21}],
                "path": ["clients"],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }
    assert await database_state() == state


async def test_a_cursor_of_another_order_is_refused_in_a_nested_list(gql):
    client = await make_client(name="Initech")
    await make_account(client_id=client.pk, name="A")
    await make_account(client_id=client.pk, name="B")
    query = (
        "query($id: ID!, $c: String, $d: OrderDirection!) { node(id: $id) { ... on Client { "
        "accounts(first: 1, after: $c, orderBy: [{field: NAME, direction: $d}]) { "
        "pageInfo { endCursor } } } } }"
    )
    gid = to_global_id("Client", client.pk)
    first = await gql(query, {"id": gid, "c": None, "d": "ASC"})
    cursor = first["node"]["accounts"]["pageInfo"]["endCursor"]
    body = await gql(query, {"id": gid, "c": cursor, "d": "DESC"}, errors=True)
    assert body["errors"][0]["message"] == (
        "'after' is a cursor of another list or another orderBy; pass a cursor from a page of "
        "this list read with the same orderBy"
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert body["errors"][0]["path"] == ["node", "accounts"]


async def test_a_cursor_is_opaque_versioned_json_of_the_sort_values_and_the_id(gql):
    client = await make_client(name="Müller AG")
    data = await gql("{ clients { edges { cursor } } }")
    cursor = data["clients"]["edges"][0]["cursor"]
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert decoded == {"v": 1, "o": "Client(name,id)", "k": ["muller ag", client.pk]}


async def test_a_cursor_outlives_its_row(gql):
    """The cursor's own row deleted, the next page still starts right after its place."""
    made = [await make_client(name=name) for name in ("A", "B", "C", "D")]
    query = "query($c: String) { clients(first: 2, after: $c) { nodes { name } pageInfo { endCursor hasNextPage hasPreviousPage } } }"
    first = await gql(query, {"c": None})
    await made[1].delete()
    await made[0].delete()
    rest = await gql(query, {"c": first["clients"]["pageInfo"]["endCursor"]})
    assert rest["clients"]["nodes"] == [{"name": "C"}, {"name": "D"}]
    # Nothing is left before the cursor's place, so there is no previous page.
    assert rest["clients"]["pageInfo"]["hasPreviousPage"] is False
    assert rest["clients"]["pageInfo"]["hasNextPage"] is False


async def test_first_and_last_together_take_the_end_of_the_first_slice(gql):
    for name in "ABCDE":
        await make_client(name=name)
    data = await gql(
        "{ clients(first: 4, last: 2) { nodes { name } pageInfo { hasNextPage hasPreviousPage } } }"
    )
    assert data == {"clients": {"nodes": [{"name": "C"}, {"name": "D"}],
                                "pageInfo": {"hasNextPage": True, "hasPreviousPage": True}}}  # fmt: skip


async def test_paging_from_the_end_needs_no_count_and_cursors_cost_no_statement(gql):
    for name in "ABCDE":
        await make_client(name=name)
    with count_statements() as counter:
        last = await gql("{ clients(last: 2) { nodes { name } pageInfo { startCursor } } }")
    assert last["clients"]["nodes"] == [{"name": "D"}, {"name": "E"}]
    # the caller, the page
    assert counter.count == 2, counter.statements
    cursor = last["clients"]["pageInfo"]["startCursor"]
    with count_statements() as counter:
        data = await gql(
            "query($c: String) { clients(last: 2, before: $c) { nodes { name } } }", {"c": cursor}
        )
    assert data["clients"]["nodes"] == [{"name": "B"}, {"name": "C"}]
    assert counter.count == 2, counter.statements


async def test_nested_pages_after_a_cursor_are_one_statement_for_all_parents(gql):
    accounts = [await make_account(name=f"Account {n}") for n in range(3)]
    for account in accounts:
        for n in range(4):
            await Activity.create(kind=ActivityKind.CALL, subject=f"Call {n}",
                                  occurred_at=T0 - timedelta(days=n), account_id=account.pk)  # fmt: skip
    query = "query($c: String) { accounts { nodes { activities(first: 2, after: $c) { nodes { subject } pageInfo { endCursor } } } } }"
    first = await gql(query, {"c": None})
    cursor = first["accounts"]["nodes"][0]["activities"]["pageInfo"]["endCursor"]
    with count_statements() as counter:
        data = await gql(query, {"c": cursor})
    subjects = [[a["subject"] for a in n["activities"]["nodes"]] for n in data["accounts"]["nodes"]]
    assert subjects == [["Call 2", "Call 3"]] * 3
    # the caller, the accounts, the activities of all three
    assert counter.count == 3, counter.statements


def test_every_list_field_is_paged_here():
    assert len(CONNECTIONS) >= 31
    assert {(p, f) for p, f, _ in CONNECTIONS} >= {
        ("Query", "opportunities"),
        ("Account", "activities"),
        ("Opportunity", "stageHistory"),
    }


async def _walk_computed(order, size: int, forward: bool) -> list[str]:
    """Clients page by page through ``list_page``, in an order computed in SQL."""
    names: list[str] = []
    cursor = None
    while True:
        args = PageArgs(first=size, after=cursor) if forward else PageArgs(last=size, before=cursor)
        page = await list_page(ClientModel.filter(archived_at__isnull=True), order, args)
        rows = [row.name for row in page.rows]
        names = names + rows if forward else rows + names
        if not (page.has_next if forward else page.has_previous):
            return names
        cursor = page.cursors[-1] if forward else page.cursors[0]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_an_order_computed_in_sql_pages_like_a_column(direction):
    """A ``SortExpression`` (here: how many accounts a client has, missing for none)."""
    counts = {"A": 2, "B": 0, "C": 1, "D": 2, "E": 0, "F": 1}
    for name, count in counts.items():
        client = await make_client(name=name)
        for _ in range(count):
            await make_account(client_id=client.pk)
    accounts = SortExpression(
        'NULLIF((SELECT COUNT(*) FROM "account" WHERE "account"."client_id" = {table}."id"), 0)',
        ValueKind.INTEGER,
    )
    order_by = [SimpleNamespace(field=SimpleNamespace(value="ACCOUNTS"),
                                direction=SimpleNamespace(value=direction))]  # fmt: skip
    order = ordering(order_by, {"ACCOUNTS": accounts}, ("name",), ClientModel)
    # ties by id in the list's direction; clients without accounts last either way
    expected = {"ASC": ["C", "F", "A", "D", "B", "E"], "DESC": ["D", "A", "F", "C", "E", "B"]}
    for size in (1, 2, 4):
        assert await _walk_computed(order, size, forward=True) == expected[direction]
        assert await _walk_computed(order, size, forward=False) == expected[direction]
