"""A small processed workspace for the dashboard tests, written in the shape of docs/architecture.md.

Generic over the survey: values are drawn for every top-level question from its type and choice list,
so the fixture follows the sample survey when it changes.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

# territory → number of responding organisations per wave; t03 is too small to be shown (< 3)
SIZES = {"2024": {"t01": 10, "t02": 6, "t03": 2}, "2025": {"t01": 12, "t02": 7, "t03": 2}}


def _value(question, rng: random.Random):
    names = [c.name for c in question.choices]
    if question.is_select and names:
        if question.is_multiple:
            return " ".join(n for n in names if rng.random() < 0.4) or names[0]
        return rng.choice(names)
    if question.is_numeric:
        return rng.randint(0, 40)
    if question.type == "text":
        return f"texte {rng.randint(1, 99)}"
    return None


def write_processed_workspace(root: Path, survey_path: Path, *, seed: int = 3) -> Path:
    from coopwork.survey import load_survey

    (root / "surveys").mkdir(parents=True, exist_ok=True)
    shutil.copy(survey_path, root / "surveys" / survey_path.name)
    survey = load_survey(survey_path)
    rng = random.Random(seed)
    territory_q, org_q = survey.role("territory"), survey.role("organisation")
    consent_q, partner_q = survey.role("name_consent"), survey.role("partner")
    rows, relations = [], []
    for wave, sizes in SIZES.items():
        for territory, size in sizes.items():
            for i in range(size):
                sid = f"{wave}-{territory}-{i}"
                row = {"_submission_id": sid, "_wave": wave, "_territory": territory,
                       "_submitted_at": pd.Timestamp("2025-03-01", tz="UTC"), "_source": "abc123abc123"}
                for q in survey.top_level:
                    if q.type in ("start", "end", "note", "date", "datetime", "today", "deviceid"):
                        continue
                    if q.identifier:
                        row[q.name] = f"px_{rng.getrandbits(64):016x}"
                        continue
                    row[q.name] = _value(q, rng)
                if territory_q is not None:
                    row[territory_q.name] = territory
                if org_q is not None:
                    row[org_q.name] = f"Organisation {territory}-{i}"
                if consent_q is not None:
                    row[consent_q.name] = "non" if i == 0 else "oui"
                if i == 1 and org_q is not None:
                    row[org_q.name] = "<script>alert('org')</script>"
                rows.append(row)
                for j in range(rng.randint(1, 3)):
                    rel = {"_submission_id": sid, "_wave": wave, "_territory": territory, "_index": j + 1}
                    for q in survey.repeats.get(survey.relations_repeat or "", []):
                        rel[q.name] = _value(q, rng)
                    if partner_q is not None:
                        partner = f"Organisation {territory}-{rng.randrange(size)}"
                        rel[partner_q.name] = partner if j else "Mairie"
                    relations.append(rel)
    processed = root / "data" / "processed" / survey.survey_id
    processed.mkdir(parents=True, exist_ok=True)
    for name, records in (("responses", rows), ("relations", relations)):
        table = pd.DataFrame(records)
        for column in table.columns:
            if column == "_submitted_at":
                continue
            question = survey.questions.get(column)
            if question is not None and question.is_numeric:
                table[column] = table[column].astype("Int64")
            elif column != "_index":
                table[column] = table[column].astype("string")
        table.to_parquet(processed / f"{name}.parquet")
    return root


@pytest.fixture(scope="module")
def precomputed_workspace(tmp_path_factory, sample_survey_path, built_once) -> Path:
    """A processed workspace with 3 territories × 2 waves (t03 has only 2 organisations), with its
    results (every wave, fr + en, the syntheses, the views of each organisation type, as for a
    workshop's territory) and their index written.

    The results are computed once per test run (``built_once``, ``tests/conftest.py``); each test
    module gets its own copy (5 MB), which its tests share: they write notes and served notebooks
    into it, and a module's notes must not show in another's charts (a worker runs several modules,
    in an order that changes). A result's key hashes content, not paths: the copy's results are current.
    """
    from coopwork.results.store import prepare_all
    from coopwork.workspace import open_workspace

    def build(root: Path) -> None:
        write_processed_workspace(root, sample_survey_path)
        prepare_all(open_workspace(root), by_org_type=True)

    root = tmp_path_factory.mktemp("dashws") / "ws"
    shutil.copytree(built_once("precomputed_workspace", build), root)
    return root


# -- the module's headless Chromium (tests/conftest.py), under this folder's name --------------------------

@pytest.fixture(scope="module")
def browser(chromium):
    """The module's headless Chromium (:func:`tests.conftest.chromium`)."""
    return chromium


# -- a throwaway PostgreSQL server for the journal tests ---------------------------------------------

def _postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (initdb, pg_ctl), newest version first."""
    import shutil

    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return candidates[-1].parent if candidates else None


def _unavailable(reason: str):
    """Skip locally; fail in CI, where PostgreSQL is installed by `make test` and must be tested."""
    import os

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run; `make test` installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL cluster of this test session, listening on a Unix socket in a private folder.

    ``initdb`` into a temporary folder, ``pg_ctl start`` (no TCP port: nothing else can connect),
    ``pg_ctl stop`` at the end of the session. PostgreSQL refuses to run as root: under root the
    cluster is owned by the ``postgres`` system user of the Debian package. Yields the socket folder.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    bindir = _postgres_bin()
    if bindir is None:
        _unavailable("the PostgreSQL server programs (initdb, pg_ctl) are not installed: "
                     "`apt-get install postgresql`, or `make test` does it")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable('psycopg is not installed: pip install "coopwork[postgres]"')
    prefix: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="coopwork-postgres-"))
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            _unavailable("running as root and there is no 'postgres' user to own the test cluster")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, socket_dir = root / "data", root
    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       cwd=root)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "120",
            "-o", f"-c listen_addresses='' -c unix_socket_directories='{socket_dir}' -c max_connections=120"
                  " -c fsync=off",
            "start")
    except subprocess.CalledProcessError as err:
        log = (root / "server.log").read_text(errors="replace") if (root / "server.log").is_file() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"the test PostgreSQL server did not start: {err.stderr.decode(errors='replace')}{log}")
    try:
        yield socket_dir
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root)
        shutil.rmtree(root, ignore_errors=True)


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server (one per test)."""
    import psycopg

    name = f"journal_{next(_databases)}"
    with psycopg.connect(f"host={postgres_server} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@/{name}?host={postgres_server}"


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_url(request, tmp_path) -> str:
    """The journal database of a test: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite'}"
    return request.getfixturevalue("postgres_url")
