"""Issue 16, workers on many hosts: the checks of `.ci/multihost-rehearsal` (docs/scaling.md,
"Workers on many hosts").

Three network namespaces on this machine stand for three hosts on a private network: `db`
(PostgreSQL and Redis, tests/multihost/servers.py), `w1` and `w2` (one Celery worker each,
`python -m celery -A scs_portal worker`). The shell script makes the network and starts and
stops every process; this driver runs on the machine itself (it reaches `db` over the
network's bridge) and does the rest:

    python -m tests.multihost.driver prepare --subjects 200000 --records 50000
    python -m tests.multihost.driver rehearse --host w1=10.77.0.11,scsmh-w1,w1@scsmh \
        --host w2=10.77.0.12,scsmh-w2,w2@scsmh --import-rows 250

`prepare` migrates, seeds with `seed_demo --bulk` and installs the observers (below);
`rehearse` runs the three checks, each printing PASS or FAIL lines and its figures:

1. fan-out: a full recompute's chunks are taken by both hosts; the stored scores equal the
   serial computation (the recompute's own aggregate over the whole table, one statement).
2. a rule change's full recompute, with w1 cut off the network (its link set down) while it is
   inside a chunk's transaction: the run finishes on w2 (the broker redelivers w1's chunk once
   the visibility timeout has passed; the database ends w1's session and its row lock), every
   chunk completed once, and the scores equal the serial computation under the new rules.
   Then w1's link comes back: it recovers, and its stale task changes nothing.
3. the same for a bulk import (sanctions/agency/services/imports.py): a clean import of a file
   by one court with both workers up, then the same file by another court taken by w1 (w2 stops
   consuming until w1 has it) and w1 cut mid-chunk: the import finishes on w2, every row
   committed exactly once, counts, row report and records equal to the clean import's; when
   w1's link comes back, its stale claim writes nothing.

Which host did what is read from the database itself: observer triggers, installed only in
the rehearsal's throwaway database, log every chunk that becomes done (score chunks; an import
batch's `rows_done` advancing) with `inet_client_addr()`, the address of the host whose
session committed it.

Not a pytest module (its name does not match test_*.py): it needs root, network namespaces
and servers of its own, and runs only through the script. Exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scs_portal.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from sanctions.agency.services.clients import api_client_create  # noqa: E402
from sanctions.agency.services.imports import import_batch_create  # noqa: E402
from sanctions.models import (  # noqa: E402
    ApiClient,
    ApiSubmission,
    Authority,
    ImportBatch,
    IntegrityRecord,
    ScoreRun,
)
from sanctions.scoring.selectors import active_ruleset  # noqa: E402
from sanctions.scoring.services import (  # noqa: E402
    ruleset_activate,
    ruleset_create_draft,
    ruleset_update_draft,
)
from sanctions.scoring.sql import aggregate_sql, grade_case, sql_params  # noqa: E402
from sanctions.scoring.tasks import score_recompute_task  # noqa: E402
from scs_portal.celery import app  # noqa: E402
from scs_portal.demo import DemoGenerator  # noqa: E402
from tests.factories import make_official  # noqa: E402

# how a score chunk's statement begins (sanctions/scoring/sql.py: chunk_sql), within the first
# 1024 characters pg_stat_activity shows of it
CHUNK_STATEMENT = "%WITH a AS (%SELECT s.id AS subject_id%"
CLEAN_COURT, CUT_COURT = "bj-dongcheng-court", "bj-xicheng-court"
DECISION_PREFIX = "(2026)演"  # the import file's decision numbers
RULE_EDITOR, RULE_APPROVER = "rehearsal.rules.editor", "rehearsal.rules.approver"
IMPORT_COLUMNS = ("subject_kind,identifier,name,record_type,decision_number,decision_date,"
                  "judicial_ground,amount,obligation,facts")  # fmt: skip
OBSERVERS = """
CREATE TABLE IF NOT EXISTS scsmh_observed (
    id bigserial PRIMARY KEY,
    what text NOT NULL,
    row_id bigint NOT NULL,
    lo bigint,
    hi bigint,
    attempt int,
    client inet,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE OR REPLACE FUNCTION scsmh_score_chunk_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scsmh_observed (what, row_id, lo, hi, client)
    VALUES ('score_chunk', NEW.id, NEW.lo, NEW.hi, inet_client_addr());
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS scsmh_score_chunk_done ON sanctions_scorerunchunk;
CREATE TRIGGER scsmh_score_chunk_done AFTER UPDATE ON sanctions_scorerunchunk
    FOR EACH ROW WHEN (NEW.done AND NOT OLD.done) EXECUTE FUNCTION scsmh_score_chunk_done();
CREATE OR REPLACE FUNCTION scsmh_import_chunk_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scsmh_observed (what, row_id, lo, hi, attempt, client)
    VALUES ('import_chunk', NEW.id, OLD.rows_done, NEW.rows_done, NEW.attempts,
            inet_client_addr());
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS scsmh_import_chunk_done ON sanctions_importbatch;
CREATE TRIGGER scsmh_import_chunk_done AFTER UPDATE ON sanctions_importbatch
    FOR EACH ROW WHEN (NEW.rows_done > OLD.rows_done) EXECUTE FUNCTION scsmh_import_chunk_done();
"""


# --- reporting ------------------------------------------------------------------------------


@dataclass
class Report:
    failures: int = 0
    checks: int = 0
    figures: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> bool:
        self.checks += 1
        print(f"{'PASS' if ok else 'FAIL'}: {what}", flush=True)
        if not ok:
            self.failures += 1
        return ok

    def figure(self, line: str) -> None:
        print(f"  figure: {line}", flush=True)
        self.figures.append(line)


class Timeout(Exception):
    pass


def wait_for(predicate: Callable[[], Any], seconds: float, step: float = 0.2) -> Any:
    """The predicate's first truthy value within `seconds`; Timeout otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Timeout(f"not within {seconds:.0f}s")
        time.sleep(step)


def query(sql: str, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- hosts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Host:
    name: str  # w1
    ip: str  # its address on the private network
    link: str  # the machine's end of its veth pair: set down, the host is cut off
    worker: str  # its Celery worker's node name

    @classmethod
    def parse(cls, text: str) -> Host:
        name, rest = text.split("=", 1)
        ip, link, worker = rest.split(",")
        return cls(name=name, ip=ip, link=link, worker=worker)


def set_link(host: Host, state: str) -> None:
    subprocess.run(["ip", "link", "set", "dev", host.link, state], check=True)


def responding(hosts: list[Host]) -> set[str]:
    replies = app.control.ping(destination=[h.worker for h in hosts], timeout=1.0) or []
    return {name for reply in replies for name in reply}


def busy(host: Host) -> bool:
    """Its worker runs or holds a task, also one to retry later (or does not answer: it may
    be running one)."""
    inspector = app.control.inspect(destination=[host.worker], timeout=1.0)
    held = [inspector.active() or {}, inspector.reserved() or {}, inspector.scheduled() or {}]
    if any(host.worker not in answer for answer in held):
        return True
    return any(answer[host.worker] for answer in held)


def in_transaction(host: Host, statement_like: str) -> int | None:
    """The pid of the host's session inside a transaction whose current (or last) statement
    matches, if any."""
    rows = query(
        "SELECT pid FROM pg_stat_activity WHERE client_addr = %s AND xact_start IS NOT NULL "
        "AND query LIKE %s",
        [host.ip, statement_like],
    )
    return rows[0][0] if rows else None


def session_gone(pid: int) -> bool:
    return not query("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])


def db_now() -> datetime.datetime:
    return query("SELECT clock_timestamp()")[0][0]


def recover(report: Report, hosts: list[Host], cut_at: float) -> None:
    """Bring the cut-off host's link back; wait until its worker answers and both workers
    are done with what the cut left over (the stale task, its retry, wherever it runs)."""
    host = hosts[0]
    set_link(host, "up")
    restored = time.monotonic()
    try:
        wait_for(lambda: host.worker in responding([host]), 120, step=0.5)
        answered = time.monotonic() - restored
        wait_for(lambda: not any(busy(h) for h in hosts), 120, step=1.0)
        settled = time.monotonic() - restored
    except Timeout:
        report.check(False, f"{host.name} answers again and settles its stale task within 120s "
                            "of its link coming back")  # fmt: skip
        return
    report.figure(f"{host.name} cut off for {restored - cut_at:.1f}s; after its link came back "
                  f"its worker answered in {answered:.1f}s, its stale task ended in "
                  f"{settled:.1f}s")  # fmt: skip


# --- scores ---------------------------------------------------------------------------------

STORED_CHECKSUM = """
    SELECT count(*), md5(string_agg(concat_ws(':', subject_id, total, government, commercial,
                                              societal, judicial, grade, rule_version),
                                    ',' ORDER BY subject_id))
    FROM sanctions_score
"""


def stored_checksum() -> tuple[int, str]:
    return tuple(query(STORED_CHECKSUM)[0])


def expected_checksum(as_of: datetime.date) -> tuple[int, str]:
    """What a clean computation stores: the recompute's own aggregate over every subject in
    one statement (the serial path of tests/sanctions/test_scoring_crash.py)."""
    ruleset = active_ruleset()
    sql = f"""
        SELECT count(*), md5(string_agg(concat_ws(':', subject_id, total, government,
                                                  commercial, societal, judicial,
                                                  {grade_case(ruleset, "a.total")},
                                                  %(version)s),
                                        ',' ORDER BY subject_id))
        FROM ({aggregate_sql(ruleset, "TRUE")}) a
    """  # noqa: S608 - module constants and validated integers (sanctions/scoring/sql.py)
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params(ruleset, as_of, version=ruleset.version))
        return tuple(cursor.fetchone())


def last_run_id() -> int:
    return ScoreRun.objects.aggregate(last=Max("id"))["last"] or 0


def run_after(before: int) -> ScoreRun | None:
    return ScoreRun.objects.filter(pk__gt=before).order_by("pk").first()


def finished_run(before: int) -> ScoreRun | None:
    run = run_after(before)
    return run if run is not None and run.state == "done" else None


def chunk_completions(run: ScoreRun) -> list[tuple[int, str, datetime.datetime]]:
    """(chunk id, client address, when) of each chunk of the run that became done."""
    rows = query(
        "SELECT o.row_id, host(o.client), o.at FROM scsmh_observed o "
        "JOIN sanctions_scorerunchunk c ON c.id = o.row_id "
        "WHERE o.what = 'score_chunk' AND c.run_id = %s ORDER BY o.at",
        [run.pk],
    )
    return [(chunk_id, client, at) for chunk_id, client, at in rows]


def per_host(hosts: list[Host], addresses: list[str]) -> dict[str, int]:
    names = {h.ip: h.name for h in hosts}
    counts = {h.name: 0 for h in hosts}
    for address in addresses:
        name = names.get(address, address or "local")
        counts[name] = counts.get(name, 0) + 1
    return counts


def check_fanout(report: Report, hosts: list[Host]) -> tuple[int, str]:
    print("== 1. a full recompute fans out over both hosts", flush=True)
    before, started = last_run_id(), time.monotonic()
    score_recompute_task.delay("full")
    try:
        run = wait_for(lambda: finished_run(before), 180)
    except Timeout:
        report.check(False, "the full recompute finished within 180s")
        return (0, "")
    elapsed = time.monotonic() - started
    completions = chunk_completions(run)
    counts = per_host(hosts, [client for _, client, _ in completions])
    report.check(
        run.chunks_done == run.chunks_total == len(completions) == len({c[0] for c in completions}),
        f"every chunk completed once ({run.chunks_total} chunks of {run.subjects_changed} "
        "subjects changed)",
    )
    report.check(all(counts[h.name] > 0 for h in hosts),
                 f"both hosts took chunks: {counts}")  # fmt: skip
    stored, expected = stored_checksum(), expected_checksum(run.as_of)
    report.check(stored == expected,
                 f"the {stored[0]} stored scores equal the serial computation")  # fmt: skip
    report.figure(f"full recompute, {stored[0]} scores: {elapsed:.1f}s from the task sent to the "
                  f"run done; chunks per host {counts}")  # fmt: skip
    return stored


def rule_change() -> None:
    """A new rule set (base score +7: every score changes), drafted by one supervisor and
    activated by another; activation sends the full recompute after commit."""
    users = get_user_model().objects
    editor, approver = users.get(username=RULE_EDITOR), users.get(username=RULE_APPROVER)
    current = active_ruleset()
    draft = ruleset_create_draft(actor=editor, name=f"rehearsal {current.version + 1}")
    ruleset_update_draft(actor=editor, ruleset=draft, base_score=current.base_score + 7)
    ruleset_activate(actor=approver, ruleset=draft)


def check_score_cut(report: Report, hosts: list[Host], clean: tuple[int, str]) -> None:
    cut, other = hosts
    print(f"== 2. a rule change's full recompute; {cut.name} cut off inside a chunk", flush=True)
    before, started = last_run_id(), time.monotonic()
    rule_change()
    try:
        pid = wait_for(lambda: in_transaction(cut, CHUNK_STATEMENT), 90, 0.02)
    except Timeout:
        report.check(False, f"{cut.name} started a chunk of the run within 90s")
        return
    set_link(cut, "down")
    cut_at, cut_db = time.monotonic(), db_now()
    print(f"   {cut.name}'s link is down (its session {pid} was inside a chunk)", flush=True)
    try:
        run = wait_for(lambda: finished_run(before), 180)
    except Timeout:
        report.check(False, f"the run finished on {other.name} within 180s of the cut")
        recover(report, hosts, cut_at)
        return
    after_cut, total = time.monotonic() - cut_at, time.monotonic() - started
    try:
        wait_for(lambda: session_gone(pid), 30)
        report.check(True, f"the database ended {cut.name}'s session (and its row lock)")
    except Timeout:
        report.check(False, f"the database ended {cut.name}'s session within 30s")
    completions = chunk_completions(run)
    late = [client for _, client, at in completions if at > cut_db]
    report.check(
        run.chunks_done == run.chunks_total == len(completions) == len({c[0] for c in completions}),
        f"the run finished after the cut, every chunk completed once ({run.chunks_total} chunks)",
    )
    report.check(
        bool(late) and all(client == other.ip for client in late),
        f"the chunks completed after the cut, {cut.name}'s included, were completed by "
        f"{other.name} ({len(late)})",
    )
    stored, expected = stored_checksum(), expected_checksum(run.as_of)
    report.check(stored == expected and stored != clean,
                 f"the {stored[0]} scores equal the serial computation under the new rules "
                 f"(version {run.rule_version})")  # fmt: skip
    counts = per_host(hosts, [client for _, client, _ in completions])
    report.figure(f"recompute with {cut.name} cut: finished {after_cut:.1f}s after the cut "
                  f"({total:.1f}s in all); chunks per host {counts}")  # fmt: skip
    recover(report, hosts, cut_at)
    run.refresh_from_db()
    report.check(
        run.state == "done" and stored_checksum() == stored
        and len(chunk_completions(run)) == len(completions),
        f"{cut.name}'s stale chunk task changed nothing once its link was back",
    )  # fmt: skip


# --- imports --------------------------------------------------------------------------------


def import_file(rows: int) -> bytes:
    """A CSV of `rows` judicial listings of adults not yet known (every 40th row with an ID
    number whose check digit is wrong: a row error in the report)."""
    demo = DemoGenerator(seed=2026)  # seed_demo's: its numbers are unique per index
    decided = timezone.localdate() - datetime.timedelta(days=30)
    lines = [IMPORT_COLUMNS]
    for n in range(1, rows + 1):
        number = demo.adult_resident_id(30_000_000 + n, decided)
        if n % 40 == 0:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        lines.append(f"person,{number},{demo.person_name()},judicial-dishonest-debtor,"
                     f"{DECISION_PREFIX}{n}号,{decided.isoformat()},2,{1000 + n}.00,支付货款,"
                     "被执行人有履行能力而拒不履行。")  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def batch_done(batch_id: int) -> ImportBatch | None:
    batch = ImportBatch.objects.get(pk=batch_id)
    return batch if batch.status in ("done", "failed") else None


def import_chunks(batch_id: int) -> list[tuple[int, int, int, str, datetime.datetime]]:
    """(from row, to row, claim, client address, when) of each chunk the batch committed."""
    return query(
        "SELECT lo, hi, attempt, host(client), at FROM scsmh_observed "
        "WHERE what = 'import_chunk' AND row_id = %s ORDER BY at",
        [batch_id],
    )


RECORD_FIELDS = ("decision_number", "subject_id", "record_type__code", "decision_date", "amount",
                 "obligation", "judicial_ground", "status", "effective_from", "effective_until",
                 "publication_start", "publication_end")  # fmt: skip


def once(batch: ImportBatch) -> bool:
    """The committed chunks cover rows 0 to rows_total end to end: none missing, none twice."""
    ranges = [(lo, hi) for lo, hi, *_ in import_chunks(batch.pk)]
    contiguous = all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    return bool(ranges) and ranges[0][0] == 0 and ranges[-1][1] == batch.rows_total and contiguous


def records_of(authority: Authority) -> list[tuple]:
    """The authority's records of the import file (the seeded data has records of its own)."""
    records = IntegrityRecord.objects.filter(
        authority=authority, decision_number__startswith=DECISION_PREFIX
    )
    return sorted(records.values_list(*RECORD_FIELDS))


def batch_outcome(batch: ImportBatch) -> tuple:
    return (batch.status, batch.rows_total, batch.rows_imported, batch.rows_unchanged,
            batch.rows_invalid, batch.report)  # fmt: skip


def check_import_cut(report: Report, hosts: list[Host], rows: int) -> None:
    cut, other = hosts
    print(f"== 3. a bulk import of {rows} rows; {cut.name} cut off mid-chunk", flush=True)
    content = import_file(rows)
    clean_client = ApiClient.objects.get(authority__code=CLEAN_COURT)
    cut_client = ApiClient.objects.get(authority__code=CUT_COURT)
    started = time.monotonic()
    clean, _ = import_batch_create(client=clean_client, file_name="rehearsal.csv", content=content)
    try:
        clean = wait_for(lambda: batch_done(clean.pk), 240)
    except Timeout:
        report.check(False, "the clean import finished within 240s")
        return
    clean_seconds = time.monotonic() - started
    report.check(
        clean.status == "done" and clean.rows_imported > 0 and once(clean),
        f"clean import ({clean_client.authority.code}): {clean.rows_imported} imported, "
        f"{clean.rows_invalid} refused rows reported, every row committed once",
    )
    report.figure(f"clean import of {rows} rows: {clean_seconds:.1f}s (claims: {clean.attempts}, "
                  f"chunks: {len(import_chunks(clean.pk))})")  # fmt: skip

    # the other worker stops taking tasks until the one to be cut off has the batch
    app.control.cancel_consumer("celery", destination=[other.worker], reply=True, timeout=5)
    started = time.monotonic()
    try:
        batch, _ = import_batch_create(client=cut_client, file_name="rehearsal.csv",
                                       content=content)  # fmt: skip
        wait_for(lambda: len([c for c in import_chunks(batch.pk) if c[3] == cut.ip]) >= 2, 90)
    except Timeout:
        report.check(False, f"{cut.name} took the second import within 90s")
        return
    finally:
        app.control.add_consumer("celery", destination=[other.worker], reply=True, timeout=5)
    try:
        pid = wait_for(lambda: in_transaction(cut, "%"), 30, 0.01)
    except Timeout:
        report.check(False, f"{cut.name} was inside an import chunk within 30s")
        return
    set_link(cut, "down")
    cut_at, cut_db = time.monotonic(), db_now()
    print(f"   {cut.name}'s link is down (its session {pid} was inside a chunk)", flush=True)
    try:
        batch = wait_for(lambda: batch_done(batch.pk), 240)
    except Timeout:
        report.check(False, f"the import finished on {other.name} within 240s of the cut")
        recover(report, hosts, cut_at)
        return
    after_cut, total = time.monotonic() - cut_at, time.monotonic() - started
    chunks = import_chunks(batch.pk)
    report.check(
        batch.status == "done" and batch.failure_reason == "" and batch.attempts >= 2,
        f"the import finished after the cut, claimed again by {other.name} "
        f"(claims: {batch.attempts})",
    )
    report.check(once(batch),
                 f"every row committed exactly once: {len(chunks)} chunks, contiguous from row 0 "
                 f"to {batch.rows_total}, none repeated")  # fmt: skip
    late = [c for c in chunks if c[4] > cut_db]
    report.check(bool(late) and all(c[3] == other.ip for c in late),
                 f"the rows after the cut were committed by {other.name} "
                 f"({sum(c[1] - c[0] for c in late)} rows)")  # fmt: skip
    report.check(batch_outcome(batch)[1:] == batch_outcome(clean)[1:],
                 "counts and the row report equal the clean import's "
                 f"({batch.rows_imported} imported, {batch.rows_unchanged} unchanged, "
                 f"{batch.rows_invalid} refused)")  # fmt: skip
    clean_records, cut_records = records_of(clean.authority), records_of(batch.authority)
    submissions = ApiSubmission.objects.filter(import_batch=batch).count()
    if not report.check(
        cut_records == clean_records and len(cut_records) == batch.rows_imported == submissions,
        f"the {len(cut_records)} records (subject, type, dates, amount, status, windows) equal "
        "the clean import's, one per row, one submission each",
    ):
        print(f"   clean import: {len(clean_records)} records; this one: {len(cut_records)} "
              f"records, {submissions} submissions", flush=True)  # fmt: skip
        for clean_record, cut_record in zip(clean_records, cut_records, strict=False):
            if clean_record != cut_record:
                print(f"   first difference:\n   {clean_record}\n   {cut_record}", flush=True)
                break
    per = per_host(hosts, [c[3] for c in chunks])
    report.figure(f"import with {cut.name} cut: finished {after_cut:.1f}s after the cut "
                  f"({total:.1f}s in all); chunks per host {per}")  # fmt: skip
    finished = (batch_outcome(batch), batch.attempts, batch.failure_reason)
    recover(report, hosts, cut_at)
    batch.refresh_from_db()
    report.check(
        (batch_outcome(batch), batch.attempts, batch.failure_reason) == finished
        and len(import_chunks(batch.pk)) == len(chunks)
        and records_of(batch.authority) == cut_records,
        f"{cut.name}'s stale claim wrote nothing once its link was back (the batch stays done)",
    )  # fmt: skip


# --- commands -------------------------------------------------------------------------------


def prepare(*, subjects: int, records: int) -> None:
    timings = []
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    timings.append(f"migrate {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    call_command("seed_demo", "--bulk", "--subjects", str(subjects), "--records", str(records),
                 "--force")  # fmt: skip
    timings.append(f"seed {subjects} subjects, {records} records {time.monotonic() - started:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute(OBSERVERS)
    make_official(role="supervisor", authority_code="bj-government", username=RULE_EDITOR)
    make_official(role="supervisor", authority_code="bj-government", username=RULE_APPROVER)
    for code in (CLEAN_COURT, CUT_COURT):
        keys = make_official(role="supervisor", authority_code=code, username=f"{code}.keys")
        api_client_create(actor=keys, name=f"{code} rehearsal", authority=keys.official.authority,
                          scopes=["records:write"])  # fmt: skip
    print("prepared: " + "; ".join(timings), flush=True)


def rehearse(*, hosts: list[Host], import_rows: int) -> int:
    report = Report()
    names = {h.worker for h in hosts}
    try:
        wait_for(lambda: responding(hosts) >= names, 90, step=0.5)
        wait_for(lambda: not any(busy(h) for h in hosts), 60, step=0.5)  # their start tasks
    except Timeout:
        report.check(False, f"both workers answer ({', '.join(sorted(names))}) within 90s")
        return 1
    timings, started = [], time.monotonic()
    clean = check_fanout(report, hosts)
    timings.append(f"fan-out {time.monotonic() - started:.0f}s")
    started = time.monotonic()
    check_score_cut(report, hosts, clean)
    timings.append(f"recompute cut {time.monotonic() - started:.0f}s")
    started = time.monotonic()
    check_import_cut(report, hosts, import_rows)
    timings.append(f"import cut {time.monotonic() - started:.0f}s")
    print("== figures", flush=True)
    for line in report.figures:
        print(f"   {line}", flush=True)
    print(f"   checks: {'; '.join(timings)}", flush=True)
    print(f"rehearsal checks: {report.checks} run, {report.failures} failed", flush=True)
    return 1 if report.failures else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.multihost.driver")
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare", help="migrate, seed, observers, officials, clients")
    prep.add_argument("--subjects", type=int, default=200_000)
    prep.add_argument("--records", type=int, default=50_000)
    run = commands.add_parser("rehearse", help="the three checks")
    run.add_argument("--host", action="append", required=True, type=Host.parse,
                     help="NAME=IP,LINK,WORKER; the first is the one cut off")  # fmt: skip
    run.add_argument("--import-rows", type=int, default=250)
    options = parser.parse_args(argv)
    if options.command == "prepare":
        prepare(subjects=options.subjects, records=options.records)
        return 0
    if len(options.host) != 2:
        parser.error("two --host options: the one cut off, then the one that carries on")
    return rehearse(hosts=options.host, import_rows=options.import_rows)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
