"""The project's own modules import each other in one direction, without cycles.

The graph is read from the source with ``ast``, not by importing anything: every ``import`` and
``from ... import``, at any level, including the imports inside functions (a late import is
still a dependency, and still a cycle when it points back), but not those under
``if TYPE_CHECKING:``, which never run. ``strawberry.lazy("module")`` references are not
imports: they are how a type refers upwards.

The layers, bottom to top; a module may import its own layer and the layers below it:

    settings, ids            configuration and global ids, used by everything
    models                   Tortoise models
    events (recording)       the catalogue, snapshots and the outbox a service writes to in
                             its own transaction: events.catalogue, events.snapshot, events.outbox
    services, db             the domain; db sits beside it, because it installs services.search's
                             folding on every connection and services ask it whether the
                             database is busy
    events                   publishing what the outbox holds: relay, hub, brokers
    webhooks                 endpoints, fan-out and delivery; they read the event catalogue
    resolvers.core           the request plumbing: context, loaders, pagination, errors,
                             permissions
    schema                   the GraphQL declarations (every schema module but schema.root)
    resolvers                the code behind root fields and mutations (every resolvers module
                             outside resolvers.core, resolvers.mutation included)
    schema.root              the root types, listing every operation by name
    web, server, cli, demo   transport, the app, the command line and the demo data set

Nothing in models, services, events or webhooks imports strawberry. (resolvers.core does: its
permissions are strawberry ``BasePermission`` classes and its loaders strawberry DataLoaders.)

tests, bench, migrations and scripts are not part of the graph.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["models", "services", "events", "webhooks", "resolvers", "schema", "web", "cli"]
PACKAGES += ["demo", "db"]
ROOT_MODULES = ["server", "settings", "ids"]

# Bottom to top: (layer name, module prefixes). A module belongs to the layer of its longest
# matching prefix.
LAYERS: list[tuple[str, list[str]]] = [
    ("settings and ids", ["settings", "ids"]),
    ("models", ["models"]),
    ("events (recording)", ["events.catalogue", "events.snapshot", "events.outbox"]),
    ("services and db", ["services", "db"]),
    ("events", ["events"]),
    ("webhooks", ["webhooks"]),
    ("resolvers.core", ["resolvers.core"]),
    ("schema declarations", ["schema"]),
    ("resolvers", ["resolvers"]),
    ("schema.root", ["schema.root"]),
    ("web, server, cli and demo", ["web", "server", "cli", "demo"]),
]
WITHOUT_STRAWBERRY = ["models", "services", "events", "webhooks"]


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Replaces the suite's per-test cleanup: these tests read source files, not a database."""


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str  # a project module, or the top-level name of anything else
    path: str
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def project_modules() -> dict[str, Path]:
    files = [ROOT / f"{name}.py" for name in ROOT_MODULES]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return {module_name(path): path for path in files}


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runnable_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in ``body`` that can run, however deeply nested (imports are
    statements, so only statements are searched)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            yield from runnable_imports(node.orelse)
        else:
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, name, []):
                    if isinstance(child, ast.stmt):
                        yield from runnable_imports([child])
                    else:  # an except handler or a match case
                        yield from runnable_imports(child.body)


def resolve(name: str) -> str:
    """The project module ``name`` loads (its longest prefix that is one), or its top-level name."""
    modules = project_modules()
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return parts[0]


def imports_of(module: str, path: Path) -> Iterator[Import]:
    relative = str(path.relative_to(ROOT))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in runnable_imports(ast.parse(path.read_text(), relative).body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from package import module`` loads that module, ``from module import name``
            # the module it names: resolve() tells which.
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            yield Import(module, resolve(name), relative, node.lineno)


@cache
def all_imports() -> list[Import]:
    found = []
    for module, path in project_modules().items():
        found += [i for i in imports_of(module, path) if i.imported != module]
    return found


def ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


@cache
def graph() -> dict[str, dict[str, Import]]:
    """Module -> the project modules it makes Python run, with the import that does it.

    Importing ``a.b.c`` runs the packages ``a`` and ``a.b`` first, so they count as well,
    except the importer's own packages (they are already running when it is).
    """
    modules = project_modules()
    edges: dict[str, dict[str, Import]] = {module: {} for module in modules}
    for found in all_imports():
        if found.imported not in modules:
            continue
        own = set(ancestors(found.importer))
        for target in [*ancestors(found.imported), found.imported]:
            if target != found.importer and (target == found.imported or target not in own):
                edges[found.importer].setdefault(target, found)
    return edges


def cycles() -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(components)


def shortest_cycle(start: str, members: set[str]) -> list[str]:
    """The shortest way from ``start`` back to itself inside one component."""
    edges = graph()
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(edges[module]):
                if target not in members or target in came_from:
                    continue
                came_from[target] = module
                if target == start:
                    path = [start]
                    while path[-1] != start or len(path) == 1:
                        path.append(came_from[path[-1]])
                    return path[::-1]
                following.append(target)
        frontier = following
    raise AssertionError(f"{start} is in a cycle but has no way back to itself")


def describe_cycle(members: list[str]) -> str:
    edges = graph()
    inside = set(members)
    path = shortest_cycle(members[0], inside)
    lines = [f"cycle of {len(members)} modules: {', '.join(members)}"]
    lines.append(f"  for example {' -> '.join(path)}")
    lines.append("  the imports among them:")
    for module in members:
        for target, found in sorted(edges[module].items()):
            if target in inside:
                via = (
                    "" if found.imported == target else f" (its package; imports {found.imported})"
                )
                lines.append(f"    {found.where()}: {module} imports {target}{via}")
    return "\n".join(lines)


def layer_of(module: str) -> int:
    best, rank = "", -1
    for position, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(f"{prefix}.")) and len(prefix) > len(best):
                best, rank = prefix, position
    return rank


def test_the_graph_reads_the_project():
    modules = project_modules()
    assert len(modules) > 100
    assert {"server", "schema.root", "resolvers.core.permissions", "demo.seeder"} <= set(modules)
    assert "schema.root" in graph()["server"]
    assert "services.search" in graph()["db"]


def test_every_module_has_a_layer():
    assert [module for module in project_modules() if layer_of(module) < 0] == []


def test_there_are_no_import_cycles():
    found = cycles()
    assert not found, f"{len(found)} import cycles:\n" + "\n".join(map(describe_cycle, found))


def test_imports_point_down_the_layers():
    against = []
    for found in all_imports():
        if found.imported not in project_modules():
            continue
        mine, theirs = layer_of(found.importer), layer_of(found.imported)
        if theirs > mine:
            against.append(
                f"{found.where()}: {found.importer} ({LAYERS[mine][0]}) imports"
                f" {found.imported} ({LAYERS[theirs][0]})"
            )
    against = list(dict.fromkeys(against))  # one line per import statement
    order = " <- ".join(name for name, _ in LAYERS)
    assert not against, f"{len(against)} imports against the direction {order}:\n" + "\n".join(
        against
    )


def test_nothing_below_resolvers_imports_strawberry():
    found = [
        f"{i.where()}: {i.importer} imports strawberry"
        for i in all_imports()
        if i.imported == "strawberry"
        and any(i.importer == p or i.importer.startswith(f"{p}.") for p in WITHOUT_STRAWBERRY)
    ]
    assert not found, f"{', '.join(WITHOUT_STRAWBERRY)} must not import strawberry:\n" + "\n".join(
        found
    )
