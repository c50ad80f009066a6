"""打印预览: a PDF made by a renderer, shown with QtPdf, printed through the Qt print dialog or saved as PDF.

Qt has no "print this PDF file" call: printing renders each page with QPdfDocument.render() into an image and
paints it onto the QPrinter, page by page (one page per event-loop turn, so the window stays alive and the
user can cancel a long job). Pages print at their own size on the paper (a till receipt stays 80 mm wide on
A4); a page larger than the paper is shrunk to fit.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Generator
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMargins,
    QPointF,
    QRectF,
    QSettings,
    QSize,
    QSizeF,
    QStandardPaths,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QKeySequence, QPageSize, QPainter, QPalette, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk import files
from reception_desk.ui.errors import show_error

log = logging.getLogger(__name__)

SAVE_DIR_KEY = "printing/save_dir"
MAX_RENDER_DPI = 300  # a 1200 dpi A4 page would be a 550 MB image; 300 dpi prints text and QR codes crisply
POINTS_PER_INCH = 72.0
ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
NARROW_PAGE_PT = 400  # narrower than this (an 80 mm till slip is 227 pt): show the whole page, not its width
PRINT_PROGRESS_FROM = 4  # pages: shorter jobs print without a progress dialog

DIALOG_STYLE = """
#previewView { border: 1px solid #c4c9d0; }
#previewTitle { font-size: 12pt; font-weight: bold; color: #1f2329; }
#previewPages { color: #5f6670; }
#previewPrint { background: #b3261e; color: white; font-weight: bold; padding: 6px 16px; border: none;
                border-radius: 4px; }
