"""Every rule id the code cites is registered: in the shared RULES.md or in docs/RULES-LOCAL.md.

Pure file reading, no database. Scans dangjian/**/*.py except tests and migrations.

What counts as a citation: `R-` + an upper-case segment, then `-segment`s, as a whole token. Skipped:
- a longer token that merely contains `R-` (`PR-A` … `PR-D` are points rule codes, not rule ids);
- a prefix or wildcard naming a family, written with a trailing `-`, `-…` or `-*`
  (`R-POINTS-…`, `R-VOL-CLAIM-*`, `startswith("R-MEET-")`). A bare `*` after an id is Markdown bold
  (`**R-EXTEND**` in RULES.md), not a wildcard.
Later segments may be lower case (`R-PIPL-retention` is cited so); ids compare case-sensitively.
"""
from __future__ import annotations

import re
import unittest
from pathlib import Path

from django.conf import settings

REPO = Path(settings.BASE_DIR)
APP_ROOT = REPO / "dangjian"
SHARED_RULES = REPO.parent / "shared" / "RULES.md"
LOCAL_RULES = REPO / "docs" / "RULES-LOCAL.md"

# A copy of the ids in ../shared/RULES.md, used only when that file is absent (a CI machine without
# the shared checkout). When it is present, the file itself is the source and this list is not read.
SHARED_IDS_FALLBACK = frozenset({
    "R-ABSENT-6M", "R-ACTIVIST-1Y", "R-AGE", "R-APPROVE-3M", "R-ASSESS-6M", "R-BRANCH-3", "R-BRANCH-50",
    "R-COMMITTEE-100", "R-COMMITTEE-7", "R-EXTEND", "R-GENERAL-50", "R-INTRODUCERS", "R-LEAVING",
    "R-LOST-CONTACT", "R-MAJORITY", "R-MEET-ASSEMBLY", "R-MEET-COMMITTEE", "R-MEET-GROUP", "R-MEET-LECTURE",
    "R-MEET-LIFE", "R-MEET-QUORUM", "R-MEET-REVIEW", "R-MEET-THEMEDAY", "R-PROBATION-1Y", "R-PUBLICITY",
    "R-QUORUM", "R-REVIEW", "R-SPONSORS", "R-STUDY-32", "R-STUDY-56", "R-TALK-1M", "R-TALK-YEAR",
    "R-TRAIN-3D", "R-WRITTEN",
})

# A token: not preceded by a letter, digit or `_`; `R-` + upper-case/digit segment; then `-segment`s.
# The tail group catches what follows, to tell a citation from a prefix or wildcard.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_])(R-[A-Z0-9]+(?:-[A-Za-z0-9]+)*)(-[*…]?)?")
# In RULES-LOCAL.md an entry is a table row whose first cell is the id in backquotes.
_LOCAL_ENTRY = re.compile(r"^\|\s*`(R-[A-Za-z0-9-]+)`\s*\|", re.MULTILINE)


def cited_ids(text: str) -> list[tuple[str, int]]:
    """(id, line) of each citation in text; prefixes and wildcards left out."""
    found = []
    for m in _TOKEN.finditer(text):
        if m.group(2):  # R-POINTS-…, R-VOL-CLAIM-*, "R-MEET-": a family, not an id
            continue
        found.append((m.group(1), text.count("\n", 0, m.start()) + 1))
    return found


def app_sources() -> list[Path]:
    """dangjian/**/*.py without tests and migrations."""
    out = []
    for path in sorted(APP_ROOT.rglob("*.py")):
        parts = path.relative_to(APP_ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.name.startswith("test_") or path.name == "tests.py":
            continue
        out.append(path)
    return out


def code_citations() -> dict[str, list[str]]:
    """id → ["dangjian/app/file.py:line", …] over the app sources."""
    cites: dict[str, list[str]] = {}
    for path in app_sources():
        rel = path.relative_to(REPO).as_posix()
        for rule_id, line in cited_ids(path.read_text(encoding="utf-8")):
            cites.setdefault(rule_id, []).append(f"{rel}:{line}")
    return cites


def shared_ids() -> frozenset[str]:
    if SHARED_RULES.is_file():
        return frozenset(rule_id for rule_id, _ in cited_ids(SHARED_RULES.read_text(encoding="utf-8")))
    return SHARED_IDS_FALLBACK


def local_ids() -> list[str]:
    return _LOCAL_ENTRY.findall(LOCAL_RULES.read_text(encoding="utf-8"))


class ScannerTests(unittest.TestCase):
    """The scanner itself: what it takes for a citation and what it leaves."""

    def test_citations_and_artefacts(self):
        text = ('rule="R-DUES-BILL" (R-ELECT-QUORUM, R-AGE). R-PIPL-retention\n'
                'PR-A PR-D R-POINTS-… R-VOL-CLAIM-* R-DUES-* startswith("R-MEET-") R-… R-STAT-…\n'
                '- **R-EXTEND**: 延长预备期; **R-GENERAL-50**: ≥ 50\n')
        self.assertEqual(cited_ids(text), [("R-DUES-BILL", 1), ("R-ELECT-QUORUM", 1), ("R-AGE", 1),
                                           ("R-PIPL-retention", 1), ("R-EXTEND", 3), ("R-GENERAL-50", 3)])


class RuleIdRegistryTests(unittest.TestCase):

    def test_registry_has_no_duplicates(self):
        ids = local_ids()
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        self.assertEqual(dupes, [], f"docs/RULES-LOCAL.md lists these ids more than once: {dupes}")

    def test_registry_does_not_repeat_shared_ids(self):
        both = sorted(set(local_ids()) & shared_ids())
        self.assertEqual(both, [], f"ids in both RULES.md and docs/RULES-LOCAL.md (drop the local entry): {both}")

    def test_fallback_copy_matches_rules_md(self):
        if not SHARED_RULES.is_file():
            self.skipTest("../shared/RULES.md absent: the fallback copy is what we check against")
        from_file = shared_ids()
        self.assertEqual(SHARED_IDS_FALLBACK, from_file,
                         "SHARED_IDS_FALLBACK is out of date with ../shared/RULES.md: "
                         f"missing {sorted(from_file - SHARED_IDS_FALLBACK)}, "
                         f"extra {sorted(SHARED_IDS_FALLBACK - from_file)}")

    def test_every_cited_id_is_registered(self):
        known = shared_ids() | set(local_ids())
        unknown = {rule_id: where for rule_id, where in code_citations().items() if rule_id not in known}
        lines = [f"{rule_id}: {', '.join(where)}" for rule_id, where in sorted(unknown.items())]
        if unknown:
            self.fail("rule ids cited in code but in neither ../shared/RULES.md nor docs/RULES-LOCAL.md "
                      "(register them, or fix the citation):\n" + "\n".join(lines))

    def test_every_local_id_is_still_cited(self):
        cited = set(code_citations())
        dead = [rule_id for rule_id in local_ids() if rule_id not in cited]
        self.assertEqual(dead, [], f"docs/RULES-LOCAL.md entries no code cites any more (remove them): {dead}")
