"""Pure text and layout functions of the text stage: normalisation, hyphens, garbage, layout."""

from __future__ import annotations

from pdfs import caesar, cid_garbage, french_text

from pipeline.extract.layout import (
    Block,
    Line,
    assemble,
    build_blocks,
    find_running_lines,
    is_page_number,
    reading_order,
)
from pipeline.extract.quality import garbage_reason
from pipeline.extract.text import keep_hyphen, normalise_line, normalise_text


def test_normalise_line_folds_typography():
    raw = "L\u2019\ufb01nancement\u00a0de\u202fla CAF\u00ad \u201cpolitique\u201d \uf0b7 x\x03"
    assert normalise_line(raw) == 'L\'financement de la CAF "politique" • x'


def test_normalise_line_composes_accents():
    assert normalise_line("re\u0301gion") == "région"


def test_normalise_text_keeps_the_old_contract():
    assert normalise_text("la commu-\nnauté\r\nde  communes") == "la communauté\nde communes"


def test_compounds_keep_their_hyphen():
    assert keep_hyphen("Saint", "Gaudens")
    assert keep_hyphen("Pays-de-la", "Loire")
    assert keep_hyphen("sous", "préfecture")
    assert keep_hyphen("bien", "être des habitants")
    assert keep_hyphen("vis-à", "vis")
    assert keep_hyphen("2024", "2030")


def test_typographic_hyphenation_is_removed():
    assert not keep_hyphen("la commu", "nauté de communes")
    assert not keep_hyphen("l'accompa", "gnement", lambda word: word == "accompagnement")


def test_attested_compound_keeps_hyphen():
    seen = {"quartier-vécu"}
    assert keep_hyphen("quartier", "vécu", lambda word: word in seen)


def test_garbage_layers_are_detected_and_prose_is_not():
    assert garbage_reason(french_text(300)) == ""
    assert "cid" in garbage_reason(cid_garbage(200))
    assert "encodage" in garbage_reason(caesar(french_text(300)))
    assert garbage_reason("安徽省建设用地使用标准 路段的交通量和大型车比例与基准值的编制条件不同时 " * 20) == ""
    assert garbage_reason("Name City Amount Date\n" * 40) == ""


def test_page_numbers():
    for text in ("12", "- 12 -", "Page 3 / 40", "page 3 sur 40", "p. 7", "xii"):
        assert is_page_number(text), text
    assert not is_page_number("2024-2030 : contrat de ville")


def _page(body: list[str], header: str, footer: str) -> list[Line]:
    lines = [Line(56, 20, 300, 30, header)]
    lines += [Line(56, 100 + 14 * i, 500, 110 + 14 * i, text) for i, text in enumerate(body)]
    lines.append(Line(280, 810, 320, 820, footer))
    return lines


def test_running_headers_and_footers_found_across_pages():
    pages = [(_page([f"Texte {n}"], "Contrat de ville de Foix", f"Page {n}"), 842.0) for n in range(1, 5)]
    marks = find_running_lines(pages)
    for lines_marks, (lines, _height) in zip(marks, pages, strict=True):
        header, footer = lines_marks
        assert header == {0}
        assert footer == {len(lines) - 1}


def test_a_title_on_one_page_is_not_a_header():
    pages = [(_page(["x"], f"Chapitre {n} unique" if n == 1 else "Contrat", "1"), 842.0) for n in range(1, 5)]
    header, _footer = find_running_lines(pages)[0]
    assert header == set()


def test_two_columns_written_line_by_line_are_read_column_by_column():
    left = [Line(56, 100 + 14 * i, 280, 110 + 14 * i, f"gauche {i}") for i in range(6)]
    right = [Line(310, 100 + 14 * i, 540, 110 + 14 * i, f"droite {i}") for i in range(6)]
    interleaved = [line for pair in zip(left, right, strict=True) for line in pair]
    text = assemble(reading_order(build_blocks(interleaved))).text
    assert text.index("gauche 5") < text.index("droite 0")


def test_table_rows_stay_together():
    rows = [
        [
            Line(56, 100 + 20 * r, 150, 110 + 20 * r, f"Partenaire {r}"),
            Line(200, 100 + 20 * r, 300, 110 + 20 * r, f"Rôle {r}"),
        ]
        for r in range(4)
    ]
    text = assemble(reading_order(build_blocks([line for row in rows for line in row]))).text
    assert "Partenaire 2\tRôle 2" in text


def test_block_spans_point_into_the_text():
    blocks = [Block([Line(56, 100, 200, 110, "Pour l'État,"), Line(56, 113, 200, 123, "Le préfet")])]
    blocks.append(Block([Line(300, 400, 500, 410, "Pour la Région")]))
    page = assemble(blocks)
    assert [page.text[start:end] for *_box, start, end in page.blocks] == ["Pour l'État,\nLe préfet", "Pour la Région"]
