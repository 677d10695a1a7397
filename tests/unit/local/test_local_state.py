"""The local data directory: ours or refused, --fresh, one run at a time (MP-LOC-01)."""

from __future__ import annotations

import json
from pathlib import Path

import moto
import pytest

from manabi_local.state import MARKER, SNAPSHOT_FORMAT, LocalState, StateFormatError


def _way_out(message: str) -> None:
    """Every refusal names both ways out: starting empty, or keeping the data elsewhere."""
    assert "--fresh" in message
    assert "make reset" in message
    assert "--state-dir" in message


def test_mp_loc_01_a_new_directory_is_created_and_marked(tmp_path: Path) -> None:
    state = LocalState.open(tmp_path / "state")
    try:
        assert json.loads((state.root / MARKER).read_text()) == {"format": 1}
        assert not state.kept
        assert state.emulator_dir == state.root / "emulator"
    finally:
        state.release()


def test_mp_loc_01_a_foreign_directory_is_never_used_nor_emptied(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("three years of work")
    for fresh in (False, True):
        with pytest.raises(StateFormatError, match="not a local data directory"):
            LocalState.open(tmp_path, fresh=fresh)
    assert (tmp_path / "thesis.tex").read_text() == "three years of work"


def test_mp_loc_01_an_older_layout_is_refused_with_the_way_out(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text('{"format": 0}')
    with pytest.raises(StateFormatError, match="layout 0") as raised:
        LocalState.open(tmp_path)
    _way_out(str(raised.value))


def test_mp_loc_01_data_of_another_moto_version_is_refused_with_the_way_out(
    tmp_path: Path,
) -> None:
    (tmp_path / MARKER).write_text('{"format": 1}')
    (tmp_path / "emulator").mkdir()
    manifest = {"format": SNAPSHOT_FORMAT, "moto": "4.0.0", "python": "3.9", "services": {}}
    (tmp_path / "emulator" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StateFormatError, match=r"moto 4\.0\.0") as raised:
        LocalState.open(tmp_path)
    message = str(raised.value)
    assert moto.__version__ in message
    _way_out(message)


def test_mp_loc_01_an_unreadable_manifest_is_refused_with_the_way_out(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text('{"format": 1}')
    (tmp_path / "emulator").mkdir()
    (tmp_path / "emulator" / "manifest.json").write_text("{half a manifest")
    with pytest.raises(StateFormatError, match="cannot be read") as raised:
        LocalState.open(tmp_path)
    _way_out(str(raised.value))


def test_mp_loc_01_fresh_deletes_the_data_and_keeps_the_logs(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text('{"format": 0}')  # even a layout it cannot read
    (tmp_path / "emulator").mkdir()
    (tmp_path / "emulator" / "manifest.json").write_text("{}")
    (tmp_path / "mailbox.json").write_text("{}")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "emulator.log").write_text("why the last run stopped")
    state = LocalState.open(tmp_path, fresh=True)
    try:
        assert not state.emulator_dir.exists()
        assert not state.mailbox_path.exists()
        assert state.log_path.read_text() == "why the last run stopped"
        assert json.loads((tmp_path / MARKER).read_text()) == {"format": 1}
    finally:
        state.release()


def test_mp_loc_01_two_runs_never_share_a_directory(tmp_path: Path) -> None:
    first = LocalState.open(tmp_path)
    try:
        with pytest.raises(StateFormatError, match="in use by another run"):
            LocalState.open(tmp_path)
    finally:
        first.release()
    LocalState.open(tmp_path).release()  # free again once the first run let go
