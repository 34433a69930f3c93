"""Serving stored uploads (issue 14, web hardening): always a download, never rendered or executed.

`file_response(fieldfile, filename="…")` answers with
- `Content-Disposition: attachment` (with an RFC 6266 / 5987 UTF-8 filename, so Chinese names survive),
- `X-Content-Type-Options: nosniff`, so a browser never guesses HTML out of a "photo",
- a content type from an allowlist by extension (images, PDF, office documents, plain data); anything else,
  and in particular HTML, SVG, XML and scripts, is `application/octet-stream`,
- `Content-Security-Policy: default-src 'none'; sandbox`, so even a file opened directly cannot run script.
A missing or unreadable file is a 404. Call it only after the caller has checked the actor may see the file.
"""
from __future__ import annotations

import os
import re

from django.http import FileResponse, Http404

from dangjian.core.errors import DomainError

SAFE_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".zip": "application/zip",
}
FALLBACK_TYPE = "application/octet-stream"
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def safe_content_type(name: str) -> str:
    """The content type to serve a file named `name` with: from the allowlist, else octet-stream."""
    return SAFE_TYPES.get(os.path.splitext(name or "")[1].lower(), FALLBACK_TYPE)


def safe_filename(name: str, default: str = "download") -> str:
    """A download name without directories, control characters or quotes (≤ 150 characters, extension kept)."""
    base = _UNSAFE_NAME.sub("_", os.path.basename((name or "").replace("\\", "/"))).strip(" .")
    if not base:
        return default
    stem, ext = os.path.splitext(base)
    return stem[: 150 - len(ext)] + ext


