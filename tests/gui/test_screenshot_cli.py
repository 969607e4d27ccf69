"""`python main.py screenshot`: a PNG of the window, or one line saying why none was written."""

from __future__ import annotations

from gui.screenshot import main as screenshot


def test_the_picture_is_written_where_asked(qtbot, tmp_path, capsys):
    target = tmp_path / "shot.png"
    assert screenshot(["xor", "--epochs", "2", "--png", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out.startswith(f"saved {target} at epoch 2")


def test_a_picture_that_cannot_be_written_is_an_error_not_saved(qtbot, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    for target in (tmp_path / "file" / "x.png", tmp_path / "missing" / "x.png"):
        assert screenshot(["xor", "--epochs", "0", "--png", str(target)]) == 2
        out = capsys.readouterr()
        assert (
            out.out == ""
            and out.err.startswith(f"error: --png {target}: ")
            and len(out.err.splitlines()) == 1
        )
        assert not target.exists()
    assert screenshot(["xor", "--epochs", "-3", "--png", str(tmp_path / "y.png")]) == 2
    assert "--epochs: must be 0 or more" in capsys.readouterr().err
