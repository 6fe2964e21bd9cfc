"""The `accountgraph` command line."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from settings import MissingDeploymentKeys, check_deployment_keys, get_settings

app = typer.Typer(help="AccountGraph: a GraphQL API for account management.", no_args_is_help=True)
console = Console()


def run_with_database(work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` with the ORM connected to the configured database, then disconnect."""
    from db import close_db, init_db

    async def main() -> Any:
        await init_db()
        try:
            return await work()
        finally:
            await close_db()

    return asyncio.run(main())


def refuse_published_keys() -> None:
    """Exit with what to set when the keys are the published development ones."""
    try:
        check_deployment_keys(get_settings())
    except MissingDeploymentKeys as exc:
        Console(stderr=True).print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = get_settings().host,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = get_settings().port,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    limit_concurrency: Annotated[
        int | None,
        typer.Option(help="Most connections at once per process; more are answered 503."),
    ] = get_settings().limit_concurrency,
    timeout_keep_alive: Annotated[
        int, typer.Option(help="Seconds an idle keep-alive connection stays open.")
    ] = get_settings().timeout_keep_alive,
    ws_max_size: Annotated[
        int, typer.Option(help="Largest WebSocket message, in bytes.")
    ] = get_settings().ws_max_size,
    h11_max_incomplete_event_size: Annotated[
        int, typer.Option(help="Largest request line and headers, in bytes (h11).")
    ] = get_settings().h11_max_incomplete_event_size,
) -> None:
    """Serve the API (GraphQL and GraphiQL at /graphql)."""
    import uvicorn

    refuse_published_keys()
    console.print(f"AccountGraph on http://{host}:{port}/graphql")
    uvicorn.run(
        "server:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        limit_concurrency=limit_concurrency,
        timeout_keep_alive=timeout_keep_alive,
        ws_max_size=ws_max_size,
        h11_max_incomplete_event_size=h11_max_incomplete_event_size,
        **proxy_options(get_settings().trusted_proxies),
    )


def proxy_options(trusted_proxies: list[str]) -> dict[str, Any]:
    """Uvicorn's proxy settings: X-Forwarded-For and -Proto are believed only from the
    trusted proxies, and from no one by default (uvicorn's own default trusts loopback)."""
    if not trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted_proxies}


@app.command()
def worker() -> None:
    """Deliver webhooks (the same loop `serve` runs in the background); run several to scale
    out. Stops cleanly on SIGTERM or Ctrl-C."""
    import logging

    from webhooks.dispatcher import run_worker

    refuse_published_keys()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    console.print(f"Delivering webhooks from {get_settings().database_url}")
    asyncio.run(run_worker(get_settings()))


