"""Retention of audit records.

R-LOG-6M: 《网络安全法》第二十一条 — network logs kept no less than six months; so the audit retention
setting may be longer, never shorter than RETENTION_FLOOR_DAYS.
"""
from datetime import date, timedelta

RETENTION_FLOOR_DAYS = 183  # six months, rounded up (R-LOG-6M)


def retention_days(configured: int | None) -> int:
    """The days audit events are kept: the configured value, raised to the six-month floor."""
    return max(RETENTION_FLOOR_DAYS, int(configured or 0))


def purge_before(today: date, configured: int | None) -> date:
    """Events dated strictly before this day may be deleted."""
    return today - timedelta(days=retention_days(configured))
