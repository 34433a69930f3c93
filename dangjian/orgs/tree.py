"""Index-range subtree lookups on treebeard's materialized path.

`path LIKE 'x%'` cannot use a B-tree index under most PostgreSQL collations and the naive
`LIKE '%id%'` of peer systems matches 1 inside 11. A subtree is instead the half-open range
[path, next(path)) where next() increments the last character of the path in treebeard's
alphabet; every descendant's path starts with `path` and sorts inside the range.
"""
from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard MP_Node default alphabet
_NEXT = {c: ALPHABET[i + 1] for i, c in enumerate(ALPHABET[:-1])}


def path_upper(path: str) -> str | None:
    """Smallest string greater than every path that starts with `path` (None: no bound)."""
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        if chars[i] in _NEXT:
            return "".join(chars[:i]) + _NEXT[chars[i]]
    return None


def subtree_q(path: str, *, field: str = "path") -> Q:
    """Q for "this node and everything below it" as an index range."""
    q = Q(**{f"{field}__gte": path})
    upper = path_upper(path)
    if upper is not None:
        q &= Q(**{f"{field}__lt": upper})
    return q


def subtrees_q(paths: list[str], *, field: str = "path") -> Q:
    """Union of several subtrees; nested ones are dropped first. Empty list matches nothing."""
    roots: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for p in roots:
        q |= subtree_q(p, field=field)
    return q


def subtree_sql(path: str, *, column: str = "path") -> tuple[str, list[str]]:
    """The same range as raw SQL with parameters (benchmarks and hand-written reports)."""
    upper = path_upper(path)
    if upper is None:
        return f"{column} >= %s", [path]
    return f"{column} >= %s AND {column} < %s", [path, upper]
