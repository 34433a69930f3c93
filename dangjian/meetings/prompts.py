"""每周工作提示 (seed 001: "每周有工作提示"): a committee publishes prompts for a week to every branch below
it; each branch marks them done; the committee sees which branches have not.

Also the small registry of "what is due this week" (issue 6 §7): any app may `register(provider)`, where a
provider is `fn(branch_ids, monday, sunday) -> {org_id: [str, …]}`; the Monday job sends each branch's
committee the prompts plus every provider's items. Organizational life registers its own provider here.
"""
from collections.abc import Callable
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.scope import as_id, org_get_visible, require, scope_paths, scope_q
from dangjian.core.audit import audit
from dangjian.core.errors import DomainError
from dangjian.orgs.models import Org
from dangjian.orgs.tree import subtree_q

from . import rules
from .models import Meeting, WorkPrompt, WorkPromptDone
from .selectors import ancestor_paths, local_start

MAX_WEEKS_AHEAD = 52

# --- Registry of weekly items ---
Provider = Callable[[list[int], date, date], dict[int, list[str]]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def weekly_items(branch_ids: list[int], monday: date) -> dict[int, list[str]]:
    """Every registered provider's items for the week, per branch."""
    sunday = monday + timedelta(days=6)
    out: dict[int, list[str]] = {i: [] for i in branch_ids}
    for provider in PROVIDERS:
        for org_id, items in provider(branch_ids, monday, sunday).items():
            if org_id in out:
                out[org_id].extend(items)
    return out


@register
def meetings_due(branch_ids: list[int], monday: date, sunday: date) -> dict[int, list[str]]:
    """Planned meetings of the week."""
    out: dict[int, list[str]] = {}
    rows = (Meeting.objects.filter(org_id__in=branch_ids, state=Meeting.State.PLANNED,
                                   starts_at__gte=local_start(monday), starts_at__lt=local_start(sunday + timedelta(1)))
            .order_by("starts_at").values_list("org_id", "kind", "title", "starts_at"))
    for org_id, kind, title, starts_at in rows:
        label = rules.KIND_LABELS.get(kind, kind)
        out.setdefault(org_id, []).append(f"{timezone.localtime(starts_at):%m月%d日 %H:%M} {label}：{title}")
    return out


@register
def meetings_required(branch_ids: list[int], monday: date, sunday: date) -> dict[int, list[str]]:
    """Required meetings (RULES §3) whose period closes by Sunday with none held yet."""
    from .selectors import compliance_rows

    out: dict[int, list[str]] = {}
    branches = list(Org.objects.filter(id__in=branch_ids, kind=Org.Kind.BRANCH, is_active=True))
    for row in compliance_rows(branches, monday.year, monday) if branches else []:
        for kind, info in row["kinds"].items():
            for period in info.get("due_periods", []):
                _, last = rules.period_bounds(period)
                if last <= sunday:
                    out.setdefault(row["org_id"], []).append(
                        f"{rules.KIND_LABELS[kind]}：{period} 尚未召开，{last:%m月%d日}前须召开（{info['rule']}）")
    return out


# --- Reads ---

def _applies_q(org: Org) -> Q:
    """Prompts reaching `org`: published by the org itself or any org above it."""
    return Q(org__path__in=ancestor_paths(org.path))


def prompt_list(*, actor, org: Org, week: date | None = None) -> QuerySet[WorkPrompt]:
    """Prompts of the week that reach `org` or were published inside its subtree, with done counts."""
    org = org_get_visible(actor=actor, org_id=org.id)
    qs = WorkPrompt.objects.filter(_applies_q(org) | subtree_q(org.path, field="org__path"))
    if week is not None:
        qs = qs.filter(week_start=rules.week_start(week))
    return qs.select_related("org").annotate(n_done=Count("done")).order_by("-week_start", "org__path", "id")


def prompt_get(*, actor, prompt_id) -> WorkPrompt:
    """A prompt the actor may see: published in their scope, or reaching an org in their scope."""
    prompt_id = as_id(prompt_id)
    prompt = WorkPrompt.objects.select_related("org").filter(id=prompt_id).first()
    if prompt is None:
        raise Http404
    paths = scope_paths(actor, "meetings.view")
    if paths is not None and not any(p.startswith(prompt.org.path) or prompt.org.path.startswith(p) for p in paths):
        raise Http404
    return prompt


def prompt_status(*, actor, prompt: WorkPrompt) -> list[dict]:
    """The branches the prompt reaches that the actor may see, each with its done row (or None)."""
    branches = (Org.objects.filter(subtree_q(prompt.org.path), scope_q(actor, perm="meetings.view"),
                                   kind=Org.Kind.BRANCH, is_active=True).order_by("path"))
    done = {d.org_id: d for d in prompt.done.select_related("done_by")}
    return [{"org": b, "done": done.get(b.id)} for b in branches]


def prompt_progress(*, org: Org, prompts) -> dict[int, tuple[int, int]]:
    """{prompt id: (branches done, branches reached)}, counting only the branches inside `org` (two queries)."""
    prompts = list(prompts)
    paths = list(Org.objects.filter(subtree_q(org.path), kind=Org.Kind.BRANCH, is_active=True)
                 .values_list("path", flat=True))
    done = {}
    for pid, path in (WorkPromptDone.objects.filter(prompt__in=prompts, org__path__startswith=org.path)
                      .values_list("prompt_id", "org__path")):
        done.setdefault(pid, set()).add(path)
    return {p.id: (len(done.get(p.id, ())), sum(1 for x in paths if x.startswith(p.org.path))) for p in prompts}


def done_by_branch(*, org: Org, prompts) -> set[int]:
    """Ids of the prompts `org` has marked done."""
    return set(WorkPromptDone.objects.filter(org=org, prompt__in=list(prompts)).values_list("prompt_id", flat=True))


# --- Writes ---

@transaction.atomic
def prompt_publish(*, actor, org: Org, week: date, title: str, body: str = "") -> WorkPrompt:
    require(actor, "meetings.edit", org)
    if org.kind == Org.Kind.BRANCH:
        raise DomainError("每周工作提示由党委或党总支向下级党支部发布", field="org_id")
    if not isinstance(week, date):
        raise DomainError("请选择提示所属的周", field="week_start")
    monday, this_monday = rules.week_start(week), rules.week_start(timezone.localdate())
    if monday < this_monday:
        raise DomainError("不能为已过去的周发布工作提示", field="week_start")
    if monday > this_monday + timedelta(weeks=MAX_WEEKS_AHEAD):
        raise DomainError("最多提前一年发布工作提示", field="week_start")
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > 200:
        raise DomainError("请填写提示事项（不超过 200 字）", field="title")
    if len(body) > 5000:
        raise DomainError("具体要求不能超过 5000 字", field="body")
    prompt = WorkPrompt.objects.create(org=org, region_id=org.region_id, week_start=monday, title=title, body=body,
                                       created_by=actor)
    audit(actor=actor, verb="work_prompt.publish", target=prompt, org=org,
          after={"week_start": monday, "title": title})
    return prompt


@transaction.atomic
def prompt_mark_done(*, actor, prompt: WorkPrompt, branch: Org, note: str = "") -> tuple[WorkPromptDone, bool]:
    """The branch marks the prompt done (idempotent: (row, newly marked))."""
    require(actor, "meetings.edit", branch)
    if branch.kind != Org.Kind.BRANCH or not branch.path.startswith(prompt.org.path):
        raise DomainError("该工作提示不是发给这个党支部的", field="org_id")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("落实情况不能超过 500 字", field="note")
    row = WorkPromptDone.objects.filter(prompt=prompt, org=branch).first()
    if row is not None:
        return row, False
    try:
        with transaction.atomic():
            row = WorkPromptDone.objects.create(prompt=prompt, org=branch, note=note, done_by=actor)
    except IntegrityError:  # marked concurrently
        return WorkPromptDone.objects.get(prompt=prompt, org=branch), False
    audit(actor=actor, verb="work_prompt.done", target=prompt, org=branch, after={"org": branch.id, "note": note})
    return row, True
