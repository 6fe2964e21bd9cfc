"""The `accountgraph` command line."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from settings import get_settings

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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = get_settings().host,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = get_settings().port,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Serve the API (GraphQL and GraphiQL at /graphql)."""
    import uvicorn

    console.print(f"AccountGraph on http://{host}:{port}/graphql")
    uvicorn.run("server:app", host=host, port=port, workers=workers, log_level="info")


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
    from demo import database_is_empty, seed_demo

    async def work() -> Any:
        if if_empty and not await database_is_empty():
            return None
        return await seed_demo()

    summary = run_with_database(work)
    if summary is None:
        console.print("The database already has data; demo data not loaded.")
    else:
        console.print(summary.describe())


@app.command("export-schema")
def export_schema(
    path: Annotated[Path, typer.Argument(help="Where to write the SDL.")] = Path("schema.graphql"),
) -> None:
    """Write the GraphQL schema as SDL (the committed schema.graphql)."""
    from schema import schema_sdl

    path.write_text(schema_sdl())
    console.print(f"Schema written to {path}")


if __name__ == "__main__":
    app()
