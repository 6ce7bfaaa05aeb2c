"""The checks `make lint` runs besides ruff: scripts/catalog.py and scripts/check_lock.py.

They are scripts, not modules of the portal; loaded from their files. No database.
"""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"scs_script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


catalog = _load("catalog")
check_lock = _load("check_lock")

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

"""


def _po(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "django.po"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_a_complete_catalog_has_no_problems(tmp_path):
    path = _po(
        tmp_path,
        'msgid "Home"\nmsgstr "首页"\n\n'
        'msgid "%(count)d year"\nmsgid_plural "%(count)d years"\nmsgstr[0] "%(count)d年"\n',
    )
    assert catalog.entry_problems(path) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('#, fuzzy\nmsgid "Django administration"\nmsgstr "行政处罚"\n', "fuzzy"),
        ('msgid "Django site admin"\nmsgstr ""\n', "untranslated"),
        ('msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] ""\n', "untranslated (plural)"),
        ('#~ msgid "Gone"\n#~ msgstr "没了"\n', "obsolete entry"),
    ],
)
def test_fuzzy_untranslated_and_obsolete_entries_are_problems(tmp_path, body, expected):
    problems = catalog.entry_problems(_po(tmp_path, 'msgid "Home"\nmsgstr "首页"\n\n' + body))
    assert len(problems) == 1
    assert f": {expected} " in problems[0]


def test_a_fuzzy_header_is_a_problem(tmp_path):
    problems = catalog.entry_problems(_po(tmp_path, "", header="#, fuzzy\n" + HEADER))
    assert problems == [f"{tmp_path / 'django.po'}: the header is marked fuzzy"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_a_mo_compiled_before_the_po_changed_is_told_apart(tmp_path):
    path = _po(tmp_path, 'msgid "Home"\nmsgstr "首页"\n')
    mo_path = tmp_path / "django.mo"
    assert catalog.compile_mo(path, mo_path).returncode == 0
    fresh = tmp_path / "fresh.mo"
    catalog.compile_mo(path, fresh)
    assert catalog._mo_catalog(mo_path) == catalog._mo_catalog(fresh)

    path.write_text(path.read_text(encoding="utf-8").replace("首页", "主页"), encoding="utf-8")
    catalog.compile_mo(path, fresh)
    assert catalog._mo_catalog(mo_path) != catalog._mo_catalog(fresh)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_a_translation_that_drops_a_placeholder_does_not_compile(tmp_path):
    path = _po(
        tmp_path,
        '#, python-format\nmsgid "%(count)d days"\nmsgstr "几天"\n',
    )
    result = catalog.compile_mo(path, tmp_path / "django.mo")
    assert result.returncode != 0
    assert "count" in result.stderr


def test_a_lock_line_without_a_hash_is_a_problem(tmp_path):
    lock = tmp_path / "base.lock"
    lock.write_text(
        "django==5.2.19 \\\n    --hash=sha256:aa\n    # via scs-portal (pyproject.toml)\n"
        "polib==1.2.0\n"
        "psycopg-binary==3.3.9 ; implementation_name != 'pypy' \\\n    --hash=sha256:bb\n"
    )
    pins, problems = check_lock.read_lock(lock)
    assert pins == {
        "django": [Version("5.2.19")],
        "polib": [Version("1.2.0")],
        "psycopg-binary": [Version("3.3.9")],
    }
    assert problems == [f"{lock}: polib==1.2.0 has no hash"]


def test_a_requirement_the_lock_does_not_satisfy_is_a_problem():
    pins = {"ruff": [Version("0.5.0")], "django": [Version("5.2.19")]}
    problems = check_lock.unsatisfied(
        [Requirement("ruff>=0.6"), Requirement("Django>=5.2,<5.3"), Requirement("polib>=1.2")],
        pins,
        "requirements/test.lock",
    )
    assert problems == [
        "requirements/test.lock: ruff>=0.6 is pinned at 0.5.0",
        "requirements/test.lock: polib>=1.2 is not pinned",
    ]


def test_the_lock_files_of_the_checkout_cover_pyproject():
    # the same check `make lint` runs: a dependency added without `make lock` fails here too
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "check_lock.py")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
