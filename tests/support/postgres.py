"""A real PostgreSQL for tests, from Debian's `postgresql` package: initdb in a temporary folder, a loopback
port, stopped and removed afterwards. As root the server runs as the `postgres` user (PostgreSQL
refuses to run as root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SUPERUSER = "sentra"


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self, port: int):
        self.port = port
        self.bin = postgres_bin()
        if self.bin is None:
            message = "PostgreSQL tidak terpasang (paket Debian 'postgresql'); scripts/install.sh memasangnya"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        # Not under pytest's tmp_path: that folder is private to root, and the server may run as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="sentra-pg-"))
        self.data = self.root / "data"
        self.url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"

    def _run(self, *command: str) -> None:
        prefix: list[str] = []
        if os.geteuid() == 0:
            prefix = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def __enter__(self) -> PostgresServer:
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
