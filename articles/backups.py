"""Backups of the whole site, and their restore: the database, public and private media.

A backup is one folder, `pressroom-YYYYMMDDTHHMMSSZ/`, holding
- `database.pgdump` (pg_dump's custom format) or `database.sqlite3` (SQLite's online
  backup API): a consistent snapshot taken while the site keeps serving;
- `media.tar` and `private.tar`: MEDIA_ROOT and PRIVATE_MEDIA_ROOT, copied *after* the
  dump, so every file a dumped row names is in them (a file is stored before its row);
- `manifest.json`: the sha256 and size of each part, the versions and the date.
The folder is written under a hidden `.partial` name and renamed when complete, so a
crashed run never passes for a backup and retention only counts finished ones.
"""

import datetime
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
from importlib import metadata
from pathlib import Path

import django
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

FORMAT = "pressroom-backup"
VERSION = 1
MANIFEST = "manifest.json"
PREFIX = "pressroom-"
# Media parts: the storage alias each archive is made from and restored into.
MEDIA_PARTS = {"media": "default", "private": "private"}
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
POSTGRES_BIN_DIRS = "/usr/lib/postgresql"
CHUNK = 1024 * 1024
LIBPQ_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


def sha256_of(path):
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def postgres_program(name):
    """Return the path of pg_dump or pg_restore: PRESSROOM_PG_BIN, then PATH, then Debian's."""
    override = os.environ.get("PRESSROOM_PG_BIN", "").strip()
    candidates = [Path(override) / name] if override else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    # Debian keeps the binaries per major version; the newest can dump every older server.
    versions = sorted(
        Path(POSTGRES_BIN_DIRS).glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    candidates += [folder / name for folder in versions if folder.parent.name.isdigit()]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        _("%(name)s is not installed: install postgresql-client or set PRESSROOM_PG_BIN.")
        % {"name": name}
    )


def _vendor(connection):
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _postgres_command(program, settings_dict):
    """Return (arguments, environment) that connect a PostgreSQL client to the database."""
    command = [postgres_program(program), "--no-password", f"--dbname={settings_dict['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command.append(f"{option}={settings_dict[key]}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    # TLS options of DATABASE_URL (?sslmode=…) reach the clients as libpq variables.
    for option, variable in LIBPQ_VARIABLES.items():
        if settings_dict.get("OPTIONS", {}).get(option):
            env[variable] = str(settings_dict["OPTIONS"][option])
    return command, env


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": result.stderr.strip()}
        )
    return result.stdout


def media_roots():
    """Return {part: folder} of the storages backed up; refuse storages not on this disk."""
    roots = {}
    for part, alias in MEDIA_PARTS.items():
        storage = storages[alias]
        if not isinstance(storage, FileSystemStorage):
            raise BackupError(
                _(
                    "The “%(alias)s” storage is not on the local file system: back up the "
                    "bucket with its own versioning or replication instead."
                )
                % {"alias": alias}
            )
        roots[part] = Path(storage.location)
    return roots


def dump_database(connection, target):
    """Write a consistent snapshot of the database to target (a file path)."""
    if _vendor(connection) == "postgresql":
        command, env = _postgres_command("pg_dump", connection.settings_dict)
        # One transaction snapshot: writes made while it runs are simply not in the dump.
        _run([*command, "--format=custom", f"--file={target}"], env)
        return
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _tar_folder(root, target):
    """Archive every file under root (paths relative to it); return the number of files."""
    count = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
                    count += 1
    return count


def _versions(connection):
    versions = {
        "django": django.get_version(),
        "python": platform.python_version(),
    }
    try:
        versions["pressroom"] = metadata.version("pressroom")
    except metadata.PackageNotFoundError:
        versions["pressroom"] = "unknown"
    if connection.vendor == "postgresql":
        versions["pg_dump"] = _run([postgres_program("pg_dump"), "--version"]).strip()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            versions["postgresql_server"] = cursor.fetchone()[0]
    else:
        versions["sqlite"] = sqlite3.sqlite_version
    return versions


def _latest_migrations(connection):
    latest = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _part(folder, filename, **extra):
    path = folder / filename
    return {"file": filename, "sha256": sha256_of(path), "bytes": path.stat().st_size, **extra}


