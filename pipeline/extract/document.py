"""Read one contract: open it safely, read every page's text layer, OCR what has none, tables.

Order of work, so that each expensive step only runs where needed:
1. the file's bytes are read once, hashed (must equal the inventory's sha256) and checked to be a PDF;
2. every page is read with PDFium into positioned lines (pypdfium2 text + line rectangles) and
   classified: usable text layer, blank, or needing OCR (image only, vector text, garbage layer);
3. pages needing OCR are rendered and read by Tesseract; table pages are read by pdfplumber;
4. running headers/footers are found across pages; each page's blocks are put in reading order and
   assembled into `Page.text`.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.extract.layout import Block, Line, assemble, build_blocks, find_running_lines, reading_order
from pipeline.extract.ocr import ocr_page, tesseract_problem
from pipeline.extract.quality import MIN_LETTERS, count_letters, garbage_reason
from pipeline.extract.settings import ExtractSettings
from pipeline.extract.tables import MIN_RULINGS, extract_tables, grid_tables, has_cell_rows, page_rulings
from pipeline.french import agree, plural
from pipeline.types import ContractFile, ExtractedDocument, Page

LINE_PATTERN = re.compile(r"[^\r\n]+")
HYPHEN_MARKERS = re.compile("[\ufffe\x02]")
MAX_VISUAL_OBJECTS = 3000
LOW_OCR_CONFIDENCE = 50.0
# Enormous pages (a side longer than A0's 3,370 pt, up to PDF's 14,400 pt limit) are reported;
# their text layer is still read, and OCR renders them at a capped pixel count.
ENORMOUS_SIDE = 3_400.0


class DocumentProblem(Exception):
    """A document that cannot be read; the message is French and names the file."""


@dataclass
class PageDraft:
    """A page between reading and assembly."""

    number: int
    width: float = 0.0
    height: float = 0.0
    lines: list[Line] = field(default_factory=list)
    blocks: list[Block] | None = None  # OCR pages come with their own blocks
    method: str = "text"
    reason: str = ""
    needs_ocr: bool = False
    table_candidate: bool = False
    ocr_confidence: float | None = None
    tables: list[list[list[str]]] = field(default_factory=list)


def describe_non_pdf(data: bytes) -> str:
    """What a file that is not a PDF seems to be, for the error message."""
    head = data[:512]
    if head.startswith(b"PK"):
        return "une archive ZIP ou un document Office"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "une image"
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        return "une page HTML (téléchargement raté ?)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "un fichier binaire d'un autre format"
    return "un fichier texte"


def read_bytes(contract: ContractFile, settings: ExtractSettings) -> bytes:
    """The file's bytes, checked: not empty, not too big, a PDF, and the version the corpus listed."""
    name = contract.path.name
    try:
        size = contract.path.stat().st_size
        if size > settings.max_file_mb * 1024 * 1024:
            raise DocumentProblem(
                f"{name} : fichier trop volumineux ({size / 1e6:.0f} Mo, limite {settings.max_file_mb} Mo)."
            )
        data = contract.path.read_bytes()
    except FileNotFoundError as error:
        raise DocumentProblem(f"{name} : fichier introuvable (déplacé ou supprimé pendant le traitement ?).") from error
    except OSError as error:
        raise DocumentProblem(f"{name} : lecture du fichier impossible ({error.strerror or error}).") from error
    if not data:
        raise DocumentProblem(f"{name} : fichier vide (0 octet), ce n'est pas un PDF.")
    digest = hashlib.sha256(data).hexdigest()
    if contract.sha256 and digest != contract.sha256:
        raise DocumentProblem(
            f"{name} : le fichier a changé depuis l'inventaire du corpus (empreinte sha256 différente) ; "
            "relancez le traitement une fois la copie terminée."
        )
    if b"%PDF-" not in data[:1024]:
        raise DocumentProblem(f"{name} : ce n'est pas un PDF (le contenu est {describe_non_pdf(data)}).")
    return data


def open_pdf(data: bytes, name: str, settings: ExtractSettings) -> tuple[pdfium.PdfDocument, str | None]:
    """Open with PDFium: no password (PDFium tries the empty one), then each configured password."""
    last: Exception | None = None
    for password in (None, *settings.passwords):
        try:
            return pdfium.PdfDocument(data, password=password), password
        except pdfium.PdfiumError as error:
            last = error
            if "password" not in str(error).lower():
                break
    text = str(last).lower()
    if "password" in text:
        raise DocumentProblem(
            f"{name} : PDF protégé par un mot de passe ; impossible de l'ouvrir sans lui "
            "(demandez une version non protégée ou indiquez le mot de passe)."
        )
    if "success" in text:  # PDFium's way of failing on an empty page tree
        raise DocumentProblem(f"{name} : le PDF ne contient aucune page.")
    if "security" in text:
        raise DocumentProblem(f"{name} : PDF chiffré avec un procédé non pris en charge.")
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        raise DocumentProblem(f"{name} : PDF tronqué (fichier incomplet, téléchargement ou copie interrompu).")
    raise DocumentProblem(f"{name} : PDF endommagé, illisible par PDFium ({last}).")


