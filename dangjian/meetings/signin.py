"""The per-meeting sign-in code: a signed, expiring token and its QR code (rendered server-side as SVG).

The token names only the meeting; it is signed with SECRET_KEY (django.core.signing) and expires
TOKEN_MAX_AGE seconds after it was issued. The detail page issues a fresh one every few minutes
(a screenshot sent to an absent member stops working soon), and the service also checks the
meeting's sign-in window, so a token is useless outside it whatever its age.
"""
import functools
import time

from django.core import signing

try:  # segno: pure-Python QR encoder (requirements.txt: segno==1.6.6)
    import segno
except ImportError:  # pragma: no cover - without it the page shows the link as text
    segno = None

SALT = "dangjian.meetings.checkin"
TOKEN_MAX_AGE = 20 * 60  # seconds a scanned code stays usable (enough to log in on a phone first)
TOKEN_REFRESH_SECONDS = 5 * 60  # how often the detail page shows a fresh code


class BadToken(Exception):
    """The token is malformed, tampered with or expired (the message says which, in Chinese)."""


def make_token(meeting_id: int) -> str:
    return signing.dumps({"m": int(meeting_id)}, salt=SALT, compress=False)


def read_token(token: str, *, max_age: int = TOKEN_MAX_AGE) -> int:
    """The meeting id the token names; BadToken when it is invalid or older than max_age."""
    if not isinstance(token, str) or not token or len(token) > 200:
        raise BadToken("签到码无效")
    try:
        value, signed_at = _verified(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise BadToken("签到码无效")
    if time.time() - signed_at > max_age:  # as signing.loads(max_age=…) checks it, on every call
        raise BadToken("签到码已过期，请重新扫描现场二维码")
    if not isinstance(value, dict) or not isinstance(value.get("m"), int):
        raise BadToken("签到码无效")
    return value["m"]


@functools.lru_cache(maxsize=256)
def _verified(token: str) -> tuple[object, int]:
    """The token's value and when it was signed (seconds), once its signature is checked; BadSignature etc.
    otherwise. Remembered per process: in a burst the 40 members of a branch send the same code, and the HMAC
    was a tenth of a check-in's time (issue 13). Only a string whose signature verified is remembered (an
    exception is never cached), and its age is checked by the caller on every read. A rotated SECRET_KEY takes
    effect with the restart that deploys it."""
    value = signing.loads(token, salt=SALT, max_age=None)
    return value, signing.b62_decode(token.rsplit(":", 2)[1])  # value:timestamp:signature (the default sep)


def qr_svg(url: str) -> str | None:
    """An inline <svg> QR code for url (None when segno is not installed)."""
    if segno is None:
        return None
    code = segno.make(url, error="m")
    return code.svg_inline(scale=6, border=2, dark="#000", light="#fff")
