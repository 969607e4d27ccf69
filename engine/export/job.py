"""Exports from a live session, each written by a short-lived process of its own.

Why not in the training process: an exporter can take its whole process down (TorchScript
aborted the interpreter with `c10::Error … unexpected pos` on a full disk), and training must
survive any export. The job gets the project, the data and the current weights, rebuilds the
run, writes the file and reports one line back; if it dies instead, that is reported too.

`python -m engine.export.job PAYLOAD` is the child: PAYLOAD is a pickle this module wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from engine.session.child_exit import describe_exit

_ROOT = Path(__file__).resolve().parents[2]  # the folder holding engine/, for the child's imports


class ExportJob:
    """One export under way; `poll()` answers (written, error) once it has ended, else None."""

    def __init__(self, trainer, fmt: str, path: str) -> None:
        self.fmt = fmt
        # Absolute: the job runs in Layerlab's own folder, so no module in the user's working
        # folder (a learner's numpy.py, say) can shadow the ones it imports.
        self.path = os.path.abspath(path)
        payload = {
            "project": trainer.project,
            "dataset": trainer.dataset,
            "state": trainer.state_dict(),
            "epoch": trainer.epoch,
            "format": fmt,
            "path": self.path,
        }
        handle, self._payload = tempfile.mkstemp(prefix="layerlab-export-", suffix=".pickle")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "engine.export.job", self._payload],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                cwd=_ROOT,
                env=env,
            )
        except BaseException:
            _remove(self._payload)  # e.g. a full /tmp: no half-written payload stays behind
            raise

    def poll(self) -> tuple[str, str] | None:
        code = self.process.poll()
        if code is None:
            return None
        output = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
        if self.process.stdout:
            self.process.stdout.close()
        _remove(self._payload)  # the child removes it once read; this covers a child that died first
        for line in reversed(output.splitlines()):
            try:
                result = json.loads(line)
                return str(result["written"]), str(result["error"])
            except (ValueError, KeyError, TypeError):
                continue
        self._remove_its_temporary_files()
        return "", f"{self.fmt} export failed: the exporting process {describe_exit(code)}"

    def _remove_its_temporary_files(self) -> None:
        """A writer that died mid-write leaves its temporary file; its pid, now dead, marks it."""
        from engine.store import remove_stale_temps

        target = Path(self.path)
        for folder in (target.parent, target):
            if folder.is_dir():
                remove_stale_temps(folder)

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        _remove(self._payload)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _export(payload: dict) -> tuple[str, str]:
    from engine.errors import SpecError
    from engine.export.models import WRITERS
    from engine.session.errors import describe
    from engine.train import Trainer

    fmt = payload["format"]
    try:
        trainer = Trainer(payload["project"], dataset=payload["dataset"])
        trainer.load_state_dict(payload["state"])
        trainer.epoch = payload["epoch"]
        if fmt == "script":
            from engine.export.script import check_supported

            check_supported(trainer)
        return str(WRITERS[fmt](trainer, payload["path"])), ""
    except SpecError as exc:
        return "", str(exc)
    except OSError as exc:
        where = exc.filename or payload["path"]
        return "", f"{fmt} export failed: {where}: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - e.g. an exporter that cannot handle this network
        return "", f"{fmt} export failed: {describe(exc)}"


def main(argv: list[str]) -> int:
    # The result goes to the real stdout; anything the exporters print goes to stderr instead.
    result_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    path = argv[0]
    with open(path, "rb") as handle:
        payload = pickle.load(handle)  # written by ExportJob in the session, never by a user
    _remove(path)
    import torch

    torch.set_num_threads(1)  # the training process keeps its core
    written, error = _export(payload)
    # The session may have ended meanwhile (the window closed): the file is written all the same,
    # and nobody is left to read the result.
    with contextlib.suppress(BrokenPipeError):
        result_out.write(json.dumps({"written": written, "error": error}) + "\n")
        result_out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
