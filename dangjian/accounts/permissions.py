"""What each role may do, as data. A permission is "<area>.<action>".

An entry may be exact ("members.reveal_id"), a wildcard action ("*.view") or everything ("*").
Scope (which orgs) is separate: a role applies to its org's whole subtree.
"""

ROLE_PERMS: dict[str, set[str]] = {
    "admin": {"*"},
    # A secretary runs the branch: sees and edits everything in it and may reveal ID numbers,
    # but does not reshape the org tree or hand out accounts other than members' own.
    "secretary": {"*.view", "*.edit", "*.export", "members.reveal_id", "audit.view", "members.account"},
    "committee_member": {"*.view", "*.edit", "*.export"},
    "member": set(),
}


def role_allows(role: str, perm: str) -> bool:
    granted = ROLE_PERMS.get(role, set())
    if "*" in granted or perm in granted:
        return True
    action = perm.split(".", 1)[-1]
    return f"*.{action}" in granted
