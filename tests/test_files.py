"""Reading the files a user names: the same bytes as open().read(), and why not in Swedish."""
from __future__ import annotations

import os

import pytest

from stod.services.files import file_bytes, os_reason


@pytest.mark.parametrize("size", [0, 1, 1000, 65535, 65536, 65537, 300_000])
def test_the_bytes_are_the_files(tmp_path, size):
    path = tmp_path / "f.json"
    data = os.urandom(size)
    path.write_bytes(data)
    assert file_bytes(str(path)) == data


def test_why_a_file_cannot_be_read_is_said_in_swedish(tmp_path):
    with pytest.raises(OSError) as missing:
        file_bytes(str(tmp_path / "saknas.json"))
    assert os_reason(missing.value) == "den finns inte"
    with pytest.raises(OSError) as folder:
        file_bytes(str(tmp_path))
    assert os_reason(folder.value) == "det är en mapp"
    with pytest.raises(OSError) as not_a_folder:
        (tmp_path / "fil").write_text("x")
        file_bytes(str(tmp_path / "fil" / "a.json"))
    assert os_reason(not_a_folder.value) == "en del av sökvägen är ingen mapp"


def test_submit_names_a_missing_file_in_swedish(tmp_path):
    from cases.store import open_store
    from stod.services.submit import submit_files

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = submit_files(store, [str(tmp_path / "saknas.json")])
    store.dispose()
    assert report.failed == 1
    assert report.results[0]["file"].endswith("saknas.json")
    assert report.results[0]["error"] == "filen kan inte läsas (den finns inte)"  # the file is not named twice


def test_submit_never_shows_an_unreadable_file_name_that_may_hold_a_personnummer(tmp_path):
    from stod.services.submit import refused_before_storing

    report = refused_before_storing([str(tmp_path / "191212121212.json")])
    assert report.failed == 1
    assert "191212121212" not in repr(report.results)
    assert report.results[0]["error"] == "filen kan inte läsas (den finns inte)"


def test_an_output_file_that_cannot_be_written_is_refused_in_swedish_without_its_name_when_it_may_hold_a_pnr(tmp_path):
    import json

    from click.testing import CliRunner

    from stod.cli import main
    from stod.services.demo_data import generate_applications

    app = tmp_path / "a.json"
    app.write_text(json.dumps(generate_applications(1, seed=3)[0], ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "saknas" / "beslut.pdf"
    done = CliRunner().invoke(main, ["letter", "--file", str(app), "--pdf", str(target), "--date", "2027-12-31"])
    assert done.exit_code == 2
    assert done.output.strip() == f"fel: {target}: kan inte skriva filen (mappen finns inte); ange en annan sökväg"
    # A name that may hold a personnummer is refused before anything is written, and never shown.
    named = tmp_path / "191212121212.pdf"
    done = CliRunner().invoke(main, ["letter", "--file", str(app), "--pdf", str(named), "--date", "2027-12-31"])
    assert done.exit_code == 2 and "--pdf: filnamnet får inte innehålla ett personnummer" in done.output
    assert "1212" not in done.output and not named.exists()
