"""The session's exports: each one runs in a process of its own, reported when it ends."""

from __future__ import annotations

from engine.session.errors import describe


class Exports:
    """Mixin for Session: the `export` command and the look at exports under way."""

    def export(self, fmt: str, path: str) -> None:
        """Write the current weights in `fmt`, in a process of its own (engine/export/job.py):
        an exporter that crashes or aborts must not take training with it."""
        from engine.export.job import ExportJob

        if self.trainer is None:
            self._send("exported", ("", "nothing to export: the network could not be built"))
            return
        try:
            self._exports.append(ExportJob(self.trainer, fmt, path))
        except Exception as exc:  # noqa: BLE001 - e.g. no room for the job's temporary file
            self._send("exported", ("", f"{fmt} export failed: {describe(exc)}"))

    def poll_exports(self) -> None:
        """Report each export that has ended since the last look."""
        for job in list(self._exports):
            result = job.poll()
            if result is not None:
                self._exports.remove(job)
                self._send("exported", result)