class _Box:
    """Reusable ctypes out-parameters for rectangle queries."""

    def __init__(self) -> None:
        self.left, self.top = ctypes.c_double(), ctypes.c_double()
        self.right, self.bottom = ctypes.c_double(), ctypes.c_double()


def _split_pieces(
    handle: object,
    rects: list[tuple[float, float, float, float]],
    seg_start: int,
    seg_end: int,
    text_index: Callable[[int], int],
) -> list[tuple[float, float, float, float, int]]:
    """Merge a line's rectangles into pieces, cutting where a wide gap or a new row starts."""
    left, top, right, bottom = rects[0]
    if len(rects) == 1:
        return [(left, top, right, bottom, seg_start)]
    pieces: list[tuple[float, float, float, float, int]] = []
    piece_start = seg_start
    for r_left, r_top, r_right, r_bottom in rects[1:]:
        height = max(top - bottom, r_top - r_bottom, 1.0)
        same_row = abs((r_top + r_bottom) - (top + bottom)) / 2 < 0.6 * height
        gap = r_left - right
        if not (same_row and -height < gap <= max(12.0, 1.2 * height)):
            probe = int(
                pdfium_c.FPDFText_GetCharIndexAtPos(
                    handle, r_left + min(1.0, (r_right - r_left) / 2), (r_top + r_bottom) / 2, 1.0, 1.0
                )
            )
            split = text_index(probe) if probe >= 0 else -1
            if seg_start < split < seg_end and split > piece_start:
                pieces.append((left, top, right, bottom, piece_start))
                left, top, right, bottom, piece_start = r_left, r_top, r_right, r_bottom, split
                continue
        left, top = min(left, r_left), max(top, r_top)
        right, bottom = max(right, r_right), min(bottom, r_bottom)
    pieces.append((left, top, right, bottom, piece_start))
    return pieces


def _may_have_gap(
    handle: object,
    head: tuple[float, float, float, float],
    tail: tuple[float, float, float, float],
    n_chars: int,
    x_centre: float,
) -> bool:
    """Whether a line of many rectangles may hold a wide gap (cells, columns side by side).

    Prose is about half its height wide per character; a line much wider than that for its
    characters has gaps, and a line across the page's centre with no character there is two
    columns written as one line.
    """
    height = max(head[1] - head[3], tail[1] - tail[3], 1.0)
    left, right = head[0], tail[2]
    if right < left or head[1] < tail[3] or tail[1] < head[3]:  # not one row: let the pieces decide
        return True
    if right - left > 0.8 * height * max(n_chars, 1):
        return True
    if left + 2 * height < x_centre < right - 2 * height:
        middle = (head[1] + head[3]) / 2
        return int(pdfium_c.FPDFText_GetCharIndexAtPos(handle, x_centre, middle, 4.0, height / 2)) < 0
    return False


