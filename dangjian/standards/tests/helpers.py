import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.members.models import Member


def make_members(org, n, *, stage="full", prefix="党员", **extra):
    Member.objects.bulk_create([Member(org=org, region_id=org.region_id, name=f"{prefix}{i + 1}", gender="M",
                                       birth_date=date(1980, 1, 1), joined_on=date(2010, 7, 1), stage=stage, **extra)
                                for i in range(n)])
    return list(Member.objects.filter(org=org, name__startswith=prefix, stage=stage).order_by("id"))


def png(name="photo.png", extra=0):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 30, 50)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue() + b"\0" * extra, content_type="image/png")


def fake_png(name="fake.png"):
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="image/png")


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