def file_response(fieldfile, *, filename: str | None = None) -> FileResponse:
    """A stored upload as an attachment download (see the module docstring); 404 if there is no file."""
    if not fieldfile:
        raise Http404("文件不存在")
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("文件不存在") from None
    name = safe_filename(filename or os.path.basename(fieldfile.name))
    # The type follows the name the user downloads, which carries the stored file's extension by default.
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=safe_content_type(name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Upload content checks: what a file IS, not what its name says ---------------------------------------------

MB = 1024 * 1024
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
MAX_IMAGE_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded
# OOXML (docx/xlsx/pptx) are zips: the part that makes each one what it claims, and bounds against zip bombs.
_OOXML_MAIN = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNCOMPRESSED = 100 * MB  # a real 10 MB workbook inflates to a few tens of MB
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls/.ppt (Compound File Binary)
_OLE2 = {".doc", ".xls", ".ppt"}
CHECKED_EXTENSIONS = set(_FORMATS) | set(_OOXML_MAIN) | _OLE2 | {".pdf"}


def _image_ok(upload, ext: str) -> bool:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(upload) as image:
            if image.format != _FORMATS[ext]:
                return False
            image.verify()  # structure and checksums, without decoding every pixel
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # a truncated file fails here
    except Exception:  # any decoder error (incl. DecompressionBombError) means "not a valid image of that type"
        return False
    return True


def _ooxml_problem(upload, ext: str) -> str | None:
    """Why this is not a plain OOXML document of type `ext` (None when it is). Reads only the zip directory:
    the declared sizes bound what a later reader would inflate, so nothing is decompressed here."""
    import zipfile

    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return "文件内容与扩展名不符或文件已损坏"
    if len(infos) > ZIP_MAX_MEMBERS:
        return f"文件内部条目过多（超过 {ZIP_MAX_MEMBERS} 个），已拒绝"
    if sum(i.file_size for i in infos) > ZIP_MAX_UNCOMPRESSED:
        return f"文件解压后超过 {ZIP_MAX_UNCOMPRESSED // MB} MB（疑似压缩炸弹），已拒绝"
    names = {i.filename for i in infos}
    if any(os.path.basename(n).lower() == "vbaproject.bin" for n in names):
        return "不接受含宏的文件，请另存为不含宏的文档后再上传"
    if "[Content_Types].xml" not in names or _OOXML_MAIN[ext] not in names:
        return "文件内容与扩展名不符或文件已损坏"
    return None


def _content_problem(upload, ext: str) -> str | None:
    upload.seek(0)
    try:
        if ext in _FORMATS:
            return None if _image_ok(upload, ext) else "文件不是有效的图片（内容与扩展名不符或文件已损坏）"
        if ext == ".pdf":
            return None if upload.read(5) == b"%PDF-" else "文件内容与扩展名不符或文件已损坏"
        if ext in _OLE2:
            return None if upload.read(8) == _OLE2_MAGIC else "文件内容与扩展名不符或文件已损坏"
        return _ooxml_problem(upload, ext)
    finally:
        upload.seek(0)


def _size_text(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n // 1024} KB" if n % 1024 == 0 else f"{n} 字节"


def _ext(value: str) -> str:
    value = value.lower()
    return value if value.startswith(".") else "." + value


def validate_upload(upload, *, allowed: set[str], max_bytes: int, field: str = "file", rule: str = "") -> str:
    """Refuse an upload that is not really one of the `allowed` types (extensions, with or without the dot),
    is empty or is larger than `max_bytes`; returns its lower-case extension (".png"). Raises DomainError with
    a Chinese message (and the caller's `rule`, `field`). Call it before any row or file is saved."""
    kinds = {_ext(e) for e in allowed}
    unknown = kinds - CHECKED_EXTENSIONS
    if unknown:  # a programming error: we only accept types whose content we can check
        raise ValueError(f"no content check for {sorted(unknown)}")
    if upload is None:
        raise DomainError("请选择要上传的文件", rule=rule, field=field)
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if ext not in kinds:
        shown = {k.lstrip(".").upper() for k in kinds}
        names = "、".join(sorted(shown - {"JPEG"} if "JPG" in shown else shown))  # JPG and JPEG are one type
        raise DomainError(f"只接受 {names} 文件", rule=rule, field=field)
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise DomainError("文件是空的", rule=rule, field=field)
    if size > max_bytes:
        raise DomainError(f"文件不能超过 {_size_text(max_bytes)}", rule=rule, field=field)
    problem = _content_problem(upload, ext)
    if problem:
        raise DomainError(problem, rule=rule, field=field)
    return ext


class UploadValidator:
    """validate_upload as a Django form-field validator: `forms.FileField(validators=[UploadValidator(...)])`,
    so a page shows the refusal on the field (a ValidationError) instead of failing later in a service."""

    def __init__(self, *, allowed: set[str], max_bytes: int, rule: str = ""):
        self.allowed, self.max_bytes, self.rule = set(allowed), max_bytes, rule

    def __call__(self, upload):
        from django.core.exceptions import ValidationError

        try:
            validate_upload(upload, allowed=self.allowed, max_bytes=self.max_bytes, rule=self.rule)
        except DomainError as exc:
            raise ValidationError(exc.detail, code="upload") from None


# --- Generated downloads (exports, PDFs) ------------------------------------------------------------------------

def download_response(content: bytes, *, filename: str, content_type: str, inline: bool = False):
    """Bytes we generated (an export, a PDF) as a response with an RFC 5987 UTF-8 filename, so Chinese names
    survive every browser. `inline=True` lets a PDF open in the browser's viewer; everything else downloads.
    Personal data is in most of these, so nothing is cached."""
    from django.http import HttpResponse
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{escape_uri_path(safe_filename(filename))}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """HTML → PDF bytes with WeasyPrint (the Debian CJK fonts are installed by scripts/install_system_deps.sh).
    Imported lazily: WeasyPrint takes ~0.3 s to import and most requests never print."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(html: str, *, request=None, filename: str, inline: bool = True):
    """Render `html` to PDF and answer it, opening in the browser's viewer by default."""
    base_url = request.build_absolute_uri("/") if request is not None else None
    return download_response(render_pdf(html, base_url=base_url), filename=filename,
                             content_type="application/pdf", inline=inline)
