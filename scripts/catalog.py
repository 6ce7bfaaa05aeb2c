"""The translation catalogs: locale/<lang>/LC_MESSAGES/django.po is the single source.

    python scripts/catalog.py update   # `make messages`: makemessages into locale/, compile .mo
    python scripts/catalog.py check    # `make lint`, pre-commit: fails on any of the problems below

`check` runs makemessages with the same options into a temporary copy of the source tree (the
real catalog is not touched) and fails when
- a msgid in the code is missing from the .po, or the .po keeps one the code no longer has
  (obsolete entries included);
- an entry is fuzzy, or a msgstr (any plural form) is empty;
- msgfmt --check-format refuses a translation (placeholders that do not match the msgid);
- the committed .mo does not hold exactly what the .po compiles to (stale .mo).

Entries are compared by msgctxt, msgid and msgid_plural only: `#:` location comments (file
names only, see MAKEMESSAGES_OPTIONS) and header dates may change without failing the check,
so moving code between modules never does.

Needs GNU gettext (Debian: `apt-get install gettext`; `make lint` installs it when root) and
polib (the `test` extra).
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
# What ships is translated: tests, benchmarks and these scripts are not scanned. Locations
# name the file only, so a moved line does not rewrite the catalog.
MAKEMESSAGES_OPTIONS = [
    "--no-obsolete",
    "--add-location=file",
    "--ignore=tests",
    "--ignore=bench",
    "--ignore=scripts",
    "--ignore=media",
    "--ignore=staticfiles",
    "--ignore=node_modules",
    "--ignore=test-artifacts",
    "--ignore=*.egg-info",
]
# not copied for the check's makemessages run (makemessages skips dot-directories itself)
COPY_IGNORE = shutil.ignore_patterns(
    ".*", "__pycache__", "*.pyc", "media", "staticfiles", "node_modules", "test-artifacts",
    "*.egg-info", "*.mo",
)  # fmt: skip
FIX_HINT = (
    "To fix: `make messages`, fill in every empty msgstr in the .po (and remove any '#, fuzzy' "
    "after checking its msgstr), then `make messages` again to compile the .mo."
)

Key = tuple[str | None, str, str | None]


def catalogs(locale: Path = LOCALE) -> list[tuple[str, str, Path]]:
    """(language, domain, .po path) for every catalog under locale/."""
    found = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        if po_path.stem in DOMAINS:
            found.append((po_path.parent.parent.name, po_path.stem, po_path))
    return found


def _django_env() -> dict[str, str]:
    env = dict(os.environ)
    # makemessages loads the settings but opens no connection; with DEBUG they need no secrets
    # (and what it extracts does not depend on DEBUG)
    env["DJANGO_DEBUG"] = "true"
    env.setdefault("DJANGO_SETTINGS_MODULE", "scs_portal.settings")
    return env


def run_makemessages(root: Path, languages: list[str], domain: str) -> None:
    command = [sys.executable, "manage.py", "makemessages", "-d", domain, "-v", "0"]
    for language in languages:
        command += ["-l", language]
    subprocess.run([*command, *MAKEMESSAGES_OPTIONS], cwd=root, env=_django_env(), check=True)


def compile_mo(po_path: Path, mo_path: Path) -> subprocess.CompletedProcess[str]:
    # the same msgfmt call as Django's compilemessages
    return subprocess.run(
        ["msgfmt", "--check-format", "-o", str(mo_path), str(po_path)],
        capture_output=True,
        text=True,
    )


def update() -> int:
    """makemessages into locale/ and compile every .po (what `make messages` does)."""
    found = catalogs()
    for domain in sorted({domain for _, domain, _ in found}):
        languages = sorted({language for language, d, _ in found if d == domain})
        run_makemessages(ROOT, languages, domain)
    status = 0
    for _, _, po_path in catalogs():
        result = compile_mo(po_path, po_path.with_suffix(".mo"))
        if result.returncode:
            print(result.stderr, file=sys.stderr, end="")
            status = 1
    problems = check_entries_only()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} entries to translate. {FIX_HINT}")
    return status


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def _show(key: Key) -> str:
    msgctxt, msgid, _ = key
    text = msgid if len(msgid) <= 90 else msgid[:87] + "..."
    return repr(text) + (f" (context {msgctxt!r})" if msgctxt else "")


def entry_problems(po_path: Path) -> list[str]:
    """Fuzzy, untranslated and obsolete entries, and a fuzzy or incomplete header."""
    rel = po_path.relative_to(ROOT) if po_path.is_relative_to(ROOT) else po_path
    po = polib.pofile(str(po_path))
    problems = []
    if po.metadata_is_fuzzy:
        problems.append(f"{rel}: the header is marked fuzzy")
    if "Plural-Forms" not in po.metadata:
        problems.append(f"{rel}: the header has no Plural-Forms")
    for entry in po:
        if entry.obsolete:
            problems.append(f"{rel}: obsolete entry {_show(_key(entry))}")
        elif entry.fuzzy:
            problems.append(f"{rel}: fuzzy {_show(_key(entry))}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                problems.append(f"{rel}: untranslated (plural) {_show(_key(entry))}")
        elif not entry.msgstr:
            problems.append(f"{rel}: untranslated {_show(_key(entry))}")
    return problems


def check_entries_only() -> list[str]:
    return [problem for *_, po_path in catalogs() for problem in entry_problems(po_path)]


def _mo_catalog(mo_path: Path) -> tuple[dict[object, str], str]:
    with mo_path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    messages = dict(translations._catalog)  # the only way to list what a .mo holds
    header = messages.pop("", "")
    plural_forms = next(
        (line for line in header.splitlines() if line.lower().startswith("plural-forms:")), ""
    )
    return messages, plural_forms


def check() -> int:
    found = catalogs()
    if not found:
        print(f"no catalog under {LOCALE}", file=sys.stderr)
        return 1
    problems = check_entries_only()
    with tempfile.TemporaryDirectory(prefix="scs-catalog-") as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
        for domain in sorted({domain for _, domain, _ in found}):
            languages = sorted({language for language, d, _ in found if d == domain})
            run_makemessages(copy, languages, domain)
        for language, domain, po_path in found:
            rel = po_path.relative_to(ROOT)
            fresh = polib.pofile(str(copy / rel))
            in_code = {_key(e) for e in fresh if not e.obsolete}
            in_po = {_key(e) for e in polib.pofile(str(po_path)) if not e.obsolete}
            for key in sorted(in_code - in_po, key=str):
                problems.append(f"{rel}: missing from the catalog {_show(key)}")
            for key in sorted(in_po - in_code, key=str):
                problems.append(f"{rel}: no longer in the code {_show(key)}")

            compiled = Path(tmp) / f"{language}-{domain}.mo"
            result = compile_mo(po_path, compiled)
            if result.returncode:
                problems.append(f"{rel}: msgfmt --check-format refuses it:\n{result.stderr}")
                continue
            mo_path = po_path.with_suffix(".mo")
            if not mo_path.exists():
                problems.append(f"{mo_path.relative_to(ROOT)}: missing (not compiled)")
            elif _mo_catalog(mo_path) != _mo_catalog(compiled):
                problems.append(
                    f"{mo_path.relative_to(ROOT)}: stale, does not match {po_path.name}"
                )
    for problem in problems:
        print(problem)
    if problems:
        print(f"catalog check: {len(problems)} problems. {FIX_HINT}")
        return 1
    print(f"catalog check: {len(found)} catalog(s) complete and in step with the code")
    return 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        return update()
    if argv[1:] == ["check"]:
        return check()
    print("usage: python scripts/catalog.py update | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
