"""Write-behind QR sign-in (issue 13: check-in at ≥ 50 % of a bare view's throughput).

With CHECKIN_QUEUE_URL set (by default REDIS_URL), a QR check-in is accepted in Redis and written to the database
a moment later, in batches:

- The *sheet* of a meeting lives in a Redis hash: its sign-in window and, per user, that member's row. It is
  loaded from the database by the first check-in (`sheet_load`). It is dropped on commit of any write that
  could change it (`sheet_drop`: meeting edits, attendance marks, leave decisions, `sheets_drop_all` for the
  settings), and expires after SHEET_TTL seconds in any case.
- A check-in is one Lua script, one round trip (`accept`): the API token gives the user (accounts.token_cache),
  the user gives the row on the sheet, and the window must be open. The row is marked present on the sheet, and
  the check-in is added to the pending hash. The response is built from the sheet.
- `flush` writes pending check-ins in one transaction per batch, each with its audit event (DESIGN rule 3 holds
  in that transaction). It runs FLUSH_DELAY seconds after the first check-in of a burst (a Huey task) and every
  minute as a safety net. It also runs before a read of the sheet (`flush_pending` in the selectors), so the
  secretary's screen shows every accepted check-in.

Everything the script cannot decide goes to the synchronous `services.meeting_check_in`, which gives the exact
Chinese message: an unknown token, a member not on the sheet, a closed window, another member's id, a cancelled
meeting. The rules stay in one place; the fast path only repeats what the sheet already proved. A Redis error
also takes the synchronous path: an outage slows sign-in down instead of stopping it.

Durability is the trade-off. An accepted check-in lives only in Redis until the flush, about one second.
Production Redis runs with `appendonly yes` (deploy/), so a crash loses at most the last second of sign-ins,
and those members simply scan again. A later hand mark by the secretary wins over a check-in still waiting:
the flush skips a row updated after the check-in was accepted.
"""
import logging
import time
from itertools import islice
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone

from django.db import transaction

from dangjian.accounts import token_cache
from dangjian.core import dbrouter, redis_store
from dangjian.core.middleware import current_ip

from . import rules, signin

log = logging.getLogger(__name__)

SHEET_TTL = 600  # seconds a loaded sheet is trusted without a write dropping it
FLUSH_DELAY = 1  # seconds from the first check-in of a burst to its flush
BATCH = 2000  # check-ins per flush transaction

# KEYS: sheet, pending, flush flag, token key. ARGV: now (µs), user id or "", claimed member id or "", meeting
# id, flush delay (ms), ip. An entry is "member|status|method|checked µs|is_full|is_exempt|name".
_ACCEPT = """
local uid = ARGV[2]
if uid == '' then
  uid = redis.call('GET', KEYS[4])
  if not uid then return {'token'} end
end
local head = redis.call('HMGET', KEYS[1], '_opens', '_closes')
if not head[1] then return {'sheet', uid} end
local now = tonumber(ARGV[1])
if now < tonumber(head[1]) or now > tonumber(head[2]) then return {'window', uid} end
local entry = redis.call('HGET', KEYS[1], 'u' .. uid)
if not entry then return {'member', uid} end
local member, status, rest = string.match(entry, '^(%d+)|(%a+)|%a*|%d*|(.*)$')
if ARGV[3] ~= '' and ARGV[3] ~= member then return {'member', uid} end
if status == 'present' then return {'present', uid, entry} end
entry = member .. '|present|qr|' .. ARGV[1] .. '|' .. rest
redis.call('HSET', KEYS[1], 'u' .. uid, entry)
redis.call('HSETNX', KEYS[2], ARGV[4] .. ':' .. member, uid .. '|' .. ARGV[1] .. '|' .. ARGV[6])
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[5]) then return {'new', uid, entry, 1} end
return {'new', uid, entry, 0}
"""

