"""A real Miniflux with its own PostgreSQL on 127.0.0.1, for the sync tests and `bench/`.

`MinifluxServer.start()` makes a throw-away PostgreSQL cluster (`initdb` in a temporary folder,
`fsync=off`: nothing here needs to survive a crash), starts it on a free port, then starts the
Miniflux binary against it with migrations and an admin user, and waits for `/healthcheck`.
Each test gets a user of its own (`new_user`), so tests share one server but no data. API keys
are written straight into Miniflux's `api_keys` table: 2.2.6 has no `POST /v1/api-keys`, and its
web form needs a session and a CSRF token for nothing the tests are about.

PostgreSQL refuses to run as root: when the tests run as root, its processes run as the
`postgres` user (`subprocess.Popen(user=...)`) in a folder that user owns.

The binary comes from `$NEWSTUI_MINIFLUX`, else the cache `.ci/get-miniflux` fills (running that
script when the cache is empty), else `miniflux` on PATH; `find_miniflux` says why when none can
be had, so the caller can skip with that reason.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ADMIN = ("admin", "admin-password-1")
START_TIMEOUT = 30.0


class Unavailable(Exception):
    """Miniflux or PostgreSQL cannot be had on this machine; the message says why."""


def find_miniflux() -> Path:
    explicit = os.environ.get("NEWSTUI_MINIFLUX")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise Unavailable(f"$NEWSTUI_MINIFLUX={explicit} is not an executable file")
        return Path(explicit)
    script = REPO / ".ci" / "get-miniflux"
    run = subprocess.run(
        ["python3", str(script)], capture_output=True, text=True, timeout=600, check=False
    )
    if run.returncode == 0 and run.stdout.strip():
        return Path(run.stdout.strip().splitlines()[-1])
    on_path = shutil.which("miniflux")
    if on_path:
        return Path(on_path)
    reason = (run.stderr.strip().splitlines() or ["no reason given"])[-1]
    raise Unavailable(f"no Miniflux binary: .ci/get-miniflux failed ({reason})")


def find_postgres() -> Path:
    """The newest PostgreSQL server's bin folder (Debian puts it off PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).parent
    raise Unavailable("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/postgres)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class User:
    """A Miniflux user of one test: its login and an API key."""

    id: int
    username: str
    password: str
    token: str


class MinifluxServer:
    def __init__(self) -> None:
        self.binary = find_miniflux()
        self.pg_bin = find_postgres()
        self.root = Path(tempfile.mkdtemp(prefix="newstui-miniflux-"))
        self.pg_port = free_port()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._pg: subprocess.Popen[bytes] | None = None
        self._mf: subprocess.Popen[bytes] | None = None
        self._as_user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root and there is no 'postgres' user") from None
            self._as_user = "postgres"
            os.chmod(self.root, 0o755)  # the postgres user must reach its folder inside
        self.data = self.root / "pg"
        self.socket_dir = self.root / "sock"
        self._log = open(self.root / "server.log", "wb")  # noqa: SIM115 (closed in close())

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> MinifluxServer:
        try:
            self._start_postgres()
            self.start_miniflux()
        except BaseException:
            self.close()
            raise
        return self

    def _pg_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), capture_output=True, text=True, check=False, timeout=60,
            user=self._as_user, group=self._as_user, extra_groups=[] if self._as_user else None,
            cwd=self.root,
        )

    def _start_postgres(self) -> None:
        for folder in (self.data, self.socket_dir):
            folder.mkdir()
            if self._as_user:
                shutil.chown(folder, self._as_user, self._as_user)
        init = self._pg_run(
            str(self.pg_bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions",
        )
        if init.returncode != 0:
            raise Unavailable(f"initdb failed: {init.stderr.strip()[-300:]}")
        self._pg = subprocess.Popen(
            [
                str(self.pg_bin / "postgres"), "-D", str(self.data), "-p", str(self.pg_port),
                "-k", str(self.socket_dir), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=50",
            ],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=self.root,
            user=self._as_user, group=self._as_user, extra_groups=[] if self._as_user else None,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            ready = self._pg_run(
                str(self.pg_bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.pg_port)
            )
            if ready.returncode == 0:
                return
            if self._pg.poll() is not None or time.monotonic() > deadline:
                raise Unavailable(f"PostgreSQL did not start: {self.log_tail()}")
            time.sleep(0.05)

    def start_miniflux(self) -> None:
        """Start (or restart, after `stop_miniflux`) Miniflux on the same port and database."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": (
                f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres?sslmode=disable"
            ),
            "RUN_MIGRATIONS": "1",
            "CREATE_ADMIN": "1",
            "ADMIN_USERNAME": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
            "LISTEN_ADDR": f"127.0.0.1:{self.port}",
            "BASE_URL": self.url,
            "LOG_LEVEL": "error",
            # Feeds are served from 127.0.0.1. 2.2.6 fetches private addresses anyway; later
            # releases refuse them unless this is set.
            "FETCHER_ALLOW_PRIVATE_NETWORKS": "1",
            # Only the tests ask for refreshes: no scheduler surprises mid-test, no clean-up.
            "POLLING_FREQUENCY": "100000",
            "SCHEDULER_ROUND_ROBIN_MIN_INTERVAL": "100000",
            "CLEANUP_FREQUENCY_HOURS": "100000",
            "WORKER_POOL_SIZE": "2",
            "HTTP_CLIENT_TIMEOUT": "10",
            "DATABASE_MIN_CONNS": "1",
            "DATABASE_MAX_CONNS": "8",
        }
        self._mf = subprocess.Popen(
            [str(self.binary)], env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.root
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url + "/healthcheck", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            if self._mf.poll() is not None or time.monotonic() > deadline:
                raise Unavailable(f"Miniflux did not start: {self.log_tail()}")
            time.sleep(0.05)

    @property
    def running(self) -> bool:
        return self._mf is not None and self._mf.poll() is None

    def stop_miniflux(self) -> None:
        """Take the server away (PostgreSQL stays), as when a laptop goes offline."""
        if self._mf is not None and self._mf.poll() is None:
            self._mf.terminate()
            try:
                self._mf.wait(10)
            except subprocess.TimeoutExpired:
                self._mf.kill()
                self._mf.wait()
        self._mf = None

    def close(self) -> None:
        self.stop_miniflux()
        if self._pg is not None and self._pg.poll() is None:
            self._pg.terminate()  # "smart" shutdown: Miniflux has already gone
            try:
                self._pg.wait(15)
            except subprocess.TimeoutExpired:
                self._pg.kill()
                self._pg.wait()
        self._pg = None
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = (self.root / "server.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:])

    # -- helpers for tests ------------------------------------------------------------------

    def sql(self, statement: str) -> str:
        """Run one SQL statement in Miniflux's database; returns psql's unaligned output."""
        run = self._pg_run(
            str(self.pg_bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", "postgres",
            "-c", statement,
        )
        if run.returncode != 0:
            raise RuntimeError(f"psql: {run.stderr.strip()}")
        return run.stdout.strip()

    def api(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        user: User | None = None,
        auth: tuple[str, str] | None = None,
    ) -> object:
        """One REST call with urllib (not newstui's client: the tests check newstui with it)."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        login = auth or ((user.username, user.password) if user else ADMIN)
        basic = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {basic}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                data = answer.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:300]!r}") from None
        return json.loads(data) if data.strip() else None

    def new_user(self, name: str | None = None) -> User:
        """A fresh user with an API key: one per test, so tests never see each other's data."""
        username = name or f"u{secrets.token_hex(6)}"
        password = secrets.token_urlsafe(12)
        created = self.api("POST", "/v1/users", {"username": username, "password": password})
        assert isinstance(created, dict)
        token = secrets.token_urlsafe(32)
        self.sql(
            "INSERT INTO api_keys (user_id, token, description)"
            f" VALUES ({int(created['id'])}, '{token}', 'newstui tests')"
        )
        return User(int(created["id"]), username, password, token)

    def enable_greader(self, user: User) -> tuple[str, str]:
        """Turn on the user's Google Reader API (`/reader/api/0`); returns its login. Miniflux
        keeps that password bcrypt-hashed; PostgreSQL's pgcrypto makes the same kind of hash."""
        login, password = f"gr-{user.username}", secrets.token_urlsafe(12)
        self.sql("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        self.sql(
            "UPDATE integrations SET googlereader_enabled = true,"
            f" googlereader_username = '{login}',"
            f" googlereader_password = crypt('{password}', gen_salt('bf'))"
            f" WHERE user_id = {user.id}"
        )
        return login, password