def text_layer_lines(
    textpage: pdfium.PdfTextPage, x_origin: float, y_top: float, x_centre: float = 0.0
) -> tuple[list[Line], str]:
    """Positioned lines of a page's text layer, and its raw text.

    PDFium gives the text in stream order with line breaks; each line is split where PDFium put a
    hyphen marker (a visual line break inside a cut word) and where its rectangles leave a wide gap
    (columns written line by line across the page, table cells), so layout can reorder the pieces.
    """
    handle = textpage.raw
    n_chars = textpage.count_chars()
    if n_chars <= 0:
        return [], ""
    text = textpage.get_text_range(0, n_chars)
    exact = len(text) == n_chars
    box = _Box()
    lines: list[Line] = []

    def char_index(text_index: int) -> int:
        return text_index if exact else int(pdfium_c.FPDFText_GetCharIndexFromTextIndex(handle, text_index))

    def text_index(index: int) -> int:
        return index if exact else int(pdfium_c.FPDFText_GetTextIndexFromCharIndex(handle, index))

    count_rects, get_rect = pdfium_c.FPDFText_CountRects, pdfium_c.FPDFText_GetRect
    b_left, b_top, b_right, b_bottom = box.left, box.top, box.right, box.bottom
    for match in LINE_PATTERN.finditer(text):
        start, end = match.span()
        line_text = match.group()
        if "\ufffe" in line_text or "\x02" in line_text:
            segments: list[tuple[int, int, bool]] = []
            cursor = start
            for marker in HYPHEN_MARKERS.finditer(text, start, end):
                segments.append((cursor, marker.start(), True))
                cursor = marker.end()
            segments.append((cursor, end, False))
        else:
            segments = [(start, end, False)]
        for seg_start, seg_end, hyphen in segments:
            if seg_end <= seg_start or text[seg_start:seg_end].isspace():
                continue
            first = seg_start if exact else char_index(seg_start)
            count = (seg_end - seg_start) if exact else char_index(seg_end - 1) - first + 1
            n_rects = count_rects(handle, first, max(count, 1)) if first >= 0 else 0
            rects = []
            if n_rects > 2:
                # Many rectangles (a text object per word): fetch them all only when the line may
                # hold a wide gap, judged from its two ends and a probe at the page's centre.
                get_rect(handle, 0, b_left, b_top, b_right, b_bottom)
                head = (b_left.value, b_top.value, b_right.value, b_bottom.value)
                get_rect(handle, n_rects - 1, b_left, b_top, b_right, b_bottom)
                tail = (b_left.value, b_top.value, b_right.value, b_bottom.value)
                if not _may_have_gap(handle, head, tail, count, x_centre):
                    rects = [(head[0], max(head[1], tail[1]), tail[2], min(head[3], tail[3]))]
            if not rects:
                for rect in range(n_rects):
                    get_rect(handle, rect, b_left, b_top, b_right, b_bottom)
                    rects.append((b_left.value, b_top.value, b_right.value, b_bottom.value))
            if not rects:
                previous = lines[-1] if lines else Line(0.0, 0.0, 0.0, 0.0, "")
                lines.append(
                    Line(previous.x0, previous.top, previous.x1, previous.bottom, text[seg_start:seg_end], hyphen)
                )
                continue
            pieces = _split_pieces(handle, rects, seg_start, seg_end, text_index)
            for index, (left, top, right, bottom, piece_start) in enumerate(pieces):
                piece_end = pieces[index + 1][4] if index + 1 < len(pieces) else seg_end
                piece_text = text[piece_start:piece_end]
                if piece_text.strip():
                    lines.append(
                        Line(
                            left - x_origin,
                            y_top - top,
                            right - x_origin,
                            y_top - bottom,
                            piece_text,
                            hyphen and index == len(pieces) - 1,
                        )
                    )
    return lines, text


def visual_content(page: pdfium.PdfPage, area: float) -> str:
    """What a page without text shows: 'image' (a scan), 'vector' (text drawn as curves) or ''."""
    handle = page.raw
    left, bottom, right, top = (ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float())
    paths = 0
    image_area = 0.0
    stack = [(handle, True)]
    seen = 0
    while stack and seen < MAX_VISUAL_OBJECTS:
        parent, is_page = stack.pop()
        total = pdfium_c.FPDFPage_CountObjects(parent) if is_page else pdfium_c.FPDFFormObj_CountObjects(parent)
        for index in range(total):
            seen += 1
            obj = (
                pdfium_c.FPDFPage_GetObject(parent, index) if is_page else pdfium_c.FPDFFormObj_GetObject(parent, index)
            )
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE and pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                image_area += max(right.value - left.value, 0) * max(top.value - bottom.value, 0)
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths += 1
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                stack.append((obj, False))
    if image_area >= 0.1 * area:
        return "image"
    if paths >= 30:
        return "vector"
    return ""


def read_page(pdf: pdfium.PdfDocument, index: int, settings: ExtractSettings) -> PageDraft:
    """Read one page's text layer and decide whether it needs OCR or a table pass."""
    draft = PageDraft(number=index + 1)
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        draft.width, draft.height = abs(right - left), abs(top - bottom)
        textpage = page.get_textpage()
        try:
            draft.lines, raw = text_layer_lines(textpage, min(left, right), max(top, bottom), (left + right) / 2)
        finally:
            textpage.close()
        garbage = garbage_reason(raw)
        letters = MIN_LETTERS if len(raw) > 4 * MIN_LETTERS else count_letters(raw)
        if garbage or letters < MIN_LETTERS:
            content = visual_content(page, draft.width * draft.height)
            if garbage or content:
                draft.needs_ocr = True
                draft.reason = garbage or (
                    "page numérisée (image sans couche texte)" if content == "image" else "texte dessiné en courbes"
                )
            elif not draft.lines:
                draft.reason = "page blanche"
        elif settings.tables and has_cell_rows(draft.lines):
            rulings = page_rulings(page, min(left, right), max(top, bottom))
            if len(rulings) >= MIN_RULINGS:
                draft.tables = grid_tables(rulings, draft.lines)
                draft.table_candidate = not draft.tables
    finally:
        page.close()
    return draft


