"""Are requirements/*.lock still the lock of pyproject.toml? (`make lint`; no network)

    python scripts/check_lock.py

Fails when a dependency declared in pyproject.toml (`dependencies`, the `test` extra, the
build-system requirements) or in requirements/build.in has no pin in a lock file that satisfies
it, when a pin carries no hash, or when base.lock and test.lock pin one package differently
(`make run` and `make test` share one virtualenv). Transitive dependencies are checked where
they are installed: `pip install --require-hashes` refuses a lock that misses one.
Refresh with `make lock`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
# one requirement of a lock file: "name==version [; marker] \" then "--hash=..." lines
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)[^\\\n]*(\\?)$")


def read_lock(path: Path) -> tuple[dict[str, list[Version]], list[str]]:
    """Pinned versions by canonical name (a universal lock may pin a package once per marker),
    and the problems found while reading."""
    pins: dict[str, list[Version]] = {}
    problems = []
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        name, version, continued = match.groups()
        pins.setdefault(canonicalize_name(name), []).append(Version(version))
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if not continued or "--hash=" not in following:
            problems.append(f"{shown}: {name}=={version} has no hash")
    return pins, problems


def read_in(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _show(versions: list[Version]) -> str:
    return ", ".join(str(v) for v in versions)


def unsatisfied(
    requirements: list[Requirement], pins: dict[str, list[Version]], lock: str
) -> list[str]:
    problems = []
    for requirement in requirements:
        versions = pins.get(canonicalize_name(requirement.name), [])
        if not versions:
            problems.append(f"{lock}: {requirement} is not pinned")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{lock}: {requirement} is pinned at {_show(versions)}")
    return problems


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    runtime = [Requirement(r) for r in project.get("dependencies", [])]
    runtime += [Requirement(r) for r in pyproject["build-system"]["requires"]]
    runtime += read_in(REQUIREMENTS / "build.in")
    test = runtime + [Requirement(r) for r in project["optional-dependencies"]["test"]]

    problems = []
    locks = {}
    for name, declared in (("base.lock", runtime), ("test.lock", test)):
        path = REQUIREMENTS / name
        if not path.exists():
            problems.append(f"requirements/{name} is missing")
            continue
        pins, lock_problems = read_lock(path)
        locks[name] = pins
        problems += lock_problems
        problems += unsatisfied(declared, pins, f"requirements/{name}")
    if len(locks) == 2:
        for name, versions in sorted(locks["base.lock"].items()):
            in_test = locks["test.lock"].get(name, [])
            if in_test != versions:
                problems.append(
                    f"requirements/base.lock pins {name} at {_show(versions)}, "
                    f"test.lock at {_show(in_test) or 'nothing'}"
                )
    for problem in problems:
        print(problem)
    if problems:
        print(f"lock check: {len(problems)} problems. To fix: `make lock`.")
        return 1
    print("lock check: requirements/base.lock and test.lock pin everything pyproject.toml asks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
