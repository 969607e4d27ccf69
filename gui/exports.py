"""File ▸ Export: models (run in the training thread, which owns the weights), metrics and plots.

Every export writes atomically; a failure is reported in the status bar and leaves no partial file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from engine.store import atomic_write
from gui import files

EXPORT_CHOICES = (
    ("onnx", "Model as ONNX…"),
    ("torchscript", "Model as TorchScript…"),
    ("torch_export", "Model as torch.export program (.pt2)…"),
    ("safetensors", "Weights (safetensors) + project recipe…"),
    ("script", "Standalone PyTorch training script…"),
    ("metrics", "Metrics as CSV…"),
    ("plots_png", "Plots as PNG…"),
    ("plots_svg", "Plots as SVG…"),
)
MODEL_FORMATS = {
    "onnx": "ONNX model (*.onnx)",
    "torchscript": "TorchScript (*.pt)",
    "torch_export": "torch.export (*.pt2)",
}
FOLDER_FORMATS = ("safetensors", "script")


def export_dialog(window, key: str) -> None:
    """Ask where (starting in the project's folder, or the last one used), then export."""
    start = Path(files.dialog_folder(window.model.path))
    if key in FOLDER_FORMATS:
        path = QFileDialog.getExistingDirectory(window, "Export into folder", str(start))
    elif key in MODEL_FORMATS:
        suffix = MODEL_FORMATS[key].split("*")[1].rstrip(")")
        path, _ = QFileDialog.getSaveFileName(
            window, "Export model", str(start / f"model{suffix}"), MODEL_FORMATS[key]
        )
    elif key == "metrics":
        path, _ = QFileDialog.getSaveFileName(
            window, "Export metrics", str(start / "metrics.csv"), "CSV (*.csv)"
        )
    else:
        path = QFileDialog.getExistingDirectory(window, "Save plots into folder", str(start))
    if path:
        files.remember_folder(
            Path(path) if key in FOLDER_FORMATS or key.startswith("plots") else Path(path).parent
        )
        export_to(window, key, Path(path))


def export_to(window, key: str, path: Path) -> None:
    """Model formats are written for the training session by a process of its own
    (engine/export/job.py), which answers through `exported`; a failing exporter cannot end
    training. Metrics and plots are written here."""
    if key in MODEL_FORMATS or key in FOLDER_FORMATS:
        window._ensure_session(resume=True)  # a dead session is replaced from its last weights
        window.show_message(f"Exporting {key} to {path}…")
        window.training.exportRequested.emit(key, str(path))
        return
    try:
        written = export_metrics(window, path) if key == "metrics" else export_plots(window, path, key[-3:])
    except OSError as exc:
        window.show_message(f"Export failed: {exc.strerror or exc}", 15000)
        return
    except Exception as exc:  # noqa: BLE001 - an exporter bug must end as a message, not a traceback
        window.show_message(f"Export failed: {type(exc).__name__}: {exc}", 15000)
        return
    window.show_message(f"Exported {', '.join(str(p) for p in written)}")


def export_metrics(window, path: Path) -> list[Path]:
    atomic_write(path, window.metrics.to_csv().encode())
    return [path]


def export_plots(window, folder: Path, suffix: str) -> list[Path]:
    """Each plot through pyqtgraph's exporters, into a temporary name first, then renamed."""
    import pyqtgraph.exporters as exporters

    folder.mkdir(parents=True, exist_ok=True)
    plots = {
        "boundary": window.boundaryView.getPlotItem(),
        "loss": window.curvesView.loss_plot.getPlotItem(),
        "accuracy": window.curvesView.accuracy_plot.getPlotItem(),
        "gradients": window.gradientView.plot_widget.getPlotItem(),
    }
    widgets = {
        "boundary": window.boundaryView,
        "loss": window.curvesView.loss_plot,
        "accuracy": window.curvesView.accuracy_plot,
        "gradients": window.gradientView.plot_widget,
    }
    written = []
    for name, item in plots.items():
        target = folder / f"{name}.{suffix}"
        tmp = folder / f".{name}.tmp.{suffix}"
        try:
            if suffix == "svg":
                _export_svg(item, widgets[name], tmp)
            else:
                exporter = exporters.ImageExporter(item)
                exporter.parameters()["width"] = 1200
                exporter.export(str(tmp))
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(target)
    return written


def _export_svg(item, widget, path: Path) -> None:
    """pyqtgraph's SVG exporter, or Qt's SVG painter where pyqtgraph's fails on a path it cannot parse."""
    import pyqtgraph.exporters as exporters

    try:
        exporters.SVGExporter(item).export(str(path))
        return
    except (ValueError, IndexError):
        pass
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(widget.width(), widget.height()))
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    painter = QPainter(generator)
    try:
        widget.render(painter)
    finally:
        painter.end()
