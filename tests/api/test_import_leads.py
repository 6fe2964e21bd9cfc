"""importLeads over real multipart requests (the GraphQL multipart request spec)."""

import gc
import json
from typing import Any

import httpx
import pytest

from ids import to_global_id
from models import AuditLogEntry, Lead, User
from models.enums import Role
from server import create_app
from services import auth
from services.auth import Scope
from settings import Settings
from tests.factories import make_lead, make_team, make_user
from tests.state import database_state

IMPORT = """mutation($input: ImportLeadsInput!) { importLeads(input: $input) {
  rows created updated unchanged rejected duplicates ignoredColumns dryRun
  rejectedRows { row column field message code }
  errors { field message code }
} }"""

FILE = (
    "Full name,Company,E-mail,Score,Notes\n"
    "Jo Doe,Initech,Jo@Initech.example,70,met at the fair\n"
    "Al,Acme,not-an-email,high,\n"
    "Jo Doe,Initech,jo@initech.example,75,\n"
)


async def upload(
    http: httpx.AsyncClient,
    content: bytes | str,
    token: str | None,
    **input: Any,
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    operations = {"query": IMPORT, "variables": {"input": {"file": None, **input}}}
    return await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("leads.csv", data, "text/csv")},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def token_for(user: User) -> str:
    return auth.issue_access_token(user)


async def test_an_account_manager_imports_a_file_and_owns_the_new_leads(http):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    response = await upload(http, FILE, token_for(ann))
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "importLeads": {
                "rows": 3,
                "created": 1,
                "updated": 1,
                "unchanged": 0,
                "rejected": 1,
                "duplicates": 1,
                "ignoredColumns": ["Notes"],
                "dryRun": False,
                "rejectedRows": [
                    {
                        "row": 3,
                        "column": "E-mail",
                        "field": "email",
                        "message": "email 'not-an-email' is not a valid email address: An "
                        "email address must have an @-sign.",
                        "code": "INVALID",
                    },
                    {
                        "row": 3,
                        "column": "Score",
                        "field": "score",
                        "message": "score 'high' is not a whole number",
                        "code": "INVALID",
                    },
                ],
                "errors": [],
            }
        }
    }
    assert await Lead.all().values_list("person_name", "email", "score", "owner_id") == [
        ("Jo Doe", "jo@initech.example", 75, ann.pk)
    ]
    assert await AuditLogEntry.all().values_list("action", "actor_id") == [("CREATE", ann.pk)]


async def test_a_refused_file_comes_back_in_errors_and_changes_nothing(http):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    before = await database_state()
    response = await upload(http, "Name,Notes\nJo,x\n", token_for(ann))
    assert response.json()["data"]["importLeads"] == {
        "rows": None,
        "created": None,
        "updated": None,
        "unchanged": None,
        "rejected": None,
        "duplicates": None,
        "ignoredColumns": None,
        "dryRun": None,
        "rejectedRows": None,
        "errors": [
            {
                "field": ["file"],
                "message": "the file has no column for companyName, email (its columns are: "
                "Name, Notes); add the column, or name the column that holds it in the column "
                "mapping, e.g. 'Contact=personName'",
                "code": "REQUIRED",
            }
        ],
    }
    assert await database_state() == before


async def test_encoding_mapping_batch_size_and_dry_run_are_options(http):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    content = "Wer,Firma,Mail\nRené,Café,rene@c.example\n".encode("cp1252")
    before = await database_state()
    dry = await upload(
        http,
        content,
        token_for(ann),
        encoding="cp1252",
        mapping=[
            {"column": "Wer", "field": "PERSON_NAME"},
            {"column": "Firma", "field": "COMPANY_NAME"},
        ],
        batchSize=1,
        dryRun=True,
    )
    assert dry.json()["data"]["importLeads"]["created"] == 1
    assert dry.json()["data"]["importLeads"]["dryRun"] is True
    assert await database_state() == before
    done = await upload(
        http,
        content,
        token_for(ann),
        encoding="cp1252",
        mapping=[
            {"column": "Wer", "field": "PERSON_NAME"},
            {"column": "Firma", "field": "COMPANY_NAME"},
        ],
    )
    assert done.json()["data"]["importLeads"]["errors"] == []
    assert await Lead.all().values_list("person_name", "company_name") == [("René", "Café")]