#previewPrint:disabled { background: #e3b6b2; }
#previewSave, #previewClose { padding: 6px 14px; }
"""


class PdfPreviewDialog(QDialog):
    """Previews a PDF (bytes or a file) page after page, fitted to the width; prints it or saves it."""

    def __init__(
        self,
        source: bytes | str | os.PathLike[str],
        title: str,
        file_name: str = "",
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("previewDialog")
        self.setStyleSheet(DIALOG_STYLE)
        self.setWindowTitle(self.tr("打印预览 — {0}").format(title))
        self.document_title = title
        self.settings = settings
        self._printing: Generator[int, None, None] | None = None
        self._print_progress: QProgressDialog | None = None
        self._print_timer = QTimer(self)
        self._print_timer.setInterval(0)
        self._print_timer.timeout.connect(self._print_step)
        self.pages_printed = 0

        # the document before the buffer: children are deleted in creation order, the buffer must outlive it
        self.document = QPdfDocument(self)
        if isinstance(source, bytes):
            self._data: bytes | None = source
            self._path: Path | None = None
            self._buffer = QBuffer(self)
            self._buffer.setData(QByteArray(source))
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.document.load(self._buffer)
        else:
            self._data = None
            self._path = Path(source)
            self.document.load(os.fspath(self._path))
        self.file_name = file_name or (self._path.name if self._path else f"{title}.pdf")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(self._build_top())
        self.view = QPdfView(self)
        self.view.setObjectName("previewView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(14)
        self.view.setDocumentMargins(QMargins(18, 14, 18, 14))
        backdrop = self.view.palette()
        backdrop.setColor(QPalette.ColorRole.Dark, QColor("#7d848d"))  # QPdfView paints around pages in Dark
        self.view.setPalette(backdrop)
        self.view.setDocument(self.document)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._build_buttons())

        self.document.pageCountChanged.connect(self._document_changed)
        self.document.statusChanged.connect(self._document_changed)
        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._update_pages())
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_button.click)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save_button.click)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self._step_zoom(1))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self._step_zoom(-1))
        self._zoom_chosen_once = False
        self._update_pages()
        self._fit_to_parent(parent)

    # ---- building ----

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.title_label = QLabel(self.document_title)
        self.title_label.setObjectName("previewTitle")
        self.pages_label = QLabel()
        self.pages_label.setObjectName("previewPages")
        self.zoom_combo = QComboBox()
        self.zoom_combo.setObjectName("previewZoom")
        self.zoom_combo.addItem(self.tr("适合宽度"), "width")
        self.zoom_combo.addItem(self.tr("整页"), "page")
        for factor in ZOOMS:
            self.zoom_combo.addItem(f"{factor:.0%}", factor)
        self.zoom_combo.setToolTip(self.tr("缩放（Ctrl+加号 / Ctrl+减号）"))
        self.zoom_combo.currentIndexChanged.connect(self._zoom_chosen)
        top.addWidget(self.title_label)
        top.addSpacing(12)
        top.addWidget(self.pages_label)
        top.addStretch(1)
        top.addWidget(QLabel(self.tr("缩放：")))
        top.addWidget(self.zoom_combo)
        return top

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.print_button = QPushButton(self.tr("打印…  Ctrl+P"))
        self.print_button.setObjectName("previewPrint")
        self.print_button.setToolTip(self.tr("选择打印机并打印（Ctrl+P）"))
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.open_print_dialog)
        self.save_button = QPushButton(self.tr("另存为 PDF…  Ctrl+S"))
        self.save_button.setObjectName("previewSave")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_as)
        self.close_button = QPushButton(self.tr("关闭  Esc"))
        self.close_button.setObjectName("previewClose")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        return row

    def _fit_to_parent(self, parent: QWidget | None) -> None:
        window = parent.window() if parent is not None else None
        if window is not None and window.height() > 300:
            height = max(560, window.height() - 40)
            self.resize(min(1000, max(760, int(height * 0.95))), height)
        else:
            self.resize(900, 820)

    # ---- pages and zoom ----

    def page_count(self) -> int:
        """Pages of the loaded document (0 while loading or when it could not be read)."""
        return self.document.pageCount() if self.document.status() == QPdfDocument.Status.Ready else 0

    def current_page(self) -> int:
        """The page at the top of the view (0-based)."""
        return max(0, self.view.pageNavigator().currentPage())

    def _document_changed(self, *_args: object) -> None:
        # the document also reports while it is being deleted with the dialog (QWidget deletes its children
        # before the connections go): nothing to show then
        if shiboken6.isValid(self.document) and shiboken6.isValid(self.pages_label):
            self._update_pages()

    def _update_pages(self) -> None:
        status = self.document.status()
        if status == QPdfDocument.Status.Error:
            self.pages_label.setText(self.tr("无法读取该 PDF 文件"))
        elif status != QPdfDocument.Status.Ready:
            self.pages_label.setText(self.tr("正在载入…"))
        else:
            self.pages_label.setText(
                self.tr("第 {0} 页 / 共 {1} 页").format(self.current_page() + 1, self.document.pageCount())
            )
        ready = status == QPdfDocument.Status.Ready and self.document.pageCount() > 0
        if ready and not self._zoom_chosen_once:
            self._zoom_chosen_once = True
            if self.document.pagePointSize(0).width() < NARROW_PAGE_PT:  # a till slip fitted to the width is huge
                self.zoom_combo.setCurrentIndex(self.zoom_combo.findData("page"))
        self.print_button.setEnabled(ready and self._printing is None)
        self.save_button.setEnabled(ready)

    def _zoom_chosen(self, index: int) -> None:
        mode = self.zoom_combo.itemData(index)
        if mode == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif mode == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(mode))

    def _step_zoom(self, step: int) -> None:
        first_factor = 2  # the combo's fixed factors start after 适合宽度 and 整页
        index = self.zoom_combo.currentIndex()
        if index < first_factor:
            current = self.view.zoomFactor()
            index = first_factor + min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - current))
        self.zoom_combo.setCurrentIndex(max(first_factor, min(self.zoom_combo.count() - 1, index + step)))

    # ---- saving ----

    def pdf_bytes(self) -> bytes:
        """The PDF as bytes (read from the file when the preview shows one)."""
        if self._data is not None:
            return self._data
        assert self._path is not None
        return self._path.read_bytes()

    def _save_dir(self) -> str:
        saved = self.settings.value(SAVE_DIR_KEY) if self.settings is not None else None
        if saved and Path(str(saved)).is_dir():
            return str(saved)
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())

    def save_as(self) -> Path | None:
        """另存为 PDF: ask where, then write the PDF there; returns the file written (None when cancelled)."""
        suggested = os.path.join(self._save_dir(), self.file_name)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("另存为 PDF"), suggested, self.tr("PDF 文件 (*.pdf)")
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            # a few hundred kB: quick enough for the UI thread; beside it first, so an older PDF survives a failure
            files.write_bytes(target, self.pdf_bytes())
        except OSError as exc:
            show_error(self, exc, self.tr("无法保存"))
            return None
        if self.settings is not None:
            self.settings.setValue(SAVE_DIR_KEY, str(target.parent))
        self.pages_label.setText(self.tr("已保存到 {0}").format(target))
        self.saved_path = target
        return target

    saved_path: Path | None = None

    # ---- printing ----

    def _paper_for_document(self, printer: QPrinter) -> None:
        """Give the printer the document's paper size (A4, or an 80 mm roll) as the dialog's default."""
        if self.page_count() == 0:
            return
        size = self.document.pagePointSize(0)
        page_size = QPageSize(
            QSizeF(size.width(), size.height()), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
        )
        printer.setPageSize(page_size)

    def open_print_dialog(self) -> None:
        """打印…: the Qt print dialog (printer, pages, copies); printing starts when it is accepted."""
        if self.page_count() == 0 or self._printing is not None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.document_title)
        printer.setFullPage(True)  # the PDF has its own margins: map its page onto the whole sheet
        self._paper_for_document(printer)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("printDialog")
        dialog.setWindowTitle(self.tr("打印 — {0}").format(self.document_title))
        dialog.setMinMax(1, self.page_count())
        dialog.setOptions(
            QAbstractPrintDialog.PrintDialogOption.PrintPageRange
            | QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage
            | QAbstractPrintDialog.PrintDialogOption.PrintToFile
            | QAbstractPrintDialog.PrintDialogOption.PrintShowPageSize
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.start_printing(printer))
        self.print_dialog = dialog
        QDialog.open(dialog)  # QPrintDialog's own open() wants a receiver; the base one opens window-modal

    print_dialog: QPrintDialog | None = None

    def pages_to_print(self, printer: QPrinter) -> list[int]:
        """The 0-based pages the printer's range asks for (all pages unless the dialog chose others)."""
        count = self.page_count()
        chosen = printer.printRange()
        if chosen == QPrinter.PrintRange.CurrentPage:
            return [min(self.current_page(), count - 1)]
        if chosen == QPrinter.PrintRange.PageRange:
            ranges = printer.pageRanges()
            if not ranges.isEmpty():
                return [i for i in range(count) if ranges.contains(i + 1)]
            first, last = printer.fromPage(), printer.toPage()
            if first > 0:
                return list(range(first - 1, min(count, last or count)))
        return list(range(count))

    def print_pages(self, printer: QPrinter) -> Generator[int, None, None]:
        """Paint the pages onto the printer one at a time, yielding how many are done after each.

        Closing the generator early ends the job (a cancelled job is aborted first by the caller).
        """
        pages = self.pages_to_print(printer)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError(self.tr("无法开始打印：打印机不可用或输出文件无法写入。"))
        try:
            for done, page in enumerate(pages, start=1):
                if done > 1 and not printer.newPage():
                    raise OSError(self.tr("打印机拒绝了新的一页。"))
                self._paint_page(painter, printer, page)
                yield done
        finally:
            painter.end()

    def _paint_page(self, painter: QPainter, printer: QPrinter, page: int) -> None:
        resolution = printer.resolution()
        layout = printer.pageLayout()
        paper = layout.fullRectPixels(resolution) if printer.fullPage() else layout.paintRectPixels(resolution)
        points = self.document.pagePointSize(page)
        width = points.width() / POINTS_PER_INCH * resolution
        height = points.height() / POINTS_PER_INCH * resolution
        scale = min(1.0, paper.width() / width, paper.height() / height) if width and height else 1.0
        target = QRectF(QPointF((paper.width() - width * scale) / 2, 0), QSizeF(width * scale, height * scale))
        dpi = min(resolution, MAX_RENDER_DPI)
        pixels = QSize(
            max(1, round(points.width() / POINTS_PER_INCH * dpi * scale)),
            max(1, round(points.height() / POINTS_PER_INCH * dpi * scale)),
        )
        image = self.document.render(page, pixels)  # pdfium leaves the paper transparent: lay white under it
        painter.fillRect(target, QColor("white"))
        painter.drawImage(target, image)

    def print_to(self, printer: QPrinter) -> int:
        """Print every chosen page onto this printer now, without a dialog; returns the pages printed."""
        self.pages_printed = 0
        for count in self.print_pages(printer):
            self.pages_printed = count
        return self.pages_printed

    def start_printing(self, printer: QPrinter) -> None:
        """Print page by page from the event loop, with a progress dialog for longer documents."""
        if self._printing is not None:
            return
        total = len(self.pages_to_print(printer))
        self._printer = printer
        self._printing = self.print_pages(printer)
        self.pages_printed = 0
        if total >= PRINT_PROGRESS_FROM:
            progress = QProgressDialog(self.tr("正在发送到打印机…"), self.tr("取消"), 0, total, self)
            progress.setObjectName("printProgress")
            progress.setWindowTitle(self.tr("打印"))
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setAutoClose(False)
            progress.setAutoReset(False)
            progress.setMinimumDuration(300)
            progress.canceled.connect(self.cancel_printing)
            self._print_progress = progress
        self._update_pages()
        self._print_timer.start()

    def _print_step(self) -> None:
        if self._printing is None:
            self._print_timer.stop()
            return
        try:
            self.pages_printed = next(self._printing)
        except StopIteration:
            self._finish_printing(self.tr("已发送 {0} 页到打印机。").format(self.pages_printed))
            return
        except Exception as exc:
            self._finish_printing("")
            show_error(self, exc, self.tr("打印失败"))
            return
        if self._print_progress is not None:
            self._print_progress.setValue(self.pages_printed)

    def cancel_printing(self) -> None:
        """Stop a running print job (pages already sent stay sent)."""
        if self._printing is None:
            return
        self._printer.abort()
        self._finish_printing(self.tr("打印已取消。"))

    def _finish_printing(self, message: str) -> None:
        self._print_timer.stop()
        job, self._printing = self._printing, None
        if job is not None:
            job.close()
        if self._print_progress is not None:
            self._print_progress.canceled.disconnect(self.cancel_printing)
            self._print_progress.close()
            self._print_progress.deleteLater()
            self._print_progress = None
        self._update_pages()
        if message:
            self.pages_label.setText(message)

    def done(self, result: int) -> None:
        """Closing the preview stops a print job that is still running."""
        if self._printing is not None:
            self.cancel_printing()
        super().done(result)


def warn_missing_glyphs(parent: QWidget, characters: frozenset[str]) -> QMessageBox:
    """Tell the user which characters no shipped font could draw (the document was still made)."""
    from reception_desk.printing.fonts import describe_missing

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        QCoreApplication.translate("printing", "部分字符无法打印"),
        QCoreApplication.translate(
            "printing",
            "以下 {0} 个字符没有可用的字体，在文档中显示为空框：\n{1}\n\n文档已生成，打印后请手写补全。",
        ).format(len(characters), describe_missing(characters)),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("missingGlyphs")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