@app.command()
def migrate() -> None:
    """Apply pending database migrations and create the standard pipelines."""
    from db import migrate_db
    from services.pipelines import ensure_default_pipelines

    asyncio.run(migrate_db())
    run_with_database(ensure_default_pipelines)
    console.print(f"Database is up to date: {get_settings().database_url}")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo data set.")] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only when the database has no users yet.")
    ] = False,
) -> None:
    """Fill the database with the demo data set."""
    if not demo:
        raise typer.BadParameter("say --demo to load the demo data set")
    from demo.seeder import database_is_empty, seed_demo

    async def work() -> Any:
        if if_empty and not await database_is_empty():
            return None
        return await seed_demo()

    summary = run_with_database(work)
    if summary is None:
        console.print("The database already has data; demo data not loaded.")
    else:
        console.print(summary.describe())


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[
        str, typer.Option(help="ADMIN, SALES_MANAGER, ACCOUNT_MANAGER, TEAM_MEMBER or VIEWER.")
    ] = "ACCOUNT_MANAGER",
) -> None:
    """Create a user. The password is read from standard input, or asked for at a terminal;
    it is never taken as an argument (arguments show in process lists and shell history)."""
    from models.enums import Role
    from services import users
    from services.errors import DomainError

    if role.upper() not in Role.__members__:
        raise typer.BadParameter(f"'{role}' is not one of {', '.join(Role.__members__)}")
    password = read_password()

    async def work() -> Any:
        values = {"email": email, "name": name, "role": role.upper(), "password": password}
        return await users.create_user(actor_id=None, values=values)

    try:
        user = run_with_database(work)
    except DomainError as exc:
        console.print(f"[red]Not created:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"Created {user.role} {user.email}")


@app.command("refresh-health")
def refresh_health() -> None:
    """Evaluate every account's health now, store it, and record account.health_changed
    events for the accounts whose status changed."""
    from services import clock
    from services.analytics.health import refresh_account_health

    result = run_with_database(lambda: refresh_account_health(now=clock.now()))
    console.print(
        f"Account health: {result.evaluated} accounts evaluated, {result.changed} changed status"
    )


def read_password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    from services.passwords import password_problem

    # services.users.create_user applies the same rule; asking here refuses a bad password as
    # a bad parameter (exit 2) before the database is opened.
    problem = password_problem(password)
    if problem is not None:
        raise typer.BadParameter(problem)
    return password


@app.command("create-api-key")
def create_api_key_command(
    email: Annotated[str, typer.Option(help="The user the key acts as.")],
    name: Annotated[str, typer.Option(help="What the key is for.")],
    scope: Annotated[list[str], typer.Option(help="read, write or admin; repeat for several.")],
) -> None:
    """Create an API key for a user and print it (it is shown only this once)."""
    from models import User
    from services.auth import Scope, create_api_key
    from services.errors import DomainError

    try:
        scopes = frozenset(Scope(s.lower()) for s in scope)
    except ValueError:
        raise typer.BadParameter("scopes are read, write and admin") from None

    async def work() -> str | None:
        user = await User.get_or_none(email=email.strip().lower())
        if user is None:
            return None
        return (await create_api_key(user_id=user.pk, name=name, scopes=scopes))[1]

    try:
        key = run_with_database(work)
    except DomainError as exc:
        console.print(f"[red]Not created:[/red] {exc}")
        raise typer.Exit(1) from None
    if key is None:
        console.print(f"[red]No user with email {email}[/red]")
        raise typer.Exit(1)
    console.print("API key (store it now; it cannot be shown again):")
    print(key)


@app.command("import-leads")
def import_leads_command(
    file: Annotated[Path, typer.Argument(help="The CSV file, with a header row.", exists=True)],
    owner: Annotated[
        str | None,
        typer.Option(
            help="Email of the user who owns new leads "
            "[default: ACCOUNTGRAPH_IMPORT_DEFAULT_OWNER]."
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=1, help="Rows per all-or-nothing batch [default: ACCOUNTGRAPH_IMPORT_BATCH_SIZE]."
        ),
    ] = None,
    encoding: Annotated[str, typer.Option(help="The file's encoding, e.g. cp1252.")] = "utf-8",
    map: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=field, e.g. 'Contact=personName'; repeat for several."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count everything, store nothing.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Write the rejected rows, with the reasons, to this CSV.")
    ] = None,
) -> None:
    """Import leads from a CSV file: new emails become leads, known ones update their lead.
    Exits 0 when every row was imported, 3 when some rows were rejected, 1 when nothing was."""
    from cli.lead_import import run_import

    settings = get_settings()
    owner = owner or settings.import_default_owner
    if not owner:
        raise typer.BadParameter(
            "name the owner of new leads with --owner EMAIL "
            "(or set ACCOUNTGRAPH_IMPORT_DEFAULT_OWNER)"
        )
    status = run_with_database(
        lambda: run_import(
            console,
            file,
            owner_email=owner,
            batch_size=batch_size or settings.import_batch_size,
            encoding=encoding,
            mapping=map or [],
            dry_run=dry_run,
            rejects=rejects,
        )
    )
    raise typer.Exit(status)


@app.command("rotate-webhook-secrets-key")
def rotate_webhook_secrets_key() -> None:
    """Encrypt every stored webhook secret again with the first key of
    ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY; run it after putting a new key first in that list, then
    drop the old keys. All or nothing."""
    from webhooks.endpoints import reencrypt_secrets
    from webhooks.secrets import SecretUnreadable

    try:
        count = run_with_database(reencrypt_secrets)
    except (SecretUnreadable, MissingDeploymentKeys) as exc:
        console.print(f"[red]Nothing re-encrypted:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"Re-encrypted the secrets of {count} webhook endpoint(s) with the first key")


@app.command("export-schema")
def export_schema(
    path: Annotated[Path, typer.Argument(help="Where to write the SDL.")] = Path("schema.graphql"),
) -> None:
    """Write the GraphQL schema as SDL (the committed schema.graphql)."""
    from schema.root import schema_sdl

    path.write_text(schema_sdl())
    console.print(f"Schema written to {path}")


if __name__ == "__main__":
    app()
