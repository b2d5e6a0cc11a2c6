"""The backup folder, shared by ``backup`` and ``restore``: its manifest, checksums, the database tools.

A backup folder holds::

    manifest.json        what is in it: the database (kind, migration revision, the dump's size and
                         SHA-256), the rows of every table, and each stored file's size and SHA-256
    database.dump        PostgreSQL: ``pg_dump --format=custom``          (or, in embedded mode,)
    database.sqlite      SQLite: a copy made by SQLite's online backup API
    files/yyyy/mm/…      the attachments and online applications' files, under their stored names

The manifest is written last: a folder without one is an interrupted backup and is never restored.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, Engine

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite"}
#: the tables whose rows name a stored file
FILE_TABLES = ("attachments", "online_application_files")
_CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """Why a backup or a restore cannot go on (or did not check out), in plain words; nothing was changed
    unless the message says so."""


@dataclass
class Manifest:
    dialect: str
    revision: list[str]
    database: dict  # {"file", "size", "sha256", "server_version"}
    tables: dict[str, int]
    files: dict[str, dict]  # stored name -> {"size", "sha256"}
    created_at: str = ""
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "created_at": self.created_at, "dialect": self.dialect,
                           "revision": self.revision, "database": self.database, "tables": self.tables,
                           "files": self.files, "problems": self.problems}, indent=1, ensure_ascii=False,
                          sort_keys=True)

    def write(self, folder: Path) -> None:
        partial = folder / (MANIFEST + ".part")
        partial.write_text(self.to_json(), encoding="utf-8")
        os.replace(partial, folder / MANIFEST)

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        path = folder / MANIFEST
        if not path.is_file():
            raise ArchiveError(f"{folder} has no {MANIFEST}: it is not a backup, or its backup did not finish")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ArchiveError(f"{path} is of format {data.get('format')!r}; this version reads format {FORMAT}")
            manifest = cls(dialect=data["dialect"], revision=list(data["revision"]), database=dict(data["database"]),
                           tables={str(k): int(v) for k, v in data["tables"].items()},
                           files={str(k): {"size": int(v["size"]), "sha256": str(v["sha256"])}
                                  for k, v in data["files"].items()},
                           created_at=str(data.get("created_at", "")), problems=list(data.get("problems", [])))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveError(f"{path} cannot be read ({exc.__class__.__name__}: {exc})") from exc
        if manifest.dialect not in DUMPS:
            raise ArchiveError(f"{path} names an unknown database kind {manifest.dialect!r}")
        return manifest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy through a ``.part`` file renamed at the end; returns the size and SHA-256 of what was copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src, open(partial, "wb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(partial, target)
    return size, digest.hexdigest()


_SAFE_NAME = re.compile(r"[A-Za-z0-9_./-]+")


def safe_stored_name(name: str) -> bool:
    """A stored name as ``core/storage.py`` makes them: relative, no ``..``, nothing odd."""
    return bool(_SAFE_NAME.fullmatch(name)) and not name.startswith("/") and ".." not in name.split("/")


# --- reading a database the same way on both sides --------------------------------------------------

def table_names(conn: Connection) -> list[str]:
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    else:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    return sorted(rows.scalars())


def table_counts(conn: Connection) -> dict[str, int]:
    quote = conn.dialect.identifier_preparer.quote
    return {name: conn.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one() for name in table_names(conn)}


def revision(conn: Connection) -> list[str]:
    try:
        return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:
        return []


def stored_files(conn: Connection) -> dict[str, dict]:
    """Every stored file a row names, with the size and checksum the row recorded."""
    present = set(table_names(conn))
    files: dict[str, dict] = {}
    for table in FILE_TABLES:
        if table in present:
            for name, size, sha in conn.execute(text(f"SELECT stored_name, size, sha256 FROM {table}")):
                files[name] = {"size": int(size), "sha256": sha}
    return dict(sorted(files.items()))


# --- PostgreSQL's tools -------------------------------------------------------------------------------

def libpq(url: URL) -> tuple[str, dict]:
    """A connection URL for pg_dump / pg_restore without the password, and the environment that carries it
    (a password on a command line is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def tool_major(tool: str) -> int:
    found = shutil.which(tool)
    if found is None:
        raise ArchiveError(f"{tool} is not installed: install the PostgreSQL client programs of the server's "
                           "version (Debian: apt-get install postgresql-client)")
    out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    if not match:
        raise ArchiveError(f"{tool} --version said {out.strip()!r}; expected a PostgreSQL version")
    return int(match.group(1))


def server_version(conn: Connection) -> tuple[int, str]:
    number = int(conn.execute(text("SHOW server_version_num")).scalar_one())
    return number // 10000, str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]


def check_tool(tool: str, server_major: int) -> str:
    """The tool's path; refuses one of another major version than the server (an older one cannot read a
    newer server, a newer one writes settings an older server refuses on restore)."""
    major = tool_major(tool)
    if major != server_major:
        raise ArchiveError(f"{tool} is version {major} but the database server is version {server_major}: "
                           f"install the client programs of version {server_major} "
                           f"(Debian: apt-get install postgresql-client-{server_major}) and put them first on PATH")
    return shutil.which(tool)


def run_tool(argv: list[str], env: dict, what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ArchiveError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def empty_database(engine: Engine) -> list[str]:
    """The tables already in the target database (an empty list: it is empty)."""
    from onestop.ops.database import reading

    with reading(engine) as conn:
        return table_names(conn)
