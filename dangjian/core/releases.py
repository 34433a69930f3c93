"""The migration state of each published release (issue 14 item 6), as data.

LEAVES: the last migration of every app at the release's commit (`git ls-tree <commit> dangjian/*/migrations`).
An installation of that release is exactly there; `core/tests/test_migrations.py` migrates an empty database to
these leaves, writes data through that state's historical models and migrates on to today's leaves.

FILES_SHA256: one digest of the release's migration files (sorted paths, each `path NUL content NUL`): a
released migration must never be edited, or installations of that release would drift from a fresh install.
A new release adds its entry here (leaves, commit, digest) when it is tagged.
"""
import hashlib
from pathlib import Path

RELEASES = {
    "0.1": {
        "commit": "2230bab",
        "leaves": {
            "accounts": "0001_initial",
            "care": "0001_initial",
            "core": "0001_initial",
            "dues": "0001_initial",
            "duties": "0002_defaults",
            "elections": "0001_initial",
            "meetings": "0001_initial",
            "members": "0004_lean_indexes",
            "notify": "0001_initial",
            "orgs": "0001_initial",
            "petitions": "0002_initial",
            "points": "0001_initial",
            "recruitment": "0001_initial",
            "reports": "0001_initial",
            "standards": "0001_initial",
            "study": "0001_initial",
            "visits": "0001_initial",
            "volunteers": "0001_initial",
        },
        "files_sha256": "9acc84ca5c32ef452e2c64f3f6439df710b89853903d1c643420c532b73cd651",
    },
    "0.2": {
        "commit": "4337958",
        "leaves": {
            "accounts": "0002_totp_device",
            "care": "0002_greeting_notified_at_greeting_notified_users",
            "core": "0001_initial",
            "dues": "0002_arrearscase_arrearscontact_duesbill_and_more",
            "duties": "0003_groupdutylist_groupdutyitem_groupdutyrecord_and_more",
            "elections": "0001_initial",
            "meetings": "0002_venue_reviews_prompts",
            "members": "0006_search_indexes_with_stage",
            "notify": "0001_initial",
            "orgs": "0001_initial",
            "petitions": "0002_initial",
            "points": "0002_sanliang_warnings",
            "recruitment": "0002_dossierdocument_recruitmentplan",
            "reports": "0002_report_task_sheet",
            "standards": "0002_sizesettings",
            "study": "0001_initial",
            "visits": "0001_initial",
            "volunteers": "0001_initial",
        },
        "files_sha256": "88b8780ee8d0664581ca93c82a56b969ef5f5b10aa4ff0b76ed4a0247e153b86",
    },
}

ROOT = Path(__file__).resolve().parents[2]


def migration_files(release: str) -> list[str]:
    """The repository paths of the migrations a release shipped: every migration up to each app's leaf."""
    out = []
    for app, leaf in RELEASES[release]["leaves"].items():
        folder = ROOT / "dangjian" / app / "migrations"
        out += [f"dangjian/{app}/migrations/{p.name}" for p in folder.glob("0*.py") if p.stem <= leaf]
    return sorted(out)


def files_digest(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.encode() + b"\0" + (ROOT / path).read_bytes() + b"\0")
    return digest.hexdigest()