def _attested(document_text: str) -> Callable[[str], bool]:
    """Whether a word occurs as a whole word in the (lower-cased) document text, for de-hyphenation.

    A plain substring search (fast) with a check of the neighbouring characters, not a regex scan.
    """
    cache: dict[str, bool] = {}

    def whole_word_at(index: int, word: str) -> bool:
        before = document_text[index - 1] if index > 0 else " "
        end = index + len(word)
        after = document_text[end] if end < len(document_text) else " "
        return not before.isalpha() and not after.isalpha()

    def attested(word: str) -> bool:
        if word not in cache:
            found = False
            index = document_text.find(word)
            while index >= 0 and not found:
                found = whole_word_at(index, word)
                index = document_text.find(word, index + 1)
            cache[word] = found
        return cache[word]

    return attested


def finish_pages(drafts: list[PageDraft]) -> list[Page]:
    """Remove running headers/footers, order blocks, assemble the final text of each page."""
    flat: list[list[Line]] = []
    for draft in drafts:
        if draft.blocks is not None:
            flat.append([line for block in draft.blocks for line in block.lines])
        else:
            flat.append(draft.lines)
    running = find_running_lines([(lines, draft.height) for lines, draft in zip(flat, drafts, strict=True)])
    document_text = "\n".join(line.text for lines in flat for line in lines).lower()
    attested = _attested(document_text)
    pages = []
    for draft, lines, (header_ids, footer_ids) in zip(drafts, flat, running, strict=True):
        removed = header_ids | footer_ids
        header = " | ".join(lines[i].text.strip() for i in sorted(header_ids, key=lambda i: lines[i].top))
        footer = " | ".join(lines[i].text.strip() for i in sorted(footer_ids, key=lambda i: lines[i].top))
        if draft.blocks is not None:
            removed_ids = {id(lines[i]) for i in removed}
            kept = [Block([line for line in block.lines if id(line) not in removed_ids]) for block in draft.blocks]
            ordered = [block for block in kept if block.lines]
        else:
            body = [line for i, line in enumerate(lines) if i not in removed]
            ordered = reading_order(build_blocks(body))
        assembled = assemble(ordered, attested)
        pages.append(
            Page(
                number=draft.number,
                text=assembled.text,
                method=draft.method,  # type: ignore[arg-type]
                ocr_confidence=draft.ocr_confidence,
                header=header,
                footer=footer,
                tables=draft.tables,
                blocks=[tuple(round(v, 1) if i < 4 else v for i, v in enumerate(b)) for b in assembled.blocks],  # type: ignore[misc]
                reason=draft.reason,
                width=round(draft.width, 1),
                height=round(draft.height, 1),
            )
        )
    return pages


