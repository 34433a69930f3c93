"""Forms of the duties pages. They parse; the services validate and refuse (DESIGN rule 6)."""
from django import forms
from django.utils import timezone

from . import rules
from .models import ChecklistCategory, Honor, Rating, Severity

DATE = {"type": "date"}


class StyledForm(forms.Form):
    """Tabler classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def _lines(text: str, parts: int, label: str) -> list[list[str]]:
    """Split "a|b|c" lines; blank lines are skipped."""
    rows = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("｜", "|").split("|")]
        if len(cells) != parts:
            raise forms.ValidationError(f"第 {n} 行格式应为：{label}")
        rows.append(cells)
    return rows


def year_field(label="年度"):
    return forms.IntegerField(label=label, min_value=2000, max_value=2999, initial=lambda: timezone.localdate().year)


class PledgeIssueForm(StyledForm):
    year = year_field()
    title = forms.CharField(label="标题", max_length=100, initial="党建工作责任书")
    items = forms.CharField(label="责任事项（每行：内容|权重，权重合计 100）", widget=forms.Textarea(attrs={"rows": 6}),
                            initial="落实“三会一课”制度|30\n发展党员和党员教育管理|30\n党建服务品牌创建|20\n党风廉政建设|20")
    targets = forms.MultipleChoiceField(label="发放对象（不选则发给全部直属下级组织）", required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].choices = [(str(o.id), o.name) for o in children]

    def clean_items(self):
        return [{"content": c, "weight": w} for c, w in _lines(self.cleaned_data["items"], 2, "内容|权重")]


class PledgeSignForm(StyledForm):
    signer = forms.CharField(label="签订人", max_length=50)
    signed_on = forms.DateField(label="签订日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)


class PledgeProgressForm(StyledForm):
    item_id = forms.IntegerField(widget=forms.HiddenInput)
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    note = forms.CharField(label="进展说明", max_length=300, required=False)


class InspectionForm(StyledForm):
    year = year_field()
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=[(q, f"第{q}季度") for q in rules.QUARTERS],
                                     initial=lambda: rules.quarter_of(timezone.localdate()))
    title = forms.CharField(label="督查主题", max_length=100)
    planned_on = forms.DateField(label="计划日期", required=False, widget=forms.DateInput(attrs=DATE))
    notes = forms.CharField(label="督查内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FindingForm(StyledForm):
    org_id = forms.TypedChoiceField(label="被督查组织", coerce=int)
    description = forms.CharField(label="发现问题", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices)
    found_on = forms.DateField(label="发现日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    tasks = forms.CharField(label="整改任务（每行：措施|责任人|期限 YYYY-MM-DD）", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, "　" * max(0, o.depth - 2) + o.name) for o in orgs]

    def clean_tasks(self):
        out = []
        for task, owner, deadline in _lines(self.cleaned_data["tasks"], 3, "措施|责任人|期限"):
            try:
                day = forms.DateField().clean(deadline)
            except forms.ValidationError:
                raise forms.ValidationError(f"期限“{deadline}”不是有效日期（YYYY-MM-DD）")
            out.append({"task": task, "owner": owner, "deadline": day})
        return out


class CompleteForm(StyledForm):
    evidence = forms.CharField(label="整改佐证（做法、材料、照片说明）", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    completed_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)


class RecheckForm(StyledForm):
    passed = forms.TypedChoiceField(label="复查结论", coerce=lambda v: v == "1",
                                    choices=[("1", "通过，予以销号"), ("0", "未通过，继续整改")])
    rechecked_on = forms.DateField(label="复查日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    note = forms.CharField(label="复查意见", max_length=300, required=False)
    new_deadline = forms.DateField(label="新的整改期限（未通过时）", required=False, widget=forms.DateInput(attrs=DATE))


class SchemeForm(StyledForm):
    year = year_field()
    title = forms.CharField(label="名称", max_length=100, initial="党组织书记抓党建述职评议")
    criteria = forms.CharField(label="评议项目（每行：名称|满分）", widget=forms.Textarea(attrs={"rows": 5}),
                               initial="履行第一责任人职责|30\n组织生活和党员管理|30\n服务群众和品牌创建|20\n群众满意度|20")

    def clean_criteria(self):
        return [{"name": n, "max_score": s} for n, s in _lines(self.cleaned_data["criteria"], 2, "名称|满分")]


class ReportForm(StyledForm):
    org_id = forms.TypedChoiceField(label="述职组织", coerce=int)
    reporter = forms.CharField(label="述职人", max_length=50)
    content = forms.CharField(label="述职内容", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, o.name) for o in orgs]


class ScoreForm(StyledForm):
    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"c{c.id}"] = forms.DecimalField(label=f"{c.name}（满分 {c.max_score.normalize():f}）",
                                                         max_digits=6, decimal_places=2)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")

    def scores(self) -> list[dict]:
        return [{"criterion_id": c.id, "score": self.cleaned_data[f"c{c.id}"]} for c in self.criteria]


class InstructorForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    unit = forms.CharField(label="工作单位及职务", max_length=100, required=False)


class AssignForm(StyledForm):
    org_id = forms.TypedChoiceField(label="指导的党组织", coerce=int)
    started_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [(o.id, o.name) for o in orgs]


class LogForm(StyledForm):
    item = forms.ChoiceField(label="事项")
    happened_on = forms.DateField(label="日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    content = forms.CharField(label="工作内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ChecklistCategory.choices)
        self.fields["item"].choices = [(f"{i.category}:{i.id}", f"{labels[i.category]} · {i.text}") for i in items] + \
            [(f"{c}:", f"{label} · 其他") for c, label in ChecklistCategory.choices]

    def category_and_item(self) -> tuple[str, int | None]:
        category, _, item = self.cleaned_data["item"].partition(":")
        return category, int(item) if item else None


class BrandForm(StyledForm):
    name = forms.CharField(label="品牌名称", max_length=100)
    year = year_field("创建年度")
    idea = forms.CharField(label="品牌理念", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    practices = forms.CharField(label="主要做法", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    results = forms.CharField(label="工作成效", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Checked by the service (core.files.validate_upload), which the API shares; ImageField would be a second check.
    photo = forms.FileField(label="照片", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class RateForm(StyledForm):
    rating = forms.ChoiceField(label="评定", choices=Rating.choices, required=False)


class HonorForm(StyledForm):
    subject = forms.ChoiceField(label="对象", choices=Honor.Subject.choices)
    member_id = forms.TypedChoiceField(label="党员（个人表彰）", coerce=int, required=False, empty_value=None)
    person_name = forms.CharField(label="姓名（非本系统党员时填写）", max_length=100, required=False)
    award = forms.CharField(label="表彰名称", max_length=50,
                            widget=forms.TextInput(attrs={"list": "award-suggestions"}))
    level = forms.ChoiceField(label="级别", choices=Honor.Level.choices)
    year = year_field()
    story = forms.CharField(label="先进事迹", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    # Checked by the service (core.files.validate_upload), which the API shares; ImageField would be a second check.
    photo = forms.FileField(label="照片", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [("", "—")] + [(m.id, f"{m.name}（{m.org.name}）") for m in members]


class DecideForm(StyledForm):
    approve = forms.TypedChoiceField(label="审批", coerce=lambda v: v == "1", choices=[("1", "批准"), ("0", "不予通过")])
    public = forms.BooleanField(label="公开", required=False, help_text="在“榜样”展示页公开事迹")
    note = forms.CharField(label="审批意见", max_length=200, required=False)


class WorkRecordForm(StyledForm):
    method_id = forms.TypedChoiceField(label="工作法", coerce=int)
    title = forms.CharField(label="工作事项", max_length=100)
    year = year_field()

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method_id"].choices = [(m.id, m.name) for m in methods]


class StepForm(StyledForm):
    step_no = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    content = forms.CharField(label="记录", widget=forms.Textarea(attrs={"rows": 2}))


# --- 党小组长责任清单 ----------------------------------------------------------------------------

FREQUENCY_WORDS = {"每月": "month", "月": "month", "每季度": "quarter", "每季": "quarter", "季度": "quarter",
                   "每年": "year", "年": "year", "month": "month", "quarter": "quarter", "year": "year"}


class GroupDutyListForm(StyledForm):
    year = year_field()
    title = forms.CharField(label="名称", max_length=100, initial="党小组长责任清单")
    items = forms.CharField(
        label="责任事项（每行：周期|内容，周期为每月、每季度或每年）", widget=forms.Textarea(attrs={"rows": 7}),
        initial="\n".join(f"{rules.FREQUENCY_LABELS[f]}|{c}" for f, c in rules.DEFAULT_GROUP_DUTIES))

    def clean_items(self):
        out = []
        for frequency, content in _lines(self.cleaned_data["items"], 2, "周期|内容"):
            if frequency not in FREQUENCY_WORDS:
                raise forms.ValidationError(f"“{frequency[:10]}”不是有效的周期：应为每月、每季度或每年")
            out.append({"frequency": FREQUENCY_WORDS[frequency], "content": content})
        return out


class GroupDutyRecordForm(StyledForm):
    item_id = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.CharField(label="周期", max_length=10)
    done_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    note = forms.CharField(label="完成情况", max_length=300, required=False)
