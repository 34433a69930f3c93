"""Forms of the points pages: they parse; the services decide."""
from datetime import timedelta

from django import forms

from . import rules
from .models import Category, Objection, PeriodKind, Pledge, PointRule, Publication

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def period_choices(kind: str, today, count: int = 8) -> list[tuple[str, str]]:
    """The current period and the ones before it, newest first."""
    p = rules.period_of(today, kind)
    out = []
    for _ in range(count):
        out.append((p.label, f"{p.display}（{p.label}）"))
        p = rules.previous_period(p)
    return out


def finished_period_choices(kind: str, today, count: int = 8) -> list[tuple[str, str]]:
    return period_choices(kind, rules.period_of(today, kind).start - timedelta(days=1), count)


class EntryForm(forms.Form):
    rule_code = forms.ChoiceField(label="积分标准")
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    note = forms.CharField(label="事由", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    evidence = forms.FileField(label="证明材料", required=False, help_text="JPG、PNG 或 PDF，不超过 5 MB",
                               widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_code"].choices = [
            (v.rule.code, f"{v.name}（{v.points:+}{'，每期上限 %s' % v.cap_per_period if v.cap_per_period else ''}"
                          f"{'，须证明材料' if v.evidence_required else ''}）") for v in versions]
        _style(self)


class SelfReportForm(EntryForm):
    note = forms.CharField(label="申报事由", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="冲正原因", min_length=2, max_length=200)


class DecisionForm(forms.Form):
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class VersionForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    points = forms.DecimalField(label="分值", max_digits=7, decimal_places=2, help_text="加分填正数，扣分填负数")
    cap_per_period = forms.DecimalField(label="每期上限", max_digits=7, decimal_places=2, required=False,
                                        help_text="同一党员每个考评周期内该项累计分值的上限（绝对值），不填为不限")
    evidence_required = forms.BooleanField(label="须提供证明材料", required=False, help_text="录入或申报时须上传证明材料")
    self_report_allowed = forms.BooleanField(label="党员可自行申报", required=False, help_text="党员可在手机上申报，书记审核")
    requires_approval = forms.BooleanField(label="录入后须审核", required=False, help_text="书记录入后由另一名支委审核")
    overridable = forms.BooleanField(label="下级可调整", required=False, help_text="下级党组织可在下列范围内调整分值")
    override_min = forms.DecimalField(label="调整下限", max_digits=7, decimal_places=2, required=False)
    override_max = forms.DecimalField(label="调整上限", max_digits=7, decimal_places=2, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)
    valid_from = forms.DateField(label="生效日期", widget=DATE)

    def __init__(self, *args, branch: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if branch:
            for name in ("overridable", "override_min", "override_max"):
                del self.fields[name]
        _style(self)


class RuleForm(VersionForm):
    code = forms.CharField(label="编码", max_length=30, help_text="字母开头，如 MEET；与上级相同编码即为调整上级标准")
    subject = forms.ChoiceField(label="计分对象", choices=PointRule.Subject.choices)

    field_order = ["code", "subject", "name", "category", "points"]

    def __init__(self, *args, branch: bool = False, **kwargs):
        super().__init__(*args, branch=branch, **kwargs)
        if branch:
            del self.fields["subject"]
        self.order_fields(self.field_order)


class SchemeForm(forms.Form):
    base = forms.DecimalField(label="基础分", max_digits=7, decimal_places=2, min_value=0)
    period_kind = forms.ChoiceField(label="考评周期", choices=PeriodKind.choices)
    objection_days = forms.IntegerField(label="公示期（工作日）", min_value=1, max_value=30)
    warn_below = forms.DecimalField(label="预警分数线", max_digits=7, decimal_places=2,
                                    help_text="低于此分的党员在排名中标注并列入预警名单，提示谈心谈话")
    unqualified_below = forms.DecimalField(label="不合格分数线", max_digits=7, decimal_places=2, required=False,
                                           help_text="低于此分列为不合格预警，可启动限期改正等处置；不高于预警分数线")
    star_thresholds = forms.CharField(label="星级门槛", max_length=200,
                                      help_text="格式“分数:星级”，逗号分隔，如 115:5,108:4,100:3,90:2；低于最低门槛为一星")
    note = forms.CharField(label="计分说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[f"weight_{value}"] = forms.DecimalField(label=f"权重：{label}", max_digits=4, decimal_places=2,
                                                                min_value=0, max_value=10, initial=1)
        _style(self)

    def clean_star_thresholds(self):
        text = self.cleaned_data["star_thresholds"].replace("，", ",").replace("：", ":")
        try:
            pairs = [item.split(":") for item in text.split(",") if item.strip()]
            return rules.normalize_stars([(p[0].strip(), p[1].strip()) for p in pairs])
        except (ValueError, IndexError, ArithmeticError):
            raise forms.ValidationError("格式应为“分数:星级”，逗号分隔，星级 1–5")

    def service_data(self) -> dict:
        d = self.cleaned_data
        extra = {"unqualified_below": d["unqualified_below"]} if d.get("unqualified_below") is not None else {}
        return {**extra, "base": d["base"], "period_kind": d["period_kind"], "objection_days": d["objection_days"],
                "warn_below": d["warn_below"], "star_thresholds": [[str(m), s] for m, s in d["star_thresholds"]],
                "category_weights": {c: str(d[f"weight_{c}"]) for c in Category.values if d[f"weight_{c}"] != 1},
                "note": d["note"]}


class PublicationForm(forms.Form):
    period = forms.ChoiceField(label="考评周期")
    level = forms.ChoiceField(label="公示内容", choices=Publication.Level.choices)

    def __init__(self, *args, periods=(), branch: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods
        if branch:
            self.fields["level"].choices = [Publication.Level.choices[0]]
        _style(self)


class ObjectionForm(forms.Form):
    text = forms.CharField(label="异议内容", min_length=2, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ResolveForm(forms.Form):
    status = forms.ChoiceField(label="结论", choices=[(Objection.Status.UPHELD, "异议成立（请同时更正台账）"),
                                                   (Objection.Status.DISMISSED, "异议不成立")])
    response = forms.CharField(label="答复", min_length=2, max_length=500)


# --- 三亮一评 and 预警 ----------------------------------------------------------------------------------

class PledgeForm(forms.Form):
    member = forms.ChoiceField(label="党员")
    year = forms.IntegerField(label="年度", min_value=1921, max_value=2999)
    identity = forms.CharField(label="亮身份（岗位 / 身份）", max_length=100,
                               help_text="如：党员中心户、党员示范岗、楼栋长、网格员")
    text = forms.CharField(label="亮承诺（承诺事项）", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    standard = forms.CharField(label="亮标准（践诺标准）", max_length=300, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.id), m.name) for m in members]
        _style(self)


class AssessForm(forms.Form):
    fulfilment = forms.ChoiceField(label="兑现情况", choices=[c for c in Pledge.Fulfilment.choices if c[0]])
    result = forms.CharField(label="亮实绩（践诺情况）", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    assessed_on = forms.DateField(label="评定日期", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RatingForm(forms.Form):
    member = forms.ChoiceField(label="党员")
    rated_on = forms.DateField(label="评议日期", widget=DATE)
    satisfied = forms.IntegerField(label="满意（票）", min_value=0, max_value=rules.RATING_MAX_VOTERS)
    basically_satisfied = forms.IntegerField(label="基本满意（票）", min_value=0, max_value=rules.RATING_MAX_VOTERS,
                                             initial=0)
    unsatisfied = forms.IntegerField(label="不满意（票）", min_value=0, max_value=rules.RATING_MAX_VOTERS, initial=0)
    note = forms.CharField(label="说明", max_length=200, required=False,
                           help_text="如：参加评议的群众代表、党员人数和评议方式")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.id), m.name) for m in members]
        _style(self)


class DisposeForm(forms.Form):
    kind = forms.ChoiceField(label="处置方式")
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label="决定日期", widget=DATE)
    deadline = forms.DateField(label="改正期限", required=False, widget=DATE, help_text="限期改正须填写，最长一年")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        _style(self)


class HandleForm(forms.Form):
    note = forms.CharField(label="处理情况", min_length=2, max_length=200,
                           help_text="如：2026年10月20日书记与其谈心谈话，本人表示改正")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