def read_document(
    contract: ContractFile,
    settings: ExtractSettings,
    extend_deadline: Callable[[float], None] = lambda seconds: None,
) -> ExtractedDocument:
    """Extract all pages of one contract; problems come back as a French `error`, never raised.

    The cyclic garbage collector is paused meanwhile: the many small line objects made per page
    otherwise trigger collections that cost ~40 % of the text stage's time (nothing here is cyclic).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_document(contract, settings, extend_deadline)
    finally:
        if collecting:
            gc.enable()


def _read_document(
    contract: ContractFile, settings: ExtractSettings, extend_deadline: Callable[[float], None]
) -> ExtractedDocument:
    document = ExtractedDocument(contract_id=contract.contract_id, sha256=contract.sha256)
    name = contract.path.name
    try:
        data = read_bytes(contract, settings)
        if not document.sha256:
            document.sha256 = hashlib.sha256(data).hexdigest()
        pdf, password = open_pdf(data, name, settings)
        try:
            if password:
                document.warnings.append(f"{name} : PDF chiffré, ouvert avec le mot de passe fourni.")
            n_pages = len(pdf)
            if n_pages == 0:
                raise DocumentProblem(f"{name} : le PDF ne contient aucune page.")
            if n_pages > settings.max_pages:
                raise DocumentProblem(f"{name} : {n_pages} pages, au-delà de la limite de {settings.max_pages}.")
            extend_deadline(settings.page_seconds * n_pages)
            drafts = []
            for index in range(n_pages):
                try:
                    drafts.append(read_page(pdf, index, settings))
                except pdfium.PdfiumError as error:
                    drafts.append(PageDraft(number=index + 1, method="unread", reason=f"page illisible ({error})"))
            enormous = [d.number for d in drafts if max(d.width, d.height) > ENORMOUS_SIDE]
            if enormous:
                document.warnings.append(
                    f"{name} : {plural(len(enormous), 'page')} de taille démesurée {enormous[:5]} : "
                    "texte lu, OCR à résolution réduite."
                )
            run_ocr(pdf, drafts, settings, document, extend_deadline)
            run_tables(pdf, drafts, settings, document, extend_deadline)
        finally:
            pdf.close()
        document.pages = finish_pages(drafts)
        if b"%%EOF" not in data[-2048:]:
            document.warnings.append(
                f"{name} : fin de fichier absente (PDF peut-être tronqué) ; pages lues : {n_pages}."
            )
        unread = [page.number for page in document.pages if page.method == "unread"]
        if unread and len(unread) == len(document.pages) and b"%%EOF" not in data[-2048:]:
            document.error = f"{name} : PDF tronqué, aucune page lisible."
    except DocumentProblem as problem:
        document.error = str(problem)
        document.pages = []
    except MemoryError:
        document.error = f"{name} : mémoire insuffisante pour lire ce PDF (limite {settings.memory_mb} Mo)."
        document.pages = []
    return document


def run_ocr(
    pdf: pdfium.PdfDocument,
    drafts: list[PageDraft],
    settings: ExtractSettings,
    document: ExtractedDocument,
    extend_deadline: Callable[[float], None],
) -> None:
    """OCR the pages that need it, or mark them unread with the reason."""
    wanted = [draft for draft in drafts if draft.needs_ocr]
    if not wanted:
        return
    problem = "OCR désactivé" if not settings.ocr else tesseract_problem(settings.tesseract_cmd, settings.ocr_language)
    if problem:
        for draft in wanted:
            draft.method, draft.lines = "unread", []
            draft.reason = f"{draft.reason} ; non lue : {problem}"
        document.warnings.append(
            f"{document.contract_id} : {plural(len(wanted), 'page')} sans texte exploitable "
            f"{agree(len(wanted), 'non lue', 'non lues')} ({problem})."
        )
        return
    extend_deadline(settings.page_seconds * len(drafts) + settings.ocr_page_seconds * len(wanted))
    for draft in wanted:
        page = pdf[draft.number - 1]
        try:
            result = ocr_page(page, settings)
        finally:
            page.close()
        document.ocr_seconds += result.seconds
        if result.failure:
            draft.method, draft.lines = "unread", []
            draft.reason = f"{draft.reason} ; non lue : {result.failure}"
            continue
        draft.method = "ocr"
        draft.blocks = result.blocks
        draft.ocr_confidence = None if result.confidence is None else round(result.confidence, 1)
        if not result.blocks:
            draft.reason = f"{draft.reason} ; OCR : aucun texte reconnu"
        elif draft.ocr_confidence is not None and draft.ocr_confidence < LOW_OCR_CONFIDENCE:
            draft.reason = f"{draft.reason} ; OCR peu fiable (confiance {draft.ocr_confidence:.0f}/100)"


def run_tables(
    pdf: pdfium.PdfDocument,
    drafts: list[PageDraft],
    settings: ExtractSettings,
    document: ExtractedDocument,
    extend_deadline: Callable[[float], None],
) -> None:
    """Read the tables of candidate pages with pdfplumber; a failure only costs the tables."""
    numbers = [draft.number for draft in drafts if draft.table_candidate]
    if not numbers:
        return
    extend_deadline(
        settings.page_seconds * len(drafts)
        + settings.ocr_page_seconds * sum(1 for d in drafts if d.method == "ocr")
        + settings.table_page_seconds * len(numbers)
    )
    try:
        found = extract_tables(pdf, numbers)
    except Exception as error:  # pdfminer can fail where PDFium did not; keep the text
        document.warnings.append(f"{document.contract_id} : tableaux non lus ({type(error).__name__}).")
        return
    for draft in drafts:
        if draft.table_candidate:
            draft.tables = found.get(draft.number, [])


def extract_path(path: Path, settings: ExtractSettings | None = None) -> ExtractedDocument:
    """Convenience for scripts and tests: read a file by path, in this process."""
    contract = ContractFile(contract_id=path.stem, path=path, sha256="", size=0)
    start = time.perf_counter()
    document = read_document(contract, settings or ExtractSettings(isolate=False))
    document.seconds = time.perf_counter() - start
    return document