# KEYS: sheet, set of sheets, pending. ARGV: ttl, meeting id, then field, value, … Loads only a sheet that is not
# there (a check-in accepted meanwhile is never overwritten by an older read of the database), with the check-ins
# still waiting laid over the rows read, so that nobody signs in twice and the first time is kept.
_LOAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 3, #ARGV, 2 do
  local entry = ARGV[i + 1]
  local member, rest = string.match(entry, '^(%d+)|%a*|%a*|%d*|(.*)$')
  if member then
    local waiting = redis.call('HGET', KEYS[3], ARGV[2] .. ':' .. member)
    if waiting then
      entry = member .. '|present|qr|' .. string.match(waiting, '^%d+|(%d+)|') .. '|' .. rest
    end
  end
  redis.call('HSET', KEYS[1], ARGV[i], entry)
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], 86400)
return 1
"""

# KEYS: pending. ARGV: field, value, … Forgets written check-ins, unless one was replaced meanwhile.
_DONE = """
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
"""

@dataclass(frozen=True)
class Accepted:
    """A check-in the sheet decided: the response of the API, as the synchronous path would give it."""

    meeting_id: int
    member_id: int
    name: str
    status: str
    method: str
    checked_at: datetime | None
    is_full: bool
    is_exempt: bool
    created: bool

    def payload(self) -> dict:
        """The API's answer: exactly the fields of meetings.api.CheckInOut."""
        return dict(vars(self))


def enabled() -> bool:
    return bool(redis_store.queue_url())


def _key(*parts) -> str:
    return redis_store.prefix() + "ci:" + ":".join(str(p) for p in parts)


def _us(value: datetime) -> int:
    return int(value.timestamp() * 1_000_000)


def _from_us(value: str | bytes) -> datetime | None:
    return datetime.fromtimestamp(int(value) / 1_000_000, tz=dt_timezone.utc) if value else None


def _entry(member_id, status, method, checked_at, is_full, is_exempt, name) -> str:
    return "|".join([str(member_id), status, method or "", str(_us(checked_at)) if checked_at else "",
                     "1" if is_full else "0", "1" if is_exempt else "0", name])


def _parse(meeting_id: int, entry: bytes, created: bool) -> Accepted:
    member, status, method, checked, is_full, is_exempt, name = entry.decode().split("|", 6)
    return Accepted(meeting_id=meeting_id, member_id=int(member), name=name, status=status, method=method,
                    checked_at=_from_us(checked), is_full=is_full == "1", is_exempt=is_exempt == "1",
                    created=created)


# --- Accepting a check-in ---

def accept(*, token: str, meeting_id: int | None = None, member_id: int | None = None, user_id: int | None = None,
           bearer_hash: str | None = None, now: datetime | None = None):
    """Decide a check-in on the sheet: Accepted; "token" when the bearer token is unknown to Redis (the caller
    asks the database, `token_cache.remember`s it and calls again); None for the synchronous path.

    Exactly one of `user_id` (a session) and `bearer_hash` (an API token, checked in the script) is given. The
    request's IP (core.middleware, as audit() reads it) is kept for the audit event the flush writes."""
    try:
        token_meeting = signin.read_token(token)
    except signin.BadToken:
        return None
    if meeting_id is not None and int(meeting_id) != token_meeting:
        return None
    if member_id is not None and type(member_id) is not int:  # not even a bool: the synchronous path says why
        return None
    now_us = _us(now) if now is not None else int(time.time() * 1_000_000)
    keys = [_key("s", token_meeting), _key("pending"), _key("flush"),
            token_cache.key(bearer_hash) if bearer_hash else _key("no-token")]
    args = [now_us, "" if user_id is None else int(user_id), "" if member_id is None else member_id,
            token_meeting, FLUSH_DELAY * 1000, current_ip() or ""]
    try:
        got = redis_store.run_script(_ACCEPT, keys, args)
        if got[0] == b"sheet" and sheet_load(token_meeting):
            got = redis_store.run_script(_ACCEPT, keys, args)
    except redis_store.Error as exc:
        log.warning("check-in queue unavailable, signing in synchronously: %s", exc)
        return None
    verdict = got[0].decode()
    if verdict == "token":
        return "token"
    if verdict == "present":
        return _parse(token_meeting, got[2], created=False)
    if verdict != "new":
        return None
    if dbrouter.has_replica():  # read-your-write: this client's next reads go where the flush writes
        dbrouter.stick_to_primary()
    if got[3]:
        _schedule_flush()
    return _parse(token_meeting, got[2], created=True)


