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

_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
MAX_IMAGE_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded


def upload_kind_matches(upload, ext: str) -> bool:
    """True when the uploaded bytes are really of the type its extension claims (images are parsed by Pillow,
    so an SVG, an executable or a truncated file named .png is refused). The file is rewound afterwards."""
    ext = ext.lower()
    upload.seek(0)
    try:
        if ext == ".pdf":
            head = upload.read(1024)
            return head.startswith(b"%PDF-")
        fmt = _FORMATS.get(ext)
        if fmt is None:
            return False
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        try:
            with Image.open(upload) as image:
                if image.format != fmt:
                    return False
                image.verify()  # structure and checksums, without decoding every pixel
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()  # a truncated file fails here
        except Exception:  # any decoder error means "not a valid image of that type"
            return False
        return True
    finally:
        upload.seek(0)


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
