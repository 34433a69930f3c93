"""The printable 入党材料档案: a cover and an index (目录) of the documents, A4 portrait, rendered by
WeasyPrint with the Debian CJK fonts the other PDFs use (WenQuanYi Micro Hei / AR PL UMing CN; DESIGN.md:
Noto CJK would make it take 30 s)."""
from django.template.loader import render_to_string
from django.utils import timezone

PDF_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm;
  @bottom-center { content: counter(page); font-size: 9pt; color: #555;
    font-family: "WenQuanYi Micro Hei", "AR PL UMing CN", sans-serif; } }
@page cover { @bottom-center { content: none; } }
body { font-family: "WenQuanYi Micro Hei", "AR PL UMing CN", sans-serif; font-size: 10.5pt; color: #111; }
.cover { page: cover; page-break-after: always; text-align: center; padding-top: 12mm; }
.cover .org { font-size: 14pt; letter-spacing: 2pt; }
.cover h1 { font-size: 30pt; letter-spacing: 10pt; margin: 16mm 0 18mm; color: #b3141b; }
.cover table { margin: 0 auto; border-collapse: collapse; font-size: 13pt; }
.cover td { padding: 2.2mm 2mm; text-align: left; }
.cover td.k { width: 38mm; text-align: justify; text-align-last: justify; }
.cover td.v { width: 78mm; border-bottom: 0.6pt solid #333; }
.cover .foot { margin-top: 16mm; font-size: 12pt; }
h2 { text-align: center; font-size: 18pt; letter-spacing: 8pt; margin: 0 0 5mm; }
.meta { font-size: 9.5pt; margin-bottom: 3mm; }
table.index { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.index thead { display: table-header-group; }
table.index tr { page-break-inside: avoid; }
table.index th, table.index td { border: 0.6pt solid #444; padding: 1.6mm 1.2mm; vertical-align: middle;
  overflow-wrap: break-word; }
table.index th { background: #f3d9d9; font-weight: bold; text-align: center; }
td.c { text-align: center; }
td.missing { color: #b3141b; font-weight: bold; }
tr.phase td { background: #f6f6f6; font-weight: bold; }
.sum { margin-top: 3mm; font-size: 9.5pt; }
.sign { margin-top: 10mm; width: 100%; font-size: 10.5pt; }
.sign td { border: none; }
"""


def _d(value) -> str:
    return f"{value:%Y.%m.%d}" if value else ""


def dossier_context(d) -> dict:
    from .steps import PHASES, STEP_BY_CODE

    p = d.pipeline
    s = p.evaluation.state
    rows, n = [], 0
    for name, lo, hi in PHASES:
        rows.append({"phase": name})
        for item in sorted((i for i in d.items if lo <= i.num <= hi), key=lambda i: i.num):
            n += 1
            days = sorted(set(item.dates))
            dates = "、".join(_d(x) for x in days) if len(days) <= 2 else f"{_d(days[0])} 至 {_d(days[-1])}"
            if item.doc.per == "quarter":
                count = f"{item.received}/{item.required}" if item.required else str(item.received or "")
            else:
                count = str(item.received) if item.status != "not_yet" or item.received else ""
            rows.append({"n": n, "label": item.doc.label, "step": f"{item.num}. {STEP_BY_CODE[item.doc.step].label}",
                         "dates": dates, "count": count, "status": item.status, "status_label": item.status_label,
                         "auto": item.doc.auto})
    member = p.member
    return {
        "css": PDF_CSS, "m": member, "org": member.org, "rows": rows, "summary": d.summary,
        "cover": [("姓名", member.name), ("性别", member.get_gender_display()), ("出生日期", _d(member.birth_date)),
                  ("所在党支部", member.org.name), ("工作单位", member.unit_name or ""),
                  ("申请入党日期", _d(s.applied_on)), ("确定积极分子", _d(s.activist_on)),
                  ("确定发展对象", _d(p.evaluation.state.last["candidate_designation"].date
                                      if "candidate_designation" in s.last else None)),
                  ("入党日期", _d(s.joined_on)), ("转正日期", _d(s.full_on)),
                  ("培养联系人", "、".join(d.sponsors)), ("入党介绍人", "、".join(d.introducers))],
        "file_no": f"FZ-{member.org_id:04d}-{member.id:06d}", "today": timezone.localdate(),
        "stage": member.get_stage_display(),
    }


def dossier_pdf(d) -> bytes:
    from dangjian.core.files import render_pdf

    return render_pdf(render_to_string("recruitment/dossier_pdf.html", dossier_context(d)))
