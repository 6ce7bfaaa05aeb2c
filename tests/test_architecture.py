"""The package map of `sanctions` (docs/architecture.md), checked on the source with `ast`:

- dependencies point one way: kernel ← registry ← casework / scoring ← publication / agency
  (LAYERS says which packages each may import); no package imports a hub (the modules that
  only wire the packages together: admin, tasks, apps, management commands, templatetags);
- no import cycle between modules;
- no import of a `sanctions` module inside a function (it would hide a cycle), except where
  ALLOWED_FUNCTION_IMPORTS says why it cannot be avoided;
- `sanctions` never imports `citizens` or `enterprises` (they build on it);
- selectors (reads) never import services (writes), and take typed keyword-only arguments;
- every Celery task is a `*_task` function, and every task the beat schedule or a service
  sends by name is registered.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SANCTIONS = ROOT / "sanctions"

# package -> the packages it may import (besides itself). `models` is the one app's model
# layer that every context reads; it imports only the kernel's upload paths.
LAYERS = {
    "kernel": {"models"},
    "models": {"kernel"},
    "db": {"models"},
    "registry": {"kernel", "models", "db"},
    "scoring": {"kernel", "models", "db", "registry"},
    "casework": {"kernel", "models", "db", "registry"},
    "publication": {"kernel", "models", "db", "registry", "casework", "scoring"},
    "agency": {"kernel", "models", "db", "registry", "casework", "scoring"},
}
# what models may import of the kernel: the upload paths of the file fields (migrations name
# them too); anything else of the kernel imports the models
MODELS_MAY_IMPORT = {"sanctions.kernel.uploads"}
# modules that only wire the packages together: they may import anything, nothing imports them
HUBS = {"admin", "tasks", "apps", "management", "templatetags", "migrations"}

# (module, function) -> why the import cannot be at the top of the module
ALLOWED_FUNCTION_IMPORTS = {
    ("sanctions.apps", "ready"): "Django app loading: models and signal handlers are imported "
    "once the app registry is ready, never at settings or app-config import time",
}
# migrations are history: their data functions import what they seed inside the function, as
# Django's documentation shows, and are not edited beyond their import lines
FUNCTION_IMPORT_EXEMPT = ("sanctions.migrations.",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(SANCTIONS.rglob("*.py"))}
PACKAGES = {module for module, path in MODULES.items() if path.name == "__init__.py"}


def resolve(module: str, node: ast.ImportFrom | ast.Import, modules=MODULES) -> list[str]:
    """The modules an import statement imports (`from package import module` is the module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if module not in PACKAGES:
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def imports_of(module: str, source: str, modules=MODULES) -> list[tuple[str, int, str | None]]:
    """(imported module, line, enclosing function or None) of every import in `source`."""
    found = []

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                walk(child, getattr(child, "name", "<lambda>"))
            elif isinstance(child, ast.Import | ast.ImportFrom):
                found.extend((t, child.lineno, function) for t in resolve(module, child, modules))
            else:
                walk(child, function)

    walk(ast.parse(source), None)
    return found


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "sanctions" and len(parts) > 1 else None


def ours(target: str) -> bool:
    return target == "sanctions" or target.startswith("sanctions.")


IMPORTS = {module: imports_of(module, path.read_text()) for module, path in MODULES.items()}


# --- the checks: each returns what it found wrong ----------------------------------------------


def against_the_direction(imports: dict) -> list[str]:
    wrong = []
    for module, found in imports.items():
        source = package_of(module)
        for target, line, _function in found:
            destination = package_of(target)
            if not ours(target) or destination is None or destination == source:
                continue
            where = f"{module}:{line} imports {target}"
            if destination in HUBS and source not in HUBS:
                wrong.append(f"{where} (a hub: it only wires packages together)")
            elif source in LAYERS and destination not in LAYERS[source]:
                wrong.append(f"{where} ({source} may import only {sorted(LAYERS[source])})")
            elif source == "models" and target not in MODELS_MAY_IMPORT:
                wrong.append(f"{where} (models may import only {sorted(MODELS_MAY_IMPORT)})")
    return wrong


def cycles(imports: dict) -> list[list[str]]:
    """Strongly connected components (Tarjan) of more than one module."""
    graph = {
        m: {t for t, _l, _f in found if t in imports and t != m} for m, found in imports.items()
    }
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return result


def function_level(imports: dict) -> list[str]:
    return [
        f"{module}:{line} in {function}(): imports {target}"
        for module, found in imports.items()
        if not module.startswith(FUNCTION_IMPORT_EXEMPT)
        for target, line, function in found
        if function is not None and ours(target)
        and (module, function) not in ALLOWED_FUNCTION_IMPORTS
    ]  # fmt: skip


def outside_sanctions(imports: dict) -> list[str]:
    return [
        f"{module}:{line} imports {target}"
        for module, found in imports.items()
        for target, line, _function in found
        if target.split(".")[0] in ("citizens", "enterprises")
    ]


def selectors_importing_services(imports: dict) -> list[str]:
    return [
        f"{module}:{line} imports {target}"
        for module, found in imports.items()
        if module.split(".")[-1] == "selectors"
        for target, line, _function in found
        if ".services" in target or target.split(".")[-1] == "tasks"
    ]


# --- the source as it is ---------------------------------------------------------------------


def test_the_map_covers_every_package():
    packages = {package_of(m) for m in MODULES} - {None}
    assert packages - set(LAYERS) - HUBS == set()


def test_dependencies_point_one_way():
    assert against_the_direction(IMPORTS) == []


def test_no_import_cycle():
    assert cycles(IMPORTS) == []


def test_no_function_level_import_of_a_sanctions_module():
    assert function_level(IMPORTS) == []


def test_sanctions_knows_only_subject_never_citizens_or_enterprises():
    assert outside_sanctions(IMPORTS) == []


def test_selectors_never_import_services():
    assert selectors_importing_services(IMPORTS) == []


def untyped_or_positional_selectors() -> list[str]:
    """Public functions of the selectors modules: keyword-only, every argument and the result
    annotated."""
    found = []
    for module, path in MODULES.items():
        if module.split(".")[-1] != "selectors":
            continue
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            arguments = node.args
            if arguments.posonlyargs or arguments.args or arguments.vararg:
                found.append(f"{module}.{node.name}: positional arguments")
            untyped = [a.arg for a in arguments.kwonlyargs if a.annotation is None]
            if untyped or node.returns is None:
                found.append(f"{module}.{node.name}: not annotated {untyped or 'result'}")
    return found


def test_selectors_take_typed_keyword_only_arguments():
    assert untyped_or_positional_selectors() == []


# --- the checks fail where they should ------------------------------------------------------

FAKE_SOURCES = {
    # kernel reaching up into the registry, inside a function, and a cycle with it
    "sanctions.kernel.fake": (
        "from sanctions.kernel import fake_peer\n"
        "def f():\n"
        "    from sanctions.registry.selectors import public_entries\n"
    ),
    "sanctions.kernel.fake_peer": "from . import fake\n",
    "sanctions.casework.fake": "from sanctions.publication import search\nimport citizens\n",
    "sanctions.registry.fake": "from sanctions import tasks\n",
    "sanctions.scoring.selectors_fake": "",
    "sanctions.agency.selectors": "from sanctions.agency.services import clients\n",
}


def test_the_checks_find_what_they_look_for():
    modules = {**MODULES, **{name: None for name in FAKE_SOURCES}}
    fake = {name: imports_of(name, source, modules) for name, source in FAKE_SOURCES.items()}
    assert tuple(cycles(fake)[0]) == ("sanctions.kernel.fake", "sanctions.kernel.fake_peer")
    direction = " ".join(against_the_direction(fake))
    assert "sanctions.kernel.fake:3 imports sanctions.registry.selectors" in direction
    assert "sanctions.casework.fake:1 imports sanctions.publication.search" in direction
    assert "sanctions.registry.fake:1 imports sanctions.tasks (a hub" in direction
    assert function_level(fake) == [
        "sanctions.kernel.fake:3 in f(): imports sanctions.registry.selectors"
    ]
    assert outside_sanctions(fake) == ["sanctions.casework.fake:2 imports citizens"]
    assert selectors_importing_services(fake) == [
        "sanctions.agency.selectors:1 imports sanctions.agency.services.clients"
    ]
    # the source's own function-level import in apps.ready() is seen (and allowed)
    assert any(f == "ready" and ours(t) for t, _line, f in IMPORTS["sanctions.apps"])


@pytest.mark.django_db
def test_celery_tasks_are_named_task_and_every_name_sent_is_registered(settings):
    import sanctions.tasks  # noqa: F401 - the hub that registers every package's tasks
    from scs_portal.celery import app

    ours_ = {name: task for name, task in app.tasks.items() if name.startswith("sanctions.")}
    assert ours_, "no sanctions task registered"
    badly_named = [name for name, task in ours_.items() if not task.run.__name__.endswith("_task")]
    assert badly_named == []
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(ours_) == set()
    sent = set()
    for module in MODULES:
        for node in ast.walk(ast.parse(MODULES[module].read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "enqueue_on_commit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                sent.add(node.args[0].value)
    assert sent, "no task is sent by name (sanctions.kernel.tasks.enqueue_on_commit)"
    assert sent - set(ours_) == set()
