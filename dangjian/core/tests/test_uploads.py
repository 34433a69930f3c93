"""core.files.validate_upload: one check of what an uploaded file really is (issue 14, items 3 and 5)."""
import io
import zipfile

import openpyxl
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.core import files
from dangjian.core.errors import DomainError
from dangjian.core.files import UploadValidator, validate_upload

IMAGES = {"jpg", "jpeg", "png", "webp", "gif"}
DOCUMENTS = {"pdf", "docx", "xlsx", "doc", "xls"} | IMAGES


def image(fmt="PNG", size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def xlsx(rows=(("姓名",), ("张三",))) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, *, add: dict | None = None, drop: set = frozenset(), big: int = 0) -> bytes:
    """A copy of the zip `data` with members added or dropped; `big` bytes of spaces as a bomb member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename not in drop:
                z.writestr(info, src.read(info))
        for name, content in (add or {}).items():
            z.writestr(name, content)
        if big:
            with z.open("xl/worksheets/bomb.xml", "w", force_zip64=True) as f:
                for _ in range(big // (1 << 20)):
                    f.write(b" " * (1 << 20))
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def up(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refused(upload, **kw) -> DomainError:
    kw.setdefault("allowed", DOCUMENTS)
    kw.setdefault("max_bytes", 10 * files.MB)
    with pytest.raises(DomainError) as info:
        validate_upload(upload, **kw)
    assert info.value.detail and any("\u4e00" <= ch <= "\u9fff" for ch in info.value.detail)
    return info.value


@pytest.mark.parametrize("name,content,ext", [
    ("照片.PNG", image("PNG"), ".png"), ("a.jpg", image("JPEG"), ".jpg"), ("a.jpeg", image("JPEG"), ".jpeg"),
    ("a.webp", image("WEBP"), ".webp"), ("a.gif", image("GIF"), ".gif"),
    ("a.pdf", b"%PDF-1.4\n%%EOF\n", ".pdf"), ("a.xlsx", xlsx(), ".xlsx"), ("a.docx", docx(), ".docx"),
    ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, ".doc"),
    ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, ".xls"),
])
def test_real_files_pass_and_the_lower_case_extension_comes_back(name, content, ext):
    upload = up(name, content)
    assert validate_upload(upload, allowed=DOCUMENTS, max_bytes=10 * files.MB) == ext
    assert upload.tell() == 0  # rewound for the storage


def test_size_limit_is_inclusive():
    content = image("PNG")
    assert validate_upload(up("a.png", content), allowed={".png"}, max_bytes=len(content)) == ".png"
    error = refused(up("a.png", content), allowed={".png"}, max_bytes=len(content) - 1)
    assert "不能超过" in error.detail
    assert "不能超过 5 MB" in refused(up("a.png", b"x" * (5 * files.MB + 1)), allowed={"png"},
                                     max_bytes=5 * files.MB).detail


def test_field_and_rule_are_the_callers():
    error = refused(up("a.exe", b"MZ"), allowed={"png"}, max_bytes=100, field="photo", rule="R-STD-UPLOAD")
    assert (error.field, error.rule) == ("photo", "R-STD-UPLOAD")
    assert error.detail == "只接受 PNG 文件"
    assert refused(None, field="photo").detail == "请选择要上传的文件"


@pytest.mark.parametrize("name,content,says", [
    ("a.png", b"", "空"),
    ("a.svg", b"<svg/>", "只接受"),
    ("a.html", b"<html>", "只接受"),
    ("noext", image("PNG"), "只接受"),
    ("a.jpg", b"MZ\x90\x00" + b"\0" * 200, "不是有效的图片"),
    ("a.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "不是有效的图片"),
    ("a.png", image("JPEG"), "不是有效的图片"),  # a real JPEG under a .png name
    ("a.png", image("PNG", (200, 200))[:-40], "不是有效的图片"),  # truncated
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不是有效的图片"),  # magic bytes alone
    ("a.pdf", b"%PD", "不符"),
    ("a.pdf", b"<html>%PDF-", "不符"),
    ("a.xlsx", b"%PDF-1.4\n", "不符"),
    ("a.xlsx", xlsx()[: len(xlsx()) // 2], "不符"),  # truncated: no central directory
    ("a.docx", xlsx(), "不符"),  # a workbook is not a Word document
    ("a.xlsx", rezip(xlsx(), drop={"[Content_Types].xml"}), "不符"),
    ("a.doc", b"PK\x03\x04" + b"\0" * 100, "不符"),
])
def test_content_must_be_what_the_name_says(name, content, says):
    assert says in refused(up(name, content)).detail


def test_macro_workbook_is_refused_even_under_an_xlsx_name():
    macro = rezip(xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"Auto_Open" * 10})
    assert "宏" in refused(up("macro.xlsx", macro)).detail
    assert "只接受" in refused(up("macro.xlsm", macro)).detail


def test_zip_bomb_is_refused_from_its_directory_and_the_bound_is_inclusive(monkeypatch):
    bomb = rezip(xlsx(), big=150 * files.MB)
    assert len(bomb) < 2 * files.MB  # small on the wire
    assert "压缩炸弹" in refused(up("bomb.xlsx", bomb)).detail
    normal = xlsx()
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(normal)).infolist())
    monkeypatch.setattr(files, "ZIP_MAX_UNCOMPRESSED", inflated)
    assert validate_upload(up("a.xlsx", normal), allowed={"xlsx"}, max_bytes=files.MB) == ".xlsx"
    monkeypatch.setattr(files, "ZIP_MAX_UNCOMPRESSED", inflated - 1)
    assert "压缩炸弹" in refused(up("a.xlsx", normal)).detail


def test_member_count_is_bounded(monkeypatch):
    normal = xlsx()
    count = len(zipfile.ZipFile(io.BytesIO(normal)).infolist())
    monkeypatch.setattr(files, "ZIP_MAX_MEMBERS", count)
    assert validate_upload(up("a.xlsx", normal), allowed={"xlsx"}, max_bytes=files.MB) == ".xlsx"
    monkeypatch.setattr(files, "ZIP_MAX_MEMBERS", count - 1)
    assert "条目过多" in refused(up("a.xlsx", normal)).detail


def test_image_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_IMAGE_PIXELS", 100)  # Pillow refuses > 2× the limit outright
    assert "不是有效的图片" in refused(up("a.png", image("PNG", (20, 20)))).detail


def test_an_unchecked_type_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_upload(up("a.csv", b"a,b\n"), allowed={"csv"}, max_bytes=100)


def test_form_field_validator_shows_the_message_on_the_field():
    class F(forms.Form):
        photo = forms.FileField(validators=[UploadValidator(allowed={"png"}, max_bytes=files.MB)])

    bad = F(data={}, files={"photo": up("a.png", b"not an image")})
    assert not bad.is_valid()
    assert "不是有效的图片" in bad.errors["photo"][0]
    assert F(data={}, files={"photo": up("a.png", image("PNG"))}).is_valid()
