"""``onestop backup DIR``: a consistent copy of the database and of the stored files, with a manifest.

Consistent while the system runs:

* **PostgreSQL**: one ``REPEATABLE READ`` transaction exports its snapshot; ``pg_dump --snapshot`` dumps
  exactly that snapshot, and the same transaction counts every table's rows and lists the stored files
  its rows name. The dump, the counts and the file list describe one instant.
* **SQLite**: the online backup API copies the database in one step (a WAL reader: writers go on); the
  counts and the file list are read from the copy.

A stored file is written before the row that names it is committed and is never changed or deleted
afterwards (``core/storage.py``; a removed attachment keeps its file), so every file named in the
snapshot is on disk when it is copied. Each copy is checked against the size and SHA-256 its row
recorded; a file missing or different in the live folder is left out, listed in the manifest's
``problems``, and makes the command fail after writing everything else (a restore says so again).
"""
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

from onestop.extensions import db
from onestop.ops import archive
from onestop.ops.archive import ArchiveError, Manifest


def check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ArchiveError(f"{target} is a file: give a folder to back up into")
    if target.is_dir() and any(target.iterdir()):
        raise ArchiveError(f"{target} is not empty: give a new or empty folder, so no backup is overwritten")
    parent = target.parent if not target.exists() else target
    while not parent.exists():
        parent = parent.parent
    if not (parent.is_dir() and os.access(parent, os.W_OK)):
        raise ArchiveError(f"cannot create {target}: {parent} is not writable")


def backup(app: Flask, target: Path, progress=lambda message: None) -> Manifest:
    """Write the backup into ``target`` (new or empty); returns its manifest. Raises ``ArchiveError`` before
    writing anything when it cannot be done (a folder it made is removed again), or after writing it when
    live files were missing or damaged."""
    target = Path(target)
    check_target(target)
    existed = target.exists()
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        if dialect not in archive.DUMPS:
            raise ArchiveError(f"backing up a {dialect} database is not supported (PostgreSQL or SQLite only)")
        pg_dump = None
        if dialect == "postgresql":
            with engine.connect() as conn:
                major, _ = archive.server_version(conn)
            pg_dump = archive.check_tool("pg_dump", major)
        source = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        try:
            if pg_dump:
                manifest = _dump_postgresql(engine, target, pg_dump, progress)
            else:
                manifest = _copy_sqlite(engine, target, progress)
            progress(f"copying {len(manifest.files)} stored files")
            manifest.files, manifest.problems = _copy_files(source, target / archive.FILES, manifest.files)
        except BaseException:
            _undo(target, existed)
            raise
    manifest.created_at = datetime.now(UTC).isoformat(timespec="seconds")
    manifest.write(target)
    if manifest.problems:
        raise ArchiveError(f"the backup in {target} is written, but {len(manifest.problems)} stored files were missing "
                           "or damaged in the live folder: " + "; ".join(manifest.problems[:10]))
    return manifest


def _undo(target: Path, existed: bool) -> None:
    """Leave the folder as it was: removed if the backup made it, emptied if it was empty."""
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def _dump_postgresql(engine, target: Path, pg_dump: str, progress) -> Manifest:
    dump = target / archive.DUMPS["postgresql"]
    url, env = archive.libpq(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _, version = archive.server_version(conn)
            progress(f"dumping the database (PostgreSQL {version}, snapshot {snapshot})")
            archive.run_tool([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                              f"--file={dump}", f"--dbname={url}"], env, "pg_dump")
            progress("counting the rows of every table in the same snapshot")
            tables, revision, files = archive.table_counts(conn), archive.revision(conn), archive.stored_files(conn)
    return Manifest(dialect="postgresql", revision=revision, tables=tables, files=files,
                    database={"file": dump.name, "size": dump.stat().st_size, "sha256": archive.sha256_of(dump),
                              "server_version": version})


def _copy_sqlite(engine, target: Path, progress) -> Manifest:
    source = engine.url.database
    if not source or source == ":memory:":
        raise ArchiveError("the database is in memory: there is no file to back up")
    copy = target / archive.DUMPS["sqlite"]
    progress("copying the database (SQLite online backup)")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    copied = create_engine(f"sqlite:///{copy}")
    try:
        with copied.connect() as conn:
            tables, revision, files = archive.table_counts(conn), archive.revision(conn), archive.stored_files(conn)
            version = conn.execute(text("SELECT sqlite_version()")).scalar_one()
    finally:
        copied.dispose()
    return Manifest(dialect="sqlite", revision=revision, tables=tables, files=files,
                    database={"file": copy.name, "size": copy.stat().st_size, "sha256": archive.sha256_of(copy),
                              "server_version": version})


def _copy_files(source: Path, target: Path, files: dict[str, dict]) -> tuple[dict[str, dict], list[str]]:
    """Copy and check each file; returns the files copied as their rows recorded them, and the problems."""
    copied, problems = {}, []
    for name, expected in files.items():
        if not archive.safe_stored_name(name):
            problems.append(f"{name!r}: not a stored name")
            continue
        path = source / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        size, sha = archive.copy_file(path, target / name)
        if (size, sha) != (expected["size"], expected["sha256"]):
            (target / name).unlink()
            problems.append(f"{name}: {size} bytes, SHA-256 {sha[:12]}…, but its row recorded "
                            f"{expected['size']} bytes, {expected['sha256'][:12]}…")
            continue
        copied[name] = expected
    return copied, problems
