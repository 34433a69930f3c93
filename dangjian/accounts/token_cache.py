"""API tokens remembered in Redis, so the sign-in fast path (meetings.checkin_queue) authenticates a bearer token
without the database: a burst of 500 members each signing in once would otherwise read 500 tokens.

Only what the database holds is remembered: a token when it is issued (on commit) and when BearerToken found it
valid for a check-in, until its expiry. It is forgotten, on commit, whenever it stops being valid in the
database: the token deleted (the admin, a user deleted) or its user deactivated (any save of the user with
is_active off; signals connected in AccountsConfig.ready, so no path can forget to). An expiry edited in the
admin is the one change seen late, up to the old expiry; the token still fails everywhere but check-in.
Without CHECKIN_QUEUE_URL nothing is remembered."""
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from dangjian.core import redis_store


def key(key_hash: str) -> str:
    return f"{redis_store.prefix()}t:{key_hash}"


def remember(*, key_hash: str, user_id: int, expires_at: datetime) -> None:
    if not redis_store.queue_url():
        return
    ttl = int((expires_at - timezone.now()).total_seconds())
    if ttl <= 0:
        return
    try:
        redis_store.client().set(key(key_hash), str(user_id), ex=ttl)
    except redis_store.Error:  # the fast path then simply asks the database again
        pass


def forget(key_hashes: list[str]) -> None:
    """Stop trusting these tokens once the current transaction commits (their database change is visible)."""
    if redis_store.queue_url() and key_hashes:
        redis_store.delete_on_commit([key(h) for h in key_hashes])


# --- Signal receivers (connected in AccountsConfig.ready) ---

def on_token_saved(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(lambda: remember(key_hash=instance.key_hash, user_id=instance.user_id,
                                               expires_at=instance.expires_at))


def on_token_deleted(sender, instance, **kwargs):
    forget([instance.key_hash])


def on_user_saved(sender, instance, **kwargs):
    if not instance.is_active and redis_store.queue_url():
        from .models import ApiToken

        forget(list(ApiToken.objects.filter(user_id=instance.pk).values_list("key_hash", flat=True)))
