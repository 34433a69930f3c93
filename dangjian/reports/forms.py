from django import forms

from . import prefill, rules
from .models import ReportTask

FIELDS_HELP = ("每行一个字段：名称|类型|数据来源|选项。类型为整数、小数、文本、日期或选项；名称后加 * 表示必填；"
               "数据来源可留空，填写后各组织打开报表时自动预填本组织数据。")
EXAMPLE = "党员总数*|整数|members.count_on_rolls\n本年发展党员数|整数|members.admitted_year\n党支部书记姓名*|文本\n" \
          "书记是否兼任村（居）委会主任|选项||是、否"


SHEET_HELP = ("上传 .xlsx 模板（不超过 2 MB）：用“公式 → 名称管理器”为要填写的单元格命名（每个名称一个单元格），"
              "或在前 20 行内放一行表头（各组织填写表头下一行，表头为“填报单位”的列自动填组织名称）。")
SHEET_FIELDS_HELP = ("Excel 模板可不填：名称与数据来源含义相同的字段自动预填，其余按文本填写；"
                     "如需指定类型、必填或预填来源，按“名称|类型|数据来源|选项”写，名称须与模板中的名称或表头一致。")


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label="模板类型", choices=ReportTask.Kind.choices, initial=ReportTask.Kind.FORM,
                             required=False)  # absent (API-like posts, older pages): a form task
    title = forms.CharField(label="报表名称", max_length=100)
    deadline = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.ChoiceField(label="填报范围", choices=ReportTask.Target.choices)
    instructions = forms.CharField(label="填报说明", required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    template = forms.FileField(label="Excel 模板", required=False, help_text=SHEET_HELP,
                               widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    fields_text = forms.CharField(label="报表字段", help_text=FIELDS_HELP + SHEET_FIELDS_HELP, max_length=6000,
                                  required=False,
                                  widget=forms.Textarea(attrs={"rows": 8, "placeholder": EXAMPLE}))

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or ReportTask.Kind.FORM
        if data["kind"] == ReportTask.Kind.SHEET:
            if (data.get("fields_text") or "").split() == EXAMPLE.split():
                data["fields_text"] = ""  # the form's example left as it was: not a field setting
            if not data.get("template"):
                self.add_error("template", "请上传 Excel 模板（.xlsx）")
        elif not (data.get("fields_text") or "").strip():
            self.add_error("fields_text", "请至少填写一个报表字段")
        return data


class SheetUploadForm(forms.Form):
    file = forms.FileField(label="填好的 Excel 表格", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class SubmissionForm(forms.Form):
    """One input per template field; values are typed and checked by the service (rules.clean_value)."""

    def __init__(self, *args, fields: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for f in fields:
            label = f["label"]
            if f.get("source") and f["source"] in prefill.SOURCES:
                help_text = f"已按本组织数据预填（{prefill.SOURCES[f['source']][0]}），可修改"
            else:
                help_text = ""
            if f["type"] == "choice":
                field = forms.ChoiceField(label=label, required=False, help_text=help_text,
                                          choices=[("", "—— 请选择 ——")] + [(c, c) for c in f["choices"]])
            elif f["type"] == "text":
                field = forms.CharField(label=label, required=False, help_text=help_text,
                                        max_length=rules.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
            elif f["type"] == "date":
                field = forms.CharField(label=label, required=False, help_text=help_text,
                                        widget=forms.DateInput(attrs={"type": "date"}))
            else:
                field = forms.CharField(label=label, required=False, help_text=help_text,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            if f.get("required"):
                field.label = f"{label} *"
            self.fields[f["key"]] = field
