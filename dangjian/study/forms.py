"""Forms of the study pages (parsing only; the services validate)."""
from django import forms
from django.utils import timezone

from .models import Course, Material

DATE = {"type": "date"}


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class MaterialForm(StyledForm):
    title = forms.CharField(label="标题", max_length=200)
    series = forms.ChoiceField(label="栏目", choices=Material.Series.choices, initial="weekly")
    kind = forms.ChoiceField(label="类型", choices=Material.Kind.choices)
    minutes = forms.IntegerField(label="学习时长（分钟，按实际时长计学时）", min_value=1, max_value=24 * 60, initial=20)
    published_on = forms.DateField(label="发布日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    url = forms.CharField(label="链接（视频、链接、PDF）", max_length=500, required=False)
    body = forms.CharField(label="正文（图文）", required=False, widget=forms.Textarea(attrs={"rows": 10}))


class CourseForm(StyledForm):
    title = forms.CharField(label="培训名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=Course.Kind.choices)
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    hours = forms.DecimalField(label="学时（1 学时 = 45 分钟）", max_digits=5, decimal_places=1)
    location = forms.CharField(label="地点", max_length=100, required=False)
    lessons = forms.CharField(label="课程安排（每行：课程|授课人）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label="培训内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_lessons(self):
        out = []
        for n, line in enumerate(self.cleaned_data["lessons"].splitlines(), start=1):
            if not line.strip():
                continue
            title, _, teacher = line.replace("｜", "|").partition("|")
            out.append({"title": title.strip(), "teacher": teacher.strip()})
        return out


class AttendanceForm(StyledForm):
    member_ids = forms.TypedMultipleChoiceField(label="参训党员", coerce=int, widget=forms.CheckboxSelectMultiple)
    hours = forms.DecimalField(label="认定学时（不填则按培训学时）", max_digits=5, decimal_places=1, required=False)
    certificate_no = forms.CharField(label="结业证书编号", max_length=50, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_ids"].choices = [(m.id, f"{m.name}（{m.org.name}）") for m in members]


class QuestionForm(StyledForm):
    text = forms.CharField(label="题目", max_length=500)
    choices = forms.CharField(label="选项（每行一个，正确选项前加 *）", widget=forms.Textarea(attrs={"rows": 4}),
                              initial="*正确选项\n错误选项")

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()]
        data["choice_list"] = [line.lstrip("*").strip() for line in lines]
        data["answer"] = [i for i, line in enumerate(lines) if line.startswith("*")]
        return data


class QuizForm(StyledForm):
    title = forms.CharField(label="名称", max_length=200)
    question_ids = forms.TypedMultipleChoiceField(label="题库中的题目", coerce=int,
                                                  widget=forms.CheckboxSelectMultiple)
    question_count = forms.IntegerField(label="每人随机抽题数", min_value=1, max_value=200, initial=5)
    pass_score = forms.DecimalField(label="及格分（百分制）", max_digits=5, decimal_places=2, initial=60)
    deadline = forms.DateTimeField(label="截止时间", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    credit_hours = forms.DecimalField(label="通过后认定学时", max_digits=4, decimal_places=2, initial=0)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_ids"].choices = [(q.id, q.text) for q in questions]