def _schedule_flush() -> None:
    from .tasks import meetings_checkin_flush_task

    try:
        meetings_checkin_flush_task.schedule(delay=FLUSH_DELAY)
    except Exception:  # the minute's periodic flush and the next read still write it
        log.exception("could not schedule the check-in flush")


# --- The sheet ---

def sheet_load(meeting_id: int) -> bool:
    """Load the meeting's sheet from the database unless it is there, with the check-ins still waiting laid
    over it; False when there is nothing to sign in to (no such meeting, or cancelled: the synchronous path
    says so). Two queries and one script, whatever the number of members."""
    from .models import Attendance, Meeting
    from .selectors import checkin_lead_subquery, lead_minutes

    row = (Meeting.objects.annotate(lead=checkin_lead_subquery()).filter(pk=meeting_id)
           .values_list("state", "starts_at", "ends_at", "lead").first())
    if row is None or row[0] == Meeting.State.CANCELLED:
        return False
    _, starts_at, ends_at, lead = row
    opens, closes = rules.checkin_window(starts_at=starts_at, ends_at=ends_at, lead_minutes=lead_minutes(lead))
    args = [SHEET_TTL, meeting_id, "_opens", _us(opens), "_closes", _us(closes)]
    for user_id, *values in (Attendance.objects.filter(meeting_id=meeting_id, member__user__isnull=False)
                             .values_list("member__user_id", "member_id", "status", "method", "checked_at",
                                          "is_full", "is_exempt", "member__name")):
        args += [f"u{user_id}", _entry(*values)]
    redis_store.run_script(_LOAD, [_key("s", meeting_id), _key("sheets"), _key("pending")], args)
    return True


def sheet_warm(meeting_id: int) -> None:
    """Load the sheet now unless it is there: the QR code is on screen, so the first scan finds it ready."""
    if not enabled():
        return
    try:
        if not redis_store.client().exists(_key("s", meeting_id)):
            sheet_load(meeting_id)
    except redis_store.Error as exc:
        log.warning("could not load a check-in sheet: %s", exc)


def sheet_drop(meeting_id: int) -> None:
    """Forget the meeting's sheet once the current transaction commits (the next check-in reloads it)."""
    if enabled():
        redis_store.delete_on_commit([_key("s", meeting_id)])


def sheets_drop_all() -> None:
    """Forget every loaded sheet on commit (a change of the sign-in settings moves many windows at once)."""
    if not enabled():
        return

    def drop():
        try:
            loaded = [k.decode() for k in redis_store.client().smembers(_key("sheets"))]
        except redis_store.Error as exc:  # each stale sheet still expires after SHEET_TTL
            log.warning("could not list the check-in sheets: %s", exc)
            return
        redis_store.delete(loaded + [_key("sheets")])

    transaction.on_commit(drop)


# --- Writing to the database ---

def pending_count() -> int:
    if not enabled():
        return 0
    try:
        return redis_store.client().hlen(_key("pending"))
    except redis_store.Error:
        return 0


def flush_pending() -> None:
    """Before a read of attendance: write whatever is waiting (one HLEN when nothing is)."""
    if pending_count():
        flush_all()


def flush_all(*, max_batches: int = 50) -> int:
    """Flush batch after batch until the queue is short (at most max_batches): inside a caller's transaction
    one batch only, since what it wrote leaves the queue only when that transaction commits."""
    if transaction.get_connection().in_atomic_block:
        return flush()
    total = 0
    for _ in range(max_batches):
        n = flush()
        total += n
        if n < BATCH:
            break
    return total


