"""`make lint` runs mypy on what [tool.mypy] in pyproject.toml lists. Every services, selectors
and tasks module of sanctions, citizens and enterprises must be in that list (its `files`
globs) and under a strict override (`disallow_untyped_defs`, `disallow_incomplete_defs`), so a
new package's modules are type-checked without anyone remembering to add them.

Read from the files with tomllib and glob; no database.
"""

from __future__ import annotations

import glob
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("sanctions", "citizens", "enterprises")
# the layered modules: writes, reads, Celery tasks (services may be a package of modules)
LAYERED = ("**/services.py", "**/services/*.py", "**/selectors.py", "**/tasks.py")
STRICT = ("disallow_untyped_defs", "disallow_incomplete_defs")


def mypy_config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["mypy"]


def layered_modules(root: Path = ROOT) -> list[str]:
    """The services, selectors and tasks files under the apps, relative to `root`."""
    found = {
        path.relative_to(root).as_posix()
        for app in APPS
        for pattern in LAYERED
        for path in (root / app).glob(pattern)
        if "migrations" not in path.parts
    }
    return sorted(found)


def covered_files(config: dict, root: Path = ROOT) -> set[str]:
    """What mypy checks: each entry of `files` expanded as mypy does (a recursive glob)."""
    covered = set()
    for entry in config.get("files", []):
        for match in glob.glob(entry, root_dir=root, recursive=True):
            covered.add(Path(match).as_posix())
    return covered


def _module_pattern(pattern: str) -> re.Pattern[str]:
    # mypy's own reading of an override's module pattern (mypy.options.Options.compile_glob):
    # a "*" component matches zero or more components ("sanctions.*" is sanctions and below)
    parts = pattern.split(".")
    expr = re.escape(parts[0]) if parts[0] != "*" else ".*"
    for part in parts[1:]:
        expr += re.escape("." + part) if part != "*" else r"(\..*)?"
    return re.compile(expr + r"\Z")


def module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def is_strict(config: dict, module: str) -> bool:
    """Whether an override with every STRICT flag on names the module (or the whole config
    is strict)."""
    if all(config.get(flag) for flag in STRICT):
        return True
    for override in config.get("overrides", []):
        patterns = override.get("module", [])
        patterns = [patterns] if isinstance(patterns, str) else patterns
        if all(override.get(flag) for flag in STRICT) and any(
            _module_pattern(pattern).match(module) for pattern in patterns
        ):
            return True
    return False


def unchecked(config: dict, paths: list[str], root: Path = ROOT) -> list[str]:
    covered = covered_files(config, root)
    return [path for path in paths if path not in covered]


def not_strict(config: dict, paths: list[str]) -> list[str]:
    return [path for path in paths if not is_strict(config, module_name(path))]


def test_every_services_selectors_and_tasks_module_is_checked_by_mypy():
    paths = layered_modules()
    # the walk finds what it looks for (a moved tree would make the test pass on nothing)
    assert "sanctions/registry/services/records.py" in paths
    assert {"citizens/selectors.py", "enterprises/services.py", "sanctions/tasks.py"} <= set(paths)
    assert unchecked(mypy_config(), paths) == []


def test_every_services_selectors_and_tasks_module_is_checked_strictly():
    assert not_strict(mypy_config(), layered_modules()) == []


# --- the checks fail where they should ------------------------------------------------------


def test_the_checks_find_a_module_left_out(tmp_path):
    for path in (
        "sanctions/registry/services/records.py",
        "sanctions/newctx/selectors.py",
        "sanctions/newctx/services/__init__.py",
        "citizens/tasks.py",
        "citizens/migrations/services.py",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    paths = layered_modules(tmp_path)
    assert "citizens/migrations/services.py" not in paths
    config = {
        "files": ["sanctions/*/services/*.py", "citizens/services.py"],
        "overrides": [
            {"module": ["sanctions.registry.*", "sanctions.*.selectors"],
             "disallow_untyped_defs": True, "disallow_incomplete_defs": True},
            # not strict: only one of the two flags
            {"module": "citizens.tasks", "disallow_untyped_defs": True},
        ],
    }  # fmt: skip
    assert unchecked(config, paths, tmp_path) == [
        "citizens/tasks.py",
        "sanctions/newctx/selectors.py",
    ]
    assert not_strict(config, paths) == [
        "citizens/tasks.py",
        "sanctions/newctx/services/__init__.py",
    ]
    # mypy's reading of the patterns: "*" is zero or more components, and no more than asked
    assert _module_pattern("sanctions.*.services").match("sanctions.registry.services")
    assert _module_pattern("sanctions.*").match("sanctions")
    assert not _module_pattern("sanctions.*.services").match("sanctions.registry.services.x")