def create_backup(output_dir, *, keep, using="default", now=None):
    """Make one complete backup folder in output_dir, keep the newest `keep`; return its path."""
    if keep < 1:
        raise BackupError(_("At least one backup must be kept."))
    connection = connections[using]
    vendor = _vendor(connection)
    roots = media_roots()
    now = now or datetime.datetime.now(datetime.UTC)
    output_dir = Path(output_dir)
    final = output_dir / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}"
    partial = output_dir / f".{final.name}.partial"
    if final.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": final})
    output_dir.mkdir(parents=True, exist_ok=True)
    # The whole database and the private originals: readable by the owner only.
    partial.mkdir(mode=0o700)
    try:
        parts = {}
        database_file = DATABASE_FILES[vendor]
        dump_database(connection, partial / database_file)
        parts["database"] = _part(partial, database_file)
        # Media after the dump: a row in the dump never lacks its file.
        for part, root in roots.items():
            count = _tar_folder(root, partial / f"{part}.tar")
            parts[part] = _part(partial, f"{part}.tar", files=count)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "name": str(connection.settings_dict["NAME"])},
            "versions": _versions(connection),
            "migrations": _latest_migrations(connection),
            "parts": parts,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    prune(output_dir, keep=keep)
    return final


def completed_backups(output_dir):
    """Return the finished backup folders in output_dir, oldest first."""
    return sorted(
        path
        for path in Path(output_dir).glob(f"{PREFIX}*")
        if path.is_dir() and (path / MANIFEST).is_file()
    )


def prune(output_dir, *, keep):
    """Delete all but the newest `keep` finished backups; return the deleted folders."""
    old = completed_backups(output_dir)[:-keep]
    for path in old:
        shutil.rmtree(path)
    return old


def read_manifest(folder):
    """Return the manifest of a backup folder, or explain why the folder is not one."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            _("%(folder)s is not a Pressroom backup: it has no %(file)s.")
            % {"folder": folder, "file": MANIFEST}
        ) from None
    except (OSError, ValueError) as error:
        raise BackupError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a Pressroom backup manifest.") % {"path": path})
    if manifest.get("version") != VERSION:
        raise BackupError(
            _("The backup has format version %(found)s; this Pressroom reads version %(ours)s.")
            % {"found": manifest.get("version"), "ours": VERSION}
        )
    return manifest


def _part_path(folder, manifest, part):
    # Only a bare file name counts: a manifest cannot point outside its own folder.
    return Path(folder) / Path(str(manifest["parts"][part]["file"])).name


def verify_backup(folder):
    """Check every part against the manifest's sha256; return the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    parts = manifest.get("parts", {})
    expected = {"database", *MEDIA_PARTS}
    if not isinstance(parts, dict) or set(parts) != expected:
        raise BackupError(_("The manifest does not list the expected parts."))
    problems = []
    for name in sorted(parts):
        try:
            path, checksum = _part_path(folder, manifest, name), str(parts[name]["sha256"])
        except (KeyError, TypeError):
            raise BackupError(_("The manifest does not list the expected parts.")) from None
        if not path.is_file():
            problems.append(_("%(file)s is missing") % {"file": path.name})
        elif sha256_of(path) != checksum:
            problems.append(_("%(file)s does not match its checksum") % {"file": path.name})
    if problems:
        raise BackupError(
            _("The backup is damaged, nothing was restored: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    return manifest


def _files_in(root):
    return root.is_dir() and any(path.is_file() for path in root.rglob("*"))


def restore_backup(folder, *, force=False, using="default"):
    """Restore a verified backup into this site's database and media folders; return the manifest.

    The database and both media folders must be empty unless force is given: a restore
    over a live site would mix two states of it.
    """
    folder = Path(folder)
    manifest = verify_backup(folder)
    connection = connections[using]
    vendor = _vendor(connection)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            _("The backup holds a %(theirs)s database; this site uses %(ours)s.")
            % {"theirs": manifest["database"]["vendor"], "ours": vendor}
        )
    roots = media_roots()
    if not force:
        tables = connection.introspection.table_names()
        if tables:
            raise BackupError(
                _(
                    "The database %(name)s is not empty (%(count)d tables): restore into a new, "
                    "empty database, or pass --force to overwrite it."
                )
                % {"name": connection.settings_dict["NAME"], "count": len(tables)}
            )
        for root in roots.values():
            if _files_in(root):
                raise BackupError(
                    _(
                        "The folder %(path)s is not empty: restore into empty media folders, "
                        "or pass --force to overwrite them."
                    )
                    % {"path": root}
                )
    _restore_database(connection, _part_path(folder, manifest, "database"), force=force)
    for part, root in roots.items():
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(_part_path(folder, manifest, part)) as archive:
            # The "data" filter refuses absolute paths, links out of root and device files.
            archive.extractall(root, filter="data")
    return manifest


def _restore_database(connection, dump, *, force):
    if connection.vendor == "postgresql":
        command, env = _postgres_command("pg_restore", connection.settings_dict)
        command += ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"]
        if force:
            command += ["--clean", "--if-exists"]
        connection.close()
        _run([*command, str(dump)], env)
        return
    connection.close()
    source = sqlite3.connect(f"{Path(dump).resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        # The backup API replaces the whole destination database, page by page.
        source.backup(destination)
    finally:
        source.close()
        destination.close()