def flush(*, limit: int = BATCH) -> int:
    """Write up to `limit` waiting check-ins in one transaction; how many were taken off the queue."""
    if not enabled():
        return 0
    try:  # HSCAN: a long queue is read a batch at a time, not whole for every batch
        items = list(islice(redis_store.client().hscan_iter(_key("pending"), count=limit), limit))
    except redis_store.Error as exc:
        log.warning("check-in queue unavailable, nothing flushed: %s", exc)
        return 0
    if not items:
        return 0
    taken = []
    for field, value in items:
        meeting_id, member_id = field.decode().split(":")
        user_id, at_us, ip = value.decode().split("|")
        taken.append((int(meeting_id), int(member_id), int(user_id), _from_us(at_us), ip or None))
    _write(taken)
    done = [x for field, value in items for x in (field, value)]
    transaction.on_commit(lambda: _forget_done(done))  # at once, unless a caller's transaction is open
    return len(items)


def _forget_done(done: list) -> None:
    try:
        redis_store.run_script(_DONE, [_key("pending")], done)
    except redis_store.Error as exc:  # written already: the next flush finds them present and skips them
        log.warning("could not clear flushed check-ins: %s", exc)


@transaction.atomic
def _write(taken: list[tuple]) -> int:
    """The rows present, each with its audit event; a row updated after the check-in (a hand mark by the
    secretary) or gone from the sheet is left as it is. Locked, so two flushes never write one row twice."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dangjian.core.audit import audit_event
    from dangjian.core.models import AuditEvent

    from .models import Attendance, Meeting
    from .services import sync_makeup

    User = get_user_model()
    wanted = {(m, p): (u, at, ip) for m, p, u, at, ip in taken}
    rows = Attendance.objects.select_for_update(of=("self",)).filter(
        meeting_id__in={m for m, _ in wanted}, member_id__in={p for _, p in wanted}).order_by("pk")  # one lock
    # order for every flush: two at once wait for each other instead of deadlocking
    meetings = Meeting.objects.select_related("org").in_bulk({m for m, _ in wanted})
    names = dict(User.objects.filter(id__in={u for u, _, _ in wanted.values()}).values_list("id", "username"))
    changed, events, stamp = [], [], timezone.now()
    for row in rows:
        got = wanted.get((row.meeting_id, row.member_id))
        if got is None or row.status == Attendance.Status.PRESENT:
            continue
        user_id, at, ip = got
        if row.updated_at and row.updated_at > at:
            continue
        before = row.status
        row.status, row.method, row.checked_at = Attendance.Status.PRESENT, Attendance.Method.QR, at
        row.marked_by_id, row.updated_at = user_id, stamp
        changed.append(row)
        actor = User(pk=user_id, username=names.get(user_id, ""))
        events.append(audit_event(actor=actor, verb="meeting.check_in", target=meetings[row.meeting_id],
                                  before={"member": row.member_id, "status": before},
                                  after={"member": row.member_id, "status": row.status, "method": row.method},
                                  ip=ip))
    _update_rows(changed)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    for row in changed:
        sync_makeup(meetings[row.meeting_id], row)  # a meeting recorded while sign-in was still open
    return len(changed)


def _update_rows(rows: list) -> None:
    """One parametrized UPDATE per row, sent in one go (psycopg pipelines executemany): bulk_update's CASE per
    row cost more than the rest of the flush."""
    from django.db import connection

    from .models import Attendance

    if not rows:
        return
    meta = Attendance._meta
    cols = [meta.get_field(f).column for f in ("status", "method", "checked_at", "marked_by", "updated_at")]
    sql = (f"UPDATE {connection.ops.quote_name(meta.db_table)} SET "
           + ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in cols)
           + f" WHERE {connection.ops.quote_name(meta.pk.column)} = %s")
    field = meta.get_field("checked_at")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.status, r.method, field.get_db_prep_value(r.checked_at, connection),
                                  r.marked_by_id, field.get_db_prep_value(r.updated_at, connection), r.pk)
                                 for r in rows])
