"""Where the store lives: `--data-dir` over `$GDTUI_DATA_DIR` over the platform's data directory; a place
that cannot hold it is a StoreError with a one-line message."""

import platformdirs
import pytest

from gdtui.store import Store, StoreError, data_dir


def test_an_override_beats_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GDTUI_DATA_DIR", str(tmp_path / "env"))
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert (tmp_path / "flag").is_dir()


def test_the_environment_beats_the_platform_default(tmp_path, monkeypatch):
    monkeypatch.setenv("GDTUI_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "platform"))
    assert data_dir() == tmp_path / "env"
    assert data_dir("") == tmp_path / "env"  # an empty --data-dir counts as not given


def test_without_override_or_environment_the_platform_data_dir_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("GDTUI_DATA_DIR", raising=False)
    asked = []

    def user_data_dir(appname, *args, **kwargs):
        asked.append(appname)
        return str(tmp_path / "platform" / appname)

    monkeypatch.setattr(platformdirs, "user_data_dir", user_data_dir)
    assert data_dir() == tmp_path / "platform" / "gdtui"
    assert asked == ["gdtui"]
    assert (tmp_path / "platform" / "gdtui").is_dir()


def test_an_empty_environment_variable_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("GDTUI_DATA_DIR", "")
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "platform"))
    assert data_dir() == tmp_path / "platform"


def test_a_relative_or_home_path_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir("rel") == tmp_path / "rel"
    assert data_dir("~/gd") == tmp_path / "home" / "gd"


def test_a_data_dir_that_cannot_be_created_is_a_store_error(tmp_path):
    # (a directory without write permission would do too, but the tests may run as root)
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="cannot create the data directory") as info:
        data_dir(tmp_path / "file" / "gdtui")
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError, match="cannot create the data directory"):
        Store.open(tmp_path / "file" / "gdtui")


def test_a_store_path_that_is_a_directory_is_a_store_error_and_left_alone(tmp_path):
    (tmp_path / Store.FILENAME).mkdir()
    with pytest.raises(StoreError, match="progress store") as info:
        Store.open(tmp_path)
    assert "\n" not in str(info.value)
    assert (tmp_path / Store.FILENAME).is_dir()
