"""Boundary tests of standards/rules.py: checklist items, uploads, verdicts, model periods, branch-size warnings."""
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.core.errors import DomainError
from dangjian.standards import rules

PDF = b"%PDF-1.4\n" + b"\0" * 7


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, fmt)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


PNG, JPG, DOCX = _image("PNG"), _image("JPEG"), _docx()


def test_default_items_are_the_eight():
    items = rules.parse_items(rules.default_items_text())
    assert [n for _, n, _ in items] == ["有场所", "有设施", "有党旗", "有经费", "有牌子", "有制度", "有活动", "有档案"]


@pytest.mark.parametrize("text", ["", "   \n ", "site", "Site 有场所", "site 有场所\nsite 有场所重复", "1x 名称"])
def test_bad_item_lists(text):
    with pytest.raises(DomainError) as exc:
        rules.parse_items(text)
    assert exc.value.rule == "R-STD-ITEMS"


def test_item_count_limit():
    rules.parse_items("\n".join(f"i{n} 项目{n}" for n in range(30)))
    with pytest.raises(DomainError):
        rules.parse_items("\n".join(f"i{n} 项目{n}" for n in range(31)))


def _file(name: str, content: bytes, size: int | None = None) -> SimpleUploadedFile:
    upload = SimpleUploadedFile(name, content)
    if size is not None:
        upload.size = size  # the size the upload handler measured; the limit is judged on it
    return upload


@pytest.mark.parametrize("kind,name,content,size", [
    ("photo", "a.png", PNG, 5 * rules.MB), ("photo", "a.JPG", JPG, None), ("document", "a.pdf", PDF, 10 * rules.MB),
    ("document", "a.docx", DOCX, None), ("figure", "a.pdf", PDF, None),
])
def test_uploads_accepted(kind, name, content, size):
    assert rules.check_upload(_file(name, content, size), kind=kind).startswith(".")


@pytest.mark.parametrize("kind,name,content,size", [
    ("photo", "a.png", PNG, 5 * rules.MB + 1),            # one byte over the limit
    ("document", "a.pdf", PDF, 10 * rules.MB + 1),
    ("photo", "a.pdf", PDF, None),                         # a document is not a photo
    ("photo", "a.png", b"GIF89a" + b"\0" * 10, None),      # content does not match the extension
    ("photo", "a.png", PNG[:30], None),                    # truncated: the magic bytes alone are not an image
    ("document", "a.docx", b"PK\x03\x04" + b"\0" * 12, None),  # a zip header is not a Word document
    ("document", "a.exe", b"MZ" + b"\0" * 14, None),
    ("photo", "noext", PNG, None),
    ("photo", "a.png", b"", None),
])
def test_uploads_refused(kind, name, content, size):
    with pytest.raises(DomainError) as exc:
        rules.check_upload(_file(name, content, size), kind=kind)
    assert exc.value.rule == "R-STD-UPLOAD"


def test_evidence_needs_a_file_or_a_figure():
    rules.check_evidence(kind="figure", has_file=False, figure=Decimal("30000"))
    for kind, has_file, figure in (("figure", True, None), ("photo", False, None), ("figure", False, Decimal("-1")),
                                   ("nonsense", True, None)):
        with pytest.raises(DomainError):
            rules.check_evidence(kind=kind, has_file=has_file, figure=figure)


def test_met_only_on_evidence():
    rules.check_verdict("met", 1)
    rules.check_verdict("not_met", 0)
    with pytest.raises(DomainError) as exc:
        rules.check_verdict("met", 0)
    assert exc.value.rule == "R-STD-EVIDENCE"
    with pytest.raises(DomainError):
        rules.check_verdict("pending", 3)


def test_area_and_period():
    rules.check_area(None)
    rules.check_area(Decimal("0.1"))
    rules.check_area(Decimal("100000"))
    for bad in (Decimal("0"), Decimal("100000.1")):
        with pytest.raises(DomainError):
            rules.check_area(bad)
    rules.check_period(date(2025, 1, 1), date(2025, 1, 1))
    rules.check_period(date(2025, 1, 1), date(2028, 1, 1))      # exactly 3 years
    with pytest.raises(DomainError):
        rules.check_period(date(2025, 1, 1), date(2028, 1, 2))
    with pytest.raises(DomainError):
        rules.check_period(date(2025, 1, 2), date(2025, 1, 1))
    rules.check_period(date(2024, 2, 29), date(2027, 2, 28))


def codes(**kw):
    base = dict(org_kind="branch", on_rolls=20, full=18, committee_seats=5)
    return [w.rule for w in rules.size_warnings(**{**base, **kw})]


def test_branch_50():
    assert codes(on_rolls=50) == []
    assert codes(on_rolls=51) == ["R-BRANCH-50"]


def test_branch_3_counts_full_members_only():
    assert codes(on_rolls=5, full=3, committee_seats=1) == []
    assert codes(on_rolls=5, full=2, committee_seats=1) == ["R-BRANCH-3"]


def test_committee_7():
    assert codes(full=6, committee_seats=1) == []
    assert codes(full=7, committee_seats=2) == ["R-COMMITTEE-7"]
    assert codes(full=7, committee_seats=3) == []
    assert codes(full=7, committee_seats=0) == ["R-COMMITTEE-7"]


def test_only_branches_are_warned():
    assert codes(org_kind="committee", on_rolls=500, full=1, committee_seats=0) == []


def test_percent():
    assert (rules.percent(0, 0), rules.percent(1, 3), rules.percent(2, 3), rules.percent(8, 8)) == (0, 33, 67, 100)


def upgrade(kind="branch", n=0, **kw):
    return [w.rule for w in rules.upgrade_warnings(org_kind=kind, on_rolls=n, **kw)]


@pytest.mark.parametrize("n,expected", [(0, []), (49, []), (50, ["R-GENERAL-50"]), (51, ["R-GENERAL-50"]),
                                        (99, ["R-GENERAL-50"]), (100, ["R-COMMITTEE-100"]),
                                        (101, ["R-COMMITTEE-100"])])
def test_general_50_and_committee_100_for_a_branch(n, expected):
    assert upgrade("branch", n) == expected


@pytest.mark.parametrize("n,expected", [(49, []), (50, []), (99, []), (100, ["R-COMMITTEE-100"]),
                                        (101, ["R-COMMITTEE-100"])])
def test_committee_100_for_a_general_branch(n, expected):
    assert upgrade("general_branch", n) == expected


def test_a_committee_gets_no_upgrade_hint():
    assert upgrade("committee", 5000) == []


def test_committee_threshold_is_configurable():
    assert upgrade("general_branch", 79, committee_min=80) == []
    assert upgrade("general_branch", 80, committee_min=80) == ["R-COMMITTEE-100"]
    assert upgrade("branch", 60, committee_min=80) == ["R-GENERAL-50"]
    rules.check_committee_min(51)
    rules.check_committee_min(1000)
    for bad in (50, 1001, 0, "100", True, None):
        with pytest.raises(DomainError) as exc:
            rules.check_committee_min(bad)
        assert exc.value.rule == "R-COMMITTEE-100"


def test_org_warnings_are_the_branch_rules_then_the_upgrade_hints():
    got = rules.org_warnings(org_kind="branch", on_rolls=51, full=2, committee_seats=0)
    assert [w.rule for w in got] == ["R-BRANCH-50", "R-BRANCH-3", "R-GENERAL-50"]
    assert "可经上级党组织批准设立党总支" in got[-1].detail
    assert [w.rule for w in rules.org_warnings(org_kind="branch", on_rolls=50, full=50, committee_seats=5)] == \
        ["R-GENERAL-50"]
