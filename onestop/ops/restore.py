"""``onestop restore DIR``: a backup put back into an empty database and an empty attachments folder.

Everything that can be checked is checked before anything is written, and a refusal changes nothing:
the folder is a finished backup (its manifest), of the same kind of database as this instance's, made
at a migration this code knows, the dump and every file match their checksums, the database has no
table yet and the attachments folder holds no file. PostgreSQL restores with
``pg_restore --single-transaction`` (all or nothing); SQLite's copy is written with the online backup
API. Then the restored database and files are checked against the manifest again: the rows of every
table, the migration revision, each file's SHA-256.
"""
import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask

from onestop.extensions import db
from onestop.ops import archive
from onestop.ops.archive import ArchiveError, Manifest
from onestop.ops.database import reading


def check_backup(source: Path, manifest: Manifest) -> None:
    """The dump and the files in the folder are those the manifest describes."""
    damaged = []
    dump = source / manifest.database["file"]
    if not dump.is_file():
        damaged.append(f"{dump.name}: missing")
    elif (dump.stat().st_size, archive.sha256_of(dump)) != (manifest.database["size"], manifest.database["sha256"]):
        damaged.append(f"{dump.name}: size or SHA-256 differs from the manifest")
    for name, expected in manifest.files.items():
        path = source / archive.FILES / name
        if not archive.safe_stored_name(name):
            damaged.append(f"{name!r}: not a stored name")
        elif not path.is_file():
            damaged.append(f"{archive.FILES}/{name}: missing")
        elif (path.stat().st_size, archive.sha256_of(path)) != (expected["size"], expected["sha256"]):
            damaged.append(f"{archive.FILES}/{name}: size or SHA-256 differs from the manifest")
    if damaged:
        raise ArchiveError(f"the backup in {source} is damaged ({len(damaged)} problems), nothing was restored: "
                           + "; ".join(damaged[:10]))


def check_target(app: Flask, manifest: Manifest) -> None:
    dialect = db.engine.dialect.name
    if manifest.dialect != dialect:
        raise ArchiveError(f"this backup is of a {manifest.dialect} database but this instance uses {dialect}: "
                           "restore it into an instance of the same kind")
    script = ScriptDirectory(app.extensions["migrate"].directory)
    for rev in manifest.revision:
        try:
            known = script.get_revision(rev)
        except CommandError:
            known = None
        if known is None:
            raise ArchiveError(f"the backup's schema is at migration {rev}, which this version of onestop does not know: "
                               "restore it with the version that made it (or a newer one)")
    tables = archive.empty_database(db.engine)
    if tables:
        raise ArchiveError(f"the database already has {len(tables)} tables ({', '.join(tables[:5])}…): "
                           "restore into a new, empty database")
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    if folder.exists() and any(p.is_file() for p in folder.rglob("*")):
        raise ArchiveError(f"the attachments folder {folder} is not empty: restore into an empty one")


def restore(app: Flask, source: Path, progress=lambda message: None) -> Manifest:
    source = Path(source)
    if not source.is_dir():
        raise ArchiveError(f"{source} is not a folder")
    manifest = Manifest.read(source)
    with app.app_context():
        check_target(app, manifest)
        progress(f"checking the backup of {manifest.created_at} ({len(manifest.files)} files)")
        check_backup(source, manifest)
        engine = db.engine
        dump = source / manifest.database["file"]
        if manifest.dialect == "postgresql":
            with engine.connect() as conn:
                major, _ = archive.server_version(conn)
            pg_restore = archive.check_tool("pg_restore", major)
            url, env = archive.libpq(engine.url)
            progress("restoring the database (pg_restore, one transaction)")
            archive.run_tool([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                              f"--dbname={url}", str(dump)], env, "pg_restore")
        else:
            progress("restoring the database (SQLite online backup)")
            engine.dispose()
            src, dst = sqlite3.connect(dump), sqlite3.connect(engine.url.database, timeout=30)
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
        folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
        progress(f"restoring {len(manifest.files)} stored files")
        for name in manifest.files:
            archive.copy_file(source / archive.FILES / name, folder / name)
        progress("checking the restored database and files against the manifest")
        verify(app, manifest)
    return manifest


def verify(app: Flask, manifest: Manifest) -> None:
    """The database and the files now hold what the manifest says, or an ``ArchiveError`` lists the differences."""
    differences = []
    with reading(db.engine) as conn:
        counts, revision = archive.table_counts(conn), archive.revision(conn)
    for table in sorted(set(counts) | set(manifest.tables)):
        if counts.get(table) != manifest.tables.get(table):
            differences.append(f"table {table}: {counts.get(table, 'missing')} rows, the manifest says "
                               f"{manifest.tables.get(table, 'no such table')}")
    if revision != manifest.revision:
        differences.append(f"migration {revision}, the manifest says {manifest.revision}")
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file() or archive.sha256_of(path) != expected["sha256"]:
            differences.append(f"file {name}: missing or different")
    if differences:
        raise ArchiveError(f"the restored data do not match the manifest ({len(differences)} differences); "
                           "do not use this instance: " + "; ".join(differences[:10]))
