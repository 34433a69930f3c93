from datetime import date

from dangjian.members.models import Member


def make_members(org, n, *, stage="full", prefix="党员", status="normal"):
    rows = [Member(org=org, region_id=org.region_id, name=f"{prefix}{i + 1}", gender="M", birth_date=date(1980, 1, 1),
                   joined_on=date(2010, 7, 1), stage=stage, status=status) for i in range(n)]
    Member.objects.bulk_create(rows)
    return list(Member.objects.filter(org=org, name__startswith=prefix, stage=stage).order_by("id"))


def payload(candidates, *, held_on="2025-06-01", entitled=10, present=9, seats=5, issued=None, returned=None,
            **extra):
    """The API body: candidates is [(member, votes), …]."""
    return {"held_on": held_on, "entitled": entitled, "present": present, "seats": seats,
            "ballots_issued": present if issued is None else issued,
            "ballots_returned": present if returned is None else returned,
            "candidates": [{"member_id": m.id, "votes": v} for m, v in candidates], **extra}
