"""The class folder and its roster: `gdtui serve --init`, the passphrase hash, and every roster error
naming the file, the field and what was expected."""

from __future__ import annotations

import io
import stat

import pytest
from classroom_helpers import PASSPHRASE, make_key

from gdtui.classroom.roster import (
    EXAMPLE_ROSTER,
    Limits,
    RosterError,
    check_passphrase,
    hash_passphrase,
    load_roster,
)
from gdtui.cli import main


def test_init_makes_an_owner_only_host_key_and_a_commented_example_roster(tmp_path, capsys):
    d = tmp_path / "class"
    assert main(["serve", "--init", str(d)]) == 0
    assert stat.S_IMODE((d / "host_key").stat().st_mode) == 0o600
    assert (d / "roster.toml").read_text() == EXAMPLE_ROSTER
    roster = load_roster(d)  # the example is all comments: no students yet, default limits
    assert roster.students == {} and roster.passphrase is None and roster.limits == Limits()
    key = (d / "host_key").read_bytes()
    assert main(["serve", "--init", str(d)]) == 0  # a second init changes nothing
    assert (d / "host_key").read_bytes() == key
    assert "nothing changed" in capsys.readouterr().out


def test_the_passphrase_is_kept_only_as_a_salted_hash(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["serve", "--hash-passphrase"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('passphrase = "scrypt$') and PASSPHRASE not in line
    (tmp_path / "roster.toml").write_text(line + "\n[students.grace]\n")
    roster = load_roster(tmp_path)
    assert roster.passphrase_ok("grace", PASSPHRASE)
    assert not roster.passphrase_ok("grace", PASSPHRASE + "!")
    assert not roster.passphrase_ok("mallory", PASSPHRASE)  # right passphrase, not on the roster
    assert hash_passphrase(PASSPHRASE) != hash_passphrase(PASSPHRASE)  # salted
    assert check_passphrase(PASSPHRASE, hash_passphrase(PASSPHRASE))


def test_a_short_passphrase_is_refused(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["serve", "--hash-passphrase"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_keys_and_limits_are_read(tmp_path):
    ada, other = make_key(), make_key()
    (tmp_path / "roster.toml").write_text(
        f'[students.ada]\nkeys = ["{ada.export_public_key().decode().strip()}"]\n'
        "[limits]\nsessions = 5\nidle_minutes = 1.5\n"
    )
    roster = load_roster(tmp_path)
    assert roster.key_allowed("ada", ada) and not roster.key_allowed("ada", other)
    assert not roster.key_allowed("bob", ada)
    assert roster.limits == Limits(sessions=5, sessions_per_student=2, idle_minutes=1.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[students.ada\n", "not valid TOML"),
        ('[students.ada]\nkeys = ["ssh-ed25519 nonsense"]\n', "students.ada: keys[0]: expected an OpenSSH"),
        ('[students.ada]\nkeys = "ssh-ed25519 AAAA"\n', "students.ada: keys: expected a list"),
        ("[students.Ada]\n", "students.Ada: expected a name"),
        ('passphrase = "hunter2hunter2"\n', "passphrase: expected a hash"),
        ("[limits]\nsessions = 0\n", "limits.sessions: expected a positive number"),
        ("[limits]\nseats = 3\n", "limits.seats: expected sessions"),
        ("[teachers.me]\n", "teachers: expected only"),
    ],
    ids=[
        "toml",
        "bad-key",
        "keys-not-list",
        "bad-name",
        "plain-passphrase",
        "zero-limit",
        "unknown-limit",
        "table",
    ],
)
def test_roster_errors_name_the_file_the_field_and_what_was_expected(tmp_path, text, expected):
    (tmp_path / "roster.toml").write_text(text)
    with pytest.raises(RosterError, match=r"roster\.toml: ") as info:
        load_roster(tmp_path)
    assert expected in str(info.value)


def test_serving_a_folder_without_a_roster_exits_2_with_a_hint(tmp_path, capsys):
    assert main(["serve", "--class-dir", str(tmp_path)]) == 2
    assert "gdtui serve --init" in capsys.readouterr().err
