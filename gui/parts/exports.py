"""File ▸ Export: the plots as PNG, SVG or CSV; the weights, the gradients and the history as
CSV; the network as a standalone NumPy or PyTorch script that trains it the same way and
prints the same loss; an exercise sheet of the next phases with its answer key, in Markdown
or LaTeX (engine/io/export writes the texts); the network as an ONNX model (float32 or
float64, engine/io/onnx_model.py: the optional onnx package).

Each export asks for a file name (and the scripts for a number of iterations) and writes the
file atomically; the ``export_*`` methods take the path, so tests and scripts call them
without dialogs. Failures are shown, and nothing else changes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox

from engine.io.atomic import write_text_atomic
from engine.io.fileformat import Document

from ..notation import describe_error
from .actions import make_action


def _export():
    """engine.io.export, imported when first used (not at start)."""
    from engine.io import export

    return export


def _sheets():
    """engine.io.export.exercise_sheet, imported when first used."""
    from engine.io.export import exercise_sheet

    return exercise_sheet


PLOT_FORMATS = {".png": "PNG image", ".svg": "SVG drawing", ".csv": "CSV of the curves"}


def export_plot(plot, path: Path | str) -> None:
    """Write a pyqtgraph plot (PlotWidget) to ``path``, its format from the suffix."""
    import pyqtgraph.exporters as exporters

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":  # Qt's own SVG generator: pyqtgraph 0.14's exporter fails on Qt 6.11
        item = plot.getPlotItem()
        _write_svg(item.scene(), item.sceneBoundingRect(), path)
        return
    kind = {".png": exporters.ImageExporter, ".csv": exporters.CSVExporter}.get(suffix)
    if kind is None:
        raise ValueError(f"{path.name}: choose .png, .svg or .csv")
    exporter = kind(plot.getPlotItem())
    if kind is exporters.ImageExporter:
        exporter.parameters()["width"] = max(800, int(plot.width()) * 2)
    exporter.export(str(path))
    if not path.exists():
        raise OSError(f"{path}: nothing was written")


def _write_svg(scene, source, path: Path) -> None:
    """Draw ``source`` (a rectangle of the scene) into an SVG file, atomically."""
    from PySide6.QtCore import QRect, QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    temporary = path.with_name(f".{path.name}.tmp")
    width, height = max(1, int(source.width())), max(1, int(source.height()))
    generator = QSvgGenerator()
    generator.setFileName(str(temporary))
    generator.setSize(QRect(0, 0, width, height).size())
    generator.setViewBox(QRect(0, 0, width, height))
    painter = QPainter(generator)
    try:
        scene.render(painter, QRectF(0, 0, width, height), source)
    finally:
        painter.end()
    if not temporary.exists() or temporary.stat().st_size == 0:
        raise OSError(f"{path}: nothing was written")
    temporary.replace(path)


def install_svg_exporter() -> None:
    """In a plot's right-click Export… dialog, replace pyqtgraph's SVG exporter (0.14 cannot
    read the path data Qt 6.11 writes, and raises) by one that draws through Qt's own SVG
    generator. Idempotent."""
    import pyqtgraph.exporters as exporters
    from pyqtgraph.parametertree import Parameter

    registry = exporters.Exporter.Exporters
    if any(getattr(kind, "drawn_by_qt", False) for kind in registry):
        return

    class QtSvgExporter(exporters.Exporter):
        Name = "Scalable Vector Graphics (SVG)"
        allowCopy = False
        drawn_by_qt = True

        def __init__(self, item) -> None:
            super().__init__(item)
            self.params = Parameter.create(name="params", type="group", children=[])

        def parameters(self):
            return self.params

        def export(self, fileName=None, toBytes=False, copy=False):  # noqa: N803 (pyqtgraph's)
            if fileName is None:
                self.fileSaveDialog(filter="Scalable Vector Graphics (*.svg)")
                return None
            _write_svg(self.getScene(), self.getSourceRect(), Path(fileName))
            return None

    registry[:] = [kind for kind in registry if kind is not exporters.SVGExporter]
    QtSvgExporter.register()


def install_svg_exporter_on_demand() -> None:
    """``install_svg_exporter`` when a plot's right-click Export… dialog is first opened
    (pyqtgraph's exporters cost 11 ms to import, a tenth of the window's start-up). Plots
    made after this call have it; idempotent."""
    from pyqtgraph.GraphicsScene import GraphicsScene

    original = GraphicsScene.showExportDialog
    if getattr(original, "installs_svg_exporter", False):
        return

    def show_export_dialog(scene) -> None:
        install_svg_exporter()
        original(scene)

    show_export_dialog.installs_svg_exporter = True
    GraphicsScene.showExportDialog = show_export_dialog


class Exports(QObject):
    """File ▸ Export for one window: given the controller, the ``plots`` to export ((title,
    a function that gives the plot: its dock is built when first asked), by their key),
    ``parent`` (the widget the dialogs belong to, whose shortcuts the
    actions share) and ``show_error(title, text)``."""

    message = Signal(str, int)  # for the status bar, shown for that many ms

    def __init__(self, controller, plots: dict[str, tuple[str, object]], parent,
                 show_error) -> None:
        super().__init__(parent)
        install_svg_exporter_on_demand()  # before the plots are made
        self.controller = controller
        self.plots = plots
        self.dialog_parent = parent
        self.show_error = show_error
        self.default_iterations = 1000
        # asked for the number of iterations a script trains (tests answer here)
        self.ask_iterations = self._ask_iterations
        # asked with a file's name before an export replaces it (when the dialog could not)
        self.confirm_overwrite = self._confirm_overwrite
        # asked for an exercise sheet's number of phases (given the default: one iteration)
        # and its file name (given the suggested path); None cancels. Tests answer here.
        self.ask_sheet_phases = self._ask_sheet_phases
        self.ask_sheet_path = self._ask_sheet_path
        # asked for the ONNX file and its precision: (path, "float32" or "float64"), or None
        self.ask_onnx_path = self._ask_onnx_path

    # ----------------------------------------------------------------- menu
    def fill_menu(self, menu) -> None:
        owner = self.dialog_parent
        for key, (title, plot) in self.plots.items():
            menu.addAction(make_action(
                owner, f"action_export_{key}_plot", f"{title} as PNG, SVG or CSV…", None,
                lambda _=False, p=plot, t=title: self._plot_dialog(p(), t),
                f"Save the {title.lower()} as an image (PNG), a drawing (SVG) or its numbers"))
        menu.addSeparator()
        for key, text, tip, method in (
                ("weights", "Weights and biases as CSV…",
                 "Every weight and bias with its layer and neurons", self.export_weights),
                ("gradients", "Gradients as CSV…",
                 "∂C/∂θ of every weight and bias at the current state", self.export_gradients),
                ("history", "Loss history as CSV…", "The loss of every iteration so far",
                 self.export_history),
                ("trajectories", "Weight trajectories as CSV…",
                 "θ at every kept iteration (the weights plot's data)", self.export_trajectories)):
            menu.addAction(make_action(owner, f"action_export_{key}", text, None,
                                       lambda _=False, m=method, k=key: self._csv_dialog(m, k),
                                       tip))
        menu.addSeparator()
        menu.addAction(make_action(
            owner, "action_export_numpy", "NumPy script…", None,
            lambda: self._script_dialog(self.export_numpy, "NumPy"),
            "A standalone Python script (numpy only) that builds this network with the current "
            "weights and data and trains it as here, printing the same loss"))
        menu.addAction(make_action(
            owner, "action_export_pytorch", "PyTorch script…", None,
            lambda: self._script_dialog(self.export_pytorch, "PyTorch"),
            "The same as a PyTorch script (float64): a bridge to the frameworks"))
        menu.addAction(make_action(
            owner, "action_export_onnx", "ONNX model…", None, self._onnx_dialog,
            "The network with its current weights as an ONNX model (Gemm and activation "
            "nodes, float32 or float64) that Netron, ONNX Runtime and other frameworks open"))
        menu.addSeparator()
        menu.addAction(make_action(
            owner, "action_export_exercise_sheet", "Exercise sheet…", None,
            self._sheet_dialog,
            "The next phases from here as exercises to do by hand (Markdown or LaTeX), with "
            "an answer key computed by the engine beside it"))

    # -------------------------------------------------------------- dialogs
    def _save_name(self, title: str, suggested: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.dialog_parent, title, suggested, filters)
        return Path(name) if name else None

    def _run(self, action, path: Path, done: str | None = None) -> bool:
        # the loss history of a long run recomputes what its log dropped: seconds, not ms
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            action(path)
        except (OSError, ValueError, MemoryError) as error:
            problem = describe_error(error)
        else:
            problem = None
        finally:
            QApplication.restoreOverrideCursor()
        if problem is not None:
            self.show_error("Could not export", f"{path}: {problem}")
            return False
        self.message.emit(done or f"Exported {path}", 6000)
        return True

    def _plot_dialog(self, plot, title: str) -> None:
        filters = ";;".join(f"{text} (*{suffix})" for suffix, text in PLOT_FORMATS.items())
        path = self._save_name(f"Export the {title.lower()}", "", filters)
        if path is not None:
            if path.suffix.lower() not in PLOT_FORMATS:
                path = path.with_suffix(".png")
            self._run(lambda p: export_plot(plot, p), path)

    def _csv_dialog(self, method, key: str) -> None:
        path = self._save_name("Export as CSV", f"{key}.csv", "CSV files (*.csv)")
        if path is not None:
            self._run(method, path if path.suffix else path.with_suffix(".csv"))

    def _ask_iterations(self, kind: str) -> int | None:
        count, ok = QInputDialog.getInt(
            self.dialog_parent, f"Export a {kind} script",
            f"Iterations the script trains, from the current weights (iteration "
            f"{self.controller.stepper.iteration}):", self.default_iterations, 1, 10_000_000)
        return count if ok else None

    def _confirm_overwrite(self, name: str) -> bool:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self.dialog_parent, "Replace the file?",
                                    f"{name} already exists. Replace it?",
                                    buttons.Yes | buttons.No, buttons.No) == buttons.Yes

    def _script_dialog(self, method, kind: str) -> None:
        iterations = self.ask_iterations(kind)
        if iterations is None:
            return
        # not numpy.py or torch.py: the script would import itself instead of the library
        path = self._save_name(f"Export a {kind} script", f"backprop_lab_{kind.lower()}.py",
                               "Python scripts (*.py)")
        if path is not None:
            if not path.name.endswith(".py"):  # a script runs as one (python NAME.py)
                path = path.with_name(path.name + ".py")
                # the dialog checked the name typed; the one written gets its own question
                if path.exists() and not self.confirm_overwrite(path.name):
                    return
            if path.stem in ("numpy", "torch"):
                self.show_error("Could not export", f"{path.name} would hide the "
                                       f"{path.stem} library from the script; choose another name")
                return
            self._run(lambda p: method(p, iterations), path)

    def _ask_sheet_phases(self, default: int) -> int | None:
        stepper = self.controller.stepper
        count, ok = QInputDialog.getInt(
            self.dialog_parent, "Export an exercise sheet",
            f"Phases to do by hand, from here (iteration {stepper.iteration}, next: "
            f"{stepper.next_phase}); one iteration is {default}:", default, 1,
            _sheets().MAX_PHASES)
        return count if ok else None

    def _ask_sheet_path(self, suggested: Path) -> Path | None:
        filters = {"Markdown (*.md)": ".md", "LaTeX (*.tex)": ".tex"}
        name, chosen = QFileDialog.getSaveFileName(
            self.dialog_parent, "Export an exercise sheet", str(suggested), ";;".join(filters))
        if not name:
            return None
        path = Path(name)
        if path.suffix:
            return path
        path = path.with_suffix(filters.get(chosen, ".md"))
        # the dialog checked the name typed; the one written gets its own question
        return None if path.exists() and not self.confirm_overwrite(path.name) else path

    def suggested_sheet_path(self) -> Path:
        """In the documents folder, named after the open file: NAME-sheet.md."""
        from .files import documents_folder

        path = self.controller.path
        stem = Path(path).stem if path is not None else "exercise"
        return documents_folder() / f"{stem}-sheet.md"

    def _sheet_dialog(self) -> None:
        sheets = _sheets()
        default = sheets.default_phase_count(self.controller.network.layer_count)
        phases = self.ask_sheet_phases(default)
        if phases is None:
            return
        try:
            phases = sheets.check_phase_count(phases)
        except ValueError as error:
            self.show_error("Could not export", str(error))
            return
        path = self.ask_sheet_path(self.suggested_sheet_path())
        if path is None:
            return
        key = sheets.answers_path(path)
        # the dialog asked about the sheet; a key already there without it gets a question
        if key.exists() and not path.exists() and not self.confirm_overwrite(key.name):
            return
        self._run(lambda p: self.export_exercise_sheet(p, phases), path,
                  f"Exported an exercise sheet of {phases} phases to {path}, its answers to "
                  f"{key.name}")

    def _ask_onnx_path(self) -> tuple[Path, str] | None:
        filters = {"ONNX model, float32 (*.onnx)": "float32",
                   "ONNX model, float64 (*.onnx)": "float64"}
        from .files import documents_folder

        path = self.controller.path
        stem = Path(path).stem if path is not None else "network"
        name, chosen = QFileDialog.getSaveFileName(
            self.dialog_parent, "Export an ONNX model", str(documents_folder() / f"{stem}.onnx"),
            ";;".join(filters))
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".onnx":
            path = path.with_name(path.name + ".onnx")
            # the dialog checked the name typed; the one written gets its own question
            if path.exists() and not self.confirm_overwrite(path.name):
                return None
        return path, filters.get(chosen, "float32")

    def _onnx_dialog(self) -> None:
        answer = self.ask_onnx_path()
        if answer is not None:
            path, dtype = answer
            self._run(lambda p: self.export_onnx(p, dtype), path,
                      f"Exported an ONNX model ({dtype}) to {path}")

    # -------------------------------------------------------------- exports
    def document(self) -> Document:
        """The current state as a document: the weights now, the data and settings."""
        return Document.from_stepper(self.controller.stepper, self.controller.init_spec)

    def export_weights(self, path: Path | str) -> None:
        write_text_atomic(path, _export().weights_csv(self.controller.network))

    def export_gradients(self, path: Path | str) -> None:
        stepper = self.controller.stepper
        gradient = stepper.evaluate(full=True, backward=True).gradient
        write_text_atomic(path, _export().gradients_csv(stepper.network, gradient))

    def export_history(self, path: Path | str) -> None:
        write_text_atomic(path, _export().history_csv(self.controller.stepper.history))

    def export_trajectories(self, path: Path | str) -> None:
        stepper = self.controller.stepper
        write_text_atomic(path, _export().history_parameters_csv(stepper.history, stepper.network))

    def export_numpy(self, path: Path | str, iterations: int) -> None:
        write_text_atomic(path, _export().numpy_script(self.document(), iterations))

    def export_pytorch(self, path: Path | str, iterations: int) -> None:
        write_text_atomic(path, _export().pytorch_script(self.document(), iterations))

    def export_onnx(self, path: Path | str, dtype: str = "float32") -> None:
        """The network as an ONNX model; without the onnx package, a ValueError saying which
        extra to install."""
        from engine.io.onnx_model import write_onnx

        write_onnx(path, self.controller.network, dtype)

    def export_exercise_sheet(self, path: Path | str, phases: int) -> tuple[Path, Path]:
        """The sheet of the next ``phases`` phases at ``path`` (.md or .tex) and its answer
        key beside it, computed on a copy: the window's position does not move."""
        return _export().write_exercise_sheet(path, self.controller.stepper, phases)
