"""The class folder: its host key, its roster (`roster.toml`: students, their SSH keys, an optional class
passphrase stored only as a salted scrypt hash, limits) and the class progress store beside them.

A passphrase hash reads `scrypt$N$r$p$SALT$HASH` (salt and hash in base64): scrypt(passphrase, salt, N, r, p)
is recomputed at login and compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

ROSTER = "roster.toml"
HOST_KEY = "host_key"
NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")
_SCRYPT = (1 << 14, 8, 1)  # N, r, p: ≈16 MiB and tens of milliseconds per check

EXAMPLE_ROSTER = """\
# The class roster for `gdtui serve`. Students connect with `ssh -p PORT NAME@HOST`.
# Edits take effect at the next login; the server need not be restarted.

# A class passphrase lets every student below log in without a key. Only its salted hash is kept here:
# run `gdtui serve --hash-passphrase`, type the passphrase, and paste the line it prints.
# passphrase = "scrypt$16384$8$1$..."

# One table per student, named as they will log in (lowercase letters, digits, _ . -), with the public
# keys they may log in with: the one line of their ~/.ssh/id_ed25519.pub. With no keys, a student logs in
# with the class passphrase only.
#
# [students.ada]
# keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... ada@laptop"]
#
# [students.grace]
# keys = []

# Limits; these are the defaults.
# [limits]
# sessions = 60             # sessions at once, whole class
# sessions_per_student = 2
# idle_minutes = 30         # a session with no keystrokes for this long is closed
# pending_logins = 50       # connections still logging in at once; more are turned away
# login_seconds = 60        # time to log in before the connection is closed
"""


class RosterError(Exception):
    """The class folder (its roster or host key) cannot be used. One-line message naming the file and what
    was expected."""


@dataclass(frozen=True)
class Limits:
    sessions: int = 60
    sessions_per_student: int = 2
    idle_minutes: float = 30.0
    pending_logins: int = 50  # connections not yet logged in (a flood of half-open ones is turned away)
    login_seconds: float = 60.0  # grace time to log in


@dataclass(frozen=True)
class Roster:
    students: dict[str, tuple[asyncssh.SSHKey, ...]] = field(default_factory=dict)
    passphrase: str | None = None  # the hash, never the passphrase
    limits: Limits = Limits()

    def key_allowed(self, name: str, key: asyncssh.SSHKey) -> bool:
        data = key.public_data
        return any(hmac.compare_digest(data, k.public_data) for k in self.students.get(name, ()))

    def passphrase_ok(self, name: str, passphrase: str) -> bool:
        """True for a roster student giving the class passphrase. The hash is computed even for unknown
        names, so the time taken does not tell who is on the roster."""
        if self.passphrase is None:
            return False
        return check_passphrase(passphrase, self.passphrase) and name in self.students


def hash_passphrase(passphrase: str) -> str:
    n, r, p = _SCRYPT
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def check_passphrase(passphrase: str, stored: str) -> bool:
    n, r, p, salt, digest = _parse_hash(stored)
    got = hashlib.scrypt(passphrase.encode(), salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=1 << 27)
    return hmac.compare_digest(got, digest)


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError
        n, r, p = (int(v) for v in parts[1:4])
        return n, r, p, base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        raise RosterError(
            "passphrase: expected a hash printed by `gdtui serve --hash-passphrase` (scrypt$N$r$p$SALT$HASH)"
        ) from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def load_roster(class_dir: Path) -> Roster:
    path = Path(class_dir) / ROSTER
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RosterError(f"{path}: no roster; `gdtui serve --init {class_dir}` makes one") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RosterError(f"{path}: cannot read it: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise RosterError(f"{path}: not valid TOML: {e}") from None
    unknown = set(data) - {"passphrase", "students", "limits"}
    if unknown:
        raise RosterError(
            f"{path}: {sorted(unknown)[0]}: expected only passphrase, [students.NAME], [limits]"
        )
    passphrase = data.get("passphrase")
    if passphrase is not None:
        if not isinstance(passphrase, str):
            raise RosterError(f"{path}: passphrase: expected a string")
        try:
            _parse_hash(passphrase)
        except RosterError as e:
            raise RosterError(f"{path}: {e}") from None
    students: dict[str, tuple[asyncssh.SSHKey, ...]] = {}
    table = data.get("students", {})
    if not isinstance(table, dict):
        raise RosterError(f"{path}: students: expected tables [students.NAME]")
    for name, entry in table.items():
        where = f"{path}: students.{name}"
        if not NAME.match(name):
            raise RosterError(f"{where}: expected a name of lowercase letters, digits, _ . - (at most 32)")
        keys = entry.get("keys", []) if isinstance(entry, dict) else None
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise RosterError(f"{where}: keys: expected a list of public-key lines")
        parsed = []
        for i, line in enumerate(keys):
            try:
                parsed.append(asyncssh.import_public_key(line))
            except (asyncssh.KeyImportError, ValueError):
                raise RosterError(f"{where}: keys[{i}]: expected an OpenSSH public key line") from None
        students[name] = tuple(parsed)
    return Roster(students, passphrase, _limits(path, data.get("limits", {})))


def _limits(path: Path, table: object) -> Limits:
    if not isinstance(table, dict):
        raise RosterError(f"{path}: limits: expected a table [limits]")
    defaults = Limits()
    values = {}
    for key, value in table.items():
        if key not in Limits.__dataclass_fields__:
            *names, last = Limits.__dataclass_fields__
            raise RosterError(f"{path}: limits.{key}: expected {', '.join(names)} or {last}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise RosterError(f"{path}: limits.{key}: expected a positive number")
        values[key] = type(getattr(defaults, key))(value)
    return Limits(**values)


def init_class_dir(class_dir: Path) -> list[Path]:
    """Make a class folder: the host key (mode 0600) and a commented example roster. Existing files are
    kept. Returns the files made."""
    class_dir = Path(class_dir)
    class_dir.mkdir(parents=True, exist_ok=True)
    made = []
    if ensure_host_key(class_dir):
        made.append(class_dir / HOST_KEY)
    roster = class_dir / ROSTER
    if not roster.exists():
        roster.write_text(EXAMPLE_ROSTER, encoding="utf-8")
        made.append(roster)
    return made


def ensure_host_key(class_dir: Path) -> bool:
    """Create the server's host key if it is missing (owner-only permissions); True if it was made."""
    path = Path(class_dir) / HOST_KEY
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    return True


def read_host_key(class_dir: Path) -> asyncssh.SSHKey:
    """The server's host key, made first if the class folder has none; RosterError if it is unreadable."""
    path = Path(class_dir) / HOST_KEY
    try:
        ensure_host_key(class_dir)
        return asyncssh.read_private_key(path)
    except OSError as e:
        raise RosterError(f"{path}: cannot read it: {e.strerror or e}") from None
    except (asyncssh.KeyImportError, ValueError) as e:
        raise RosterError(
            f"{path}: expected an unencrypted SSH private key ({e}); move it aside and "
            f"`gdtui serve --init {class_dir}` makes a new one"
        ) from None
