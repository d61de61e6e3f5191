import pytest

from parsers.model import Document, Location, Paragraph
from parsers.normalize import NormalizeOptions, is_traditional, normalize_document, normalize_text
from tests.parsers.casefile import load_cases


@pytest.mark.parametrize(("source", "expected"), load_cases("normalize.txt"))
def test_normalize_text(source, expected):
    assert normalize_text(source.replace("\\n", "\n")) == expected


def test_traditional_detected_and_converted():
    raw = "四川省人民政府辦公廳關於印發深化政務公開促進基層政府治理能力提升工作方案的通知"
    assert is_traditional([raw])
    doc = Document("x.html", "html", (Paragraph(raw, raw, Location(0)),))
    out = normalize_document(doc)
    assert (
        out.blocks[0].text == "四川省人民政府办公厅关于印发深化政务公开促进基层政府治理能力提升工作方案的通知"
    )
    assert out.blocks[0].raw == raw  # the source text is never overwritten
    assert any("Traditional" in w for w in out.warnings)


def test_simplified_text_is_not_converted():
    # t2s would turn 著 into 着; a Simplified document must keep it.
    raw = "显著提升政务公开工作能力和水平，卓著成效"
    assert not is_traditional([raw])
    doc = normalize_document(Document("x.html", "html", (Paragraph(raw, raw, Location(0)),)))
    assert doc.blocks[0].text == raw


def test_steps_can_be_switched_off():
    assert normalize_text("57 号", NormalizeOptions(spacing=False)) == "57 号"
