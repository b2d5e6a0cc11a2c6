"""``backup`` and ``restore`` refuse what they cannot do well, say why in plain words, and change nothing."""
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from onestop.dossiers.models import Dossier
from onestop.extensions import db as _db
from onestop.ops.archive import MANIFEST, table_names
from onestop.ops.database import reading
from tests.conftest import SERVER_MODE
from tests.ops.instances import empty_instance, pdf


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def backup_dir(app, committed, create_dossier, tmp_path) -> Path:
    """A good backup of the test instance, with one dossier and one stored file."""
    from onestop.attachments.operations import add_attachment
    from onestop.auth.models import User

    dossier = create_dossier()
    add_attachment(dossier, committed.session.scalar(select(User).where(User.username == "hb.clerk")),
                   filename="Đơn.pdf", data=pdf(99))
    committed.session.commit()
    committed.session.remove()
    result = invoke(app, "backup", str(tmp_path / "good"))
    assert result.exit_code == 0, result.output
    return tmp_path / "good"


def _tables(app) -> list[str]:
    with app.app_context(), reading(_db.engine) as conn:
        return table_names(conn)


def test_backup_refuses_a_folder_that_is_not_empty_and_leaves_it_alone(app, tmp_path):
    target = tmp_path / "old"
    target.mkdir()
    (target / "notes.txt").write_text("an older backup")
    result = invoke(app, "backup", str(target))
    assert result.exit_code == 1
    assert f"{target} is not empty: give a new or empty folder" in result.output
    assert tree(target) == {"notes.txt": b"an older backup"}


def test_backup_refuses_a_file_for_a_folder(app, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = invoke(app, "backup", str(target))
    assert result.exit_code == 1 and "is a file: give a folder" in result.output
    assert target.read_text() == "x"


def test_backup_without_its_folder_argument_says_how_to_call_it(app):
    result = invoke(app, "backup")
    assert result.exit_code == 2 and "Missing argument 'DIRECTORY'" in result.output


@pytest.mark.server
def test_backup_refuses_a_pg_dump_of_another_version_and_makes_no_folder(app, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 99.1'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    result = invoke(app, "backup", str(tmp_path / "new"))
    assert result.exit_code == 1
    assert "pg_dump is version 99 but the database server is version" in result.output
    assert not (tmp_path / "new").exists()


@pytest.mark.server
def test_backup_says_when_pg_dump_is_missing(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = invoke(app, "backup", str(tmp_path / "new"))
    assert result.exit_code == 1 and "pg_dump is not installed" in result.output
    assert not (tmp_path / "new").exists()


def test_restore_refuses_a_folder_that_is_not_a_backup(app, tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.sqlite").write_bytes(b"x")
    result = invoke(app, "restore", str(tmp_path / "half"))
    assert result.exit_code == 1 and f"has no {MANIFEST}: it is not a backup, or its backup did not finish" in result.output
    result = invoke(app, "restore", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_restore_refuses_a_database_that_is_not_empty(app, backup_dir, committed):
    count = committed.session.scalar(select(Dossier.id).order_by(Dossier.id.desc()).limit(1))
    result = invoke(app, "restore", str(backup_dir))
    assert result.exit_code == 1 and "restore into a new, empty database" in result.output
    assert committed.session.scalar(select(Dossier.id).order_by(Dossier.id.desc()).limit(1)) == count


def _edit_manifest(folder: Path, change) -> None:
    data = json.loads((folder / MANIFEST).read_text())
    change(data)
    (folder / MANIFEST).write_text(json.dumps(data))


@pytest.mark.parametrize("damage, message", [
    ("file", "is damaged (1 problems), nothing was restored: files/"),
    ("dump", "is damaged (1 problems), nothing was restored: database."),
    ("dialect", "this backup is of a"),
    ("revision", "which this version of onestop does not know"),
    ("format", "is of format 7; this version reads format 1"),
    ("garbage", "cannot be read"),
])
def test_restore_refuses_a_damaged_or_foreign_backup_and_writes_nothing(app, backup_dir, tmp_path, damage, message):
    if damage == "file":
        stored = next(p for p in (backup_dir / "files").rglob("*") if p.is_file())
        stored.write_bytes(stored.read_bytes()[:-1] + b"!")
    elif damage == "dump":
        dump = next(backup_dir.glob("database.*"))
        with open(dump, "r+b") as fh:
            fh.seek(200)
            fh.write(b"\0\1\2")
    elif damage == "dialect":
        _edit_manifest(backup_dir, lambda d: d.update(dialect="sqlite" if SERVER_MODE else "postgresql"))
    elif damage == "revision":
        _edit_manifest(backup_dir, lambda d: d.update(revision=["ffffffffffff"]))
    elif damage == "format":
        _edit_manifest(backup_dir, lambda d: d.update(format=7))
    else:
        (backup_dir / MANIFEST).write_text("{not json")
    with empty_instance(app, tmp_path) as other:
        result = invoke(other, "restore", str(backup_dir))
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert _tables(other) == []
        assert not Path(other.config["ONESTOP_ATTACHMENT_DIR"]).exists()


def test_restore_refuses_an_attachments_folder_with_files(app, backup_dir, tmp_path):
    with empty_instance(app, tmp_path) as other:
        folder = Path(other.config["ONESTOP_ATTACHMENT_DIR"])
        (folder / "2026").mkdir(parents=True)
        (folder / "2026" / "left.pdf").write_bytes(b"%PDF")
        result = invoke(other, "restore", str(backup_dir))
        assert result.exit_code == 1 and "is not empty: restore into an empty one" in result.output
        assert _tables(other) == [] and tree(folder) == {"2026/left.pdf": b"%PDF"}


def test_restore_checks_the_result_against_the_manifest(app, backup_dir, tmp_path):
    """A manifest that promises a row more than the dump holds: the restore runs, then says it does not match."""
    _edit_manifest(backup_dir, lambda d: d["tables"].update(dossiers=d["tables"]["dossiers"] + 1))
    with empty_instance(app, tmp_path) as other:
        result = invoke(other, "restore", str(backup_dir))
        assert result.exit_code == 1
        assert "do not match the manifest (1 differences); do not use this instance: table dossiers" in result.output