async def test_a_wrong_encoding_is_refused_naming_the_byte_offset(http):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    before = await database_state()
    content = "Name,Company,Email\nRené,Café,r@c.example\n".encode("cp1252")
    response = await upload(http, content, token_for(ann))
    assert response.json()["data"]["importLeads"]["errors"] == [
        {
            "field": ["encoding"],
            "message": "the file is not valid utf-8: the byte 0xE9 at offset 22 (line 2) cannot "
            "be read as utf-8. Save the file as UTF-8, or give the encoding it was saved in (for "
            "example cp1252 or latin-1); nothing was imported",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before


@pytest.mark.parametrize("caller", ["anonymous", "viewer", "team member", "read-only key"])
async def test_callers_who_may_not_write_leads_are_refused_and_nothing_changes(http, caller):
    team = await make_team()
    token: str | None = None
    if caller == "viewer":
        token = token_for(await make_user(role=Role.VIEWER, team_id=team.pk))
    elif caller == "team member":
        token = token_for(await make_user(role=Role.TEAM_MEMBER, team_id=team.pk))
    elif caller == "read-only key":
        user = await make_user(role=Role.ACCOUNT_MANAGER)
        token = (
            await auth.create_api_key(user_id=user.pk, name="r", scopes=frozenset({Scope.READ}))
        )[1]
    before = await state_but_key_use()
    response = await upload(http, FILE, token)
    if caller == "anonymous":
        assert response.status_code == 401
        assert response.json() == {
            "errors": [
                {
                    "message": "Sign in to upload files: send 'Authorization: Bearer <access "
                    "token or API key>'.",
                    "extensions": {"code": "UNAUTHENTICATED", "reason": "MISSING"},
                }
            ]
        }
        assert response.headers["www-authenticate"] == 'Bearer realm="AccountGraph"'
    else:
        message = (
            "This API key may not change anything: use a key with the write scope."
            if caller == "read-only key"
            else "you may not change Lead records"
        )
        assert response.status_code == 200
        assert response.json() == {"data": {"importLeads": refused(message)}}
    assert await state_but_key_use() == before


def refused(message: str) -> dict:
    """An importLeads payload refusing the caller: nothing counted, one FORBIDDEN error."""
    counts = ("rows", "created", "updated", "unchanged", "rejected", "duplicates")
    return {
        **dict.fromkeys(counts),
        "ignoredColumns": None,
        "dryRun": None,
        "rejectedRows": None,
        "errors": [{"field": None, "message": message, "code": "FORBIDDEN"}],
    }


async def state_but_key_use() -> dict:
    """The database, but for the API keys (using a key records when it was last used)."""
    state = await database_state()
    state.pop("api_key")
    return state


async def test_owners_are_who_the_caller_may_give_leads_to(http):
    team, other_team = await make_team(), await make_team()
    ann = await make_user(role=Role.ACCOUNT_MANAGER, team_id=team.pk)
    bob = await make_user(role=Role.ACCOUNT_MANAGER, team_id=other_team.pk)
    sam = await make_user(role=Role.SALES_MANAGER, team_id=team.pk)
    ada = await make_user(role=Role.ADMIN)
    content = "Name,Company,Email\nJo,Initech,jo@i.example\n"
    refusals = {
        ann.pk: "you may give it only to yourself; leave the owner out to own it yourself",
        sam.pk: f"{bob.name} is not on your team; give it to yourself or to a member of your team",
    }
    before = await database_state()
    for caller, owner in ((ann, sam), (sam, bob)):
        response = await upload(
            http, content, token_for(caller), ownerId=to_global_id("User", owner.pk)
        )
        assert response.json()["data"]["importLeads"]["errors"] == [
            {"field": ["ownerId"], "message": refusals[caller.pk], "code": "FORBIDDEN"}
        ]
    assert await database_state() == before

    for caller, owner in ((sam, ann), (ada, bob)):
        response = await upload(
            http, content, token_for(caller), ownerId=to_global_id("User", owner.pk)
        )
        assert response.json()["data"]["importLeads"]["errors"] == []
    # Sam gave the lead to Ann; Ada's import then matched it (she sees every lead)
    assert await Lead.all().values_list("owner_id", flat=True) == [ann.pk]


async def test_a_lead_the_caller_cannot_see_is_not_matched_nor_revealed(http):
    ann, bob = await make_user(), await make_user()
    await make_lead(email="jo@i.example", owner_id=bob.pk, person_name="Bob's Jo")
    response = await upload(http, "Name,Company,Email\nJo,Initech,jo@i.example\n", token_for(ann))
    assert response.json()["data"]["importLeads"]["created"] == 1
    assert await Lead.all().order_by("id").values_list("person_name", "owner_id") == [
        ("Bob's Jo", bob.pk),
        ("Jo", ann.pk),
    ]


async def test_a_file_sent_as_text_instead_of_an_upload_is_refused(gql):
    before = await database_state()
    data = await gql(IMPORT, {"input": {"file": "Name,Company,Email\nJo,I,jo@i.example\n"}})
    assert data["importLeads"]["errors"] == [
        {
            "field": ["file"],
            "message": "send the file as a multipart upload (the GraphQL multipart request spec)",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before


async def test_an_upload_over_the_size_limit_is_refused_before_it_is_read():
    app = create_app(Settings(max_upload_bytes=2000))
    admin = await make_user(role=Role.ADMIN)
    before = await database_state()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        big = "Name,Company,Email\n" + "".join(f"P{n},C,p{n}@x.example\n" for n in range(200))
        response = await upload(http, big, token_for(admin))
        assert response.status_code == 413
        assert response.json() == {
            "errors": [
                {
                    "message": "The request body is larger than the limit of 2000 bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        }
        small = await upload(http, "Name,Company,Email\nJo,I,jo@i.example\n", token_for(admin))
        assert small.json()["data"]["importLeads"]["created"] == 1
    assert await database_state() != before


async def test_an_upload_spooled_to_disk_is_closed_after_the_response(http):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    # Over a megabyte, so that the upload goes to a temporary file; refused at its header.
    big = "Name,Notes\n" + "Jo,x\n" * 250_000
    response = await upload(http, big, token_for(ann))
    assert response.json()["data"]["importLeads"]["errors"][0]["code"] == "REQUIRED"
    gc.collect()  # an unclosed temporary file would warn here, and warnings fail the suite


async def test_a_batch_size_out_of_range_is_refused(http):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    before = await database_state()
    for size in (0, 10_001):
        response = await upload(
            http, "Name,Company,Email\nJo,I,jo@i.example\n", token_for(ann), batchSize=size
        )
        assert response.json()["data"]["importLeads"]["errors"] == [
            {
                "field": ["batchSize"],
                "message": "the batch size must be between 1 and 10000",
                "code": "INVALID",
            }
        ]
    assert await database_state() == before
