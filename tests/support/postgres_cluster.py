"""A throwaway PostgreSQL cluster in a temporary folder: initdb, pg_ctl start, pg_ctl stop.

For the tests (tests/postgres/) and for `.ci/run`, which runs the whole suite on one:

    python tests/support/postgres_cluster.py start DIR   # prints the cluster's admin URL
    python tests/support/postgres_cluster.py stop DIR

No system service: the server listens on 127.0.0.1 on a free port, its socket in DIR, trusting
local connections (a test machine's own). initdb refuses to run as root, so as root the cluster
belongs to the `postgres` user (Debian's package makes it) and runs as that user.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

ADMIN_USER = "postgres"
# Durability is not the point of a throwaway cluster: skip the disk flushes.
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                  "-c max_connections=300 -c shared_buffers=64MB")


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def available() -> bool:
    return binaries() is not None and (os.geteuid() != 0 or _service_user() is not None)


def _service_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(ADMIN_USER)
    except KeyError:
        return None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", ADMIN_USER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_owner(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int

    @property
    def admin_url(self) -> str:
        user = ADMIN_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        return f"postgresql://{user}@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        stop(self.folder)


def start(folder: str | Path) -> Cluster:
    """initdb a new cluster in `folder` (made if missing) and start it; returns once it answers."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb): apt-get install postgresql")
    folder = Path(folder)
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir(parents=True, exist_ok=True)
    owner = _service_user() if os.geteuid() == 0 else None
    if owner is not None:
        for path in (folder, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    user = ADMIN_USER if owner else pwd.getpwuid(os.geteuid()).pw_name
    # C.UTF-8: text sorts by code point, as SQLite sorts it, and lower() knows every alphabet.
    _run([str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "--encoding=UTF8",
          "--locale=C.UTF-8"])
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 {SERVER_OPTIONS}"
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
          "-w", "-t", "60", "start"])
    (folder / "port").write_text(str(port))
    return Cluster(folder, port)


def stop(folder: str | Path) -> None:
    """Stop the cluster in `folder` (fast shutdown: sessions are ended); its files stay."""
    bin_dir = binaries()
    data = Path(folder) / "data"
    if bin_dir is None or not (data / "postmaster.pid").exists():
        return
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def create_database(admin_url: str, prefix: str = "gclap_test") -> str:
    """A new empty database on the server of `admin_url`; returns its URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(database_url: str) -> None:
    """Drop the database `database_url` names, ending its sessions first."""
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: postgres_cluster.py start|stop DIR", file=sys.stderr)
        return 2
    if argv[0] == "start":
        print(start(argv[1]).admin_url)
    else:
        stop(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
