"""Enumerations of the member record (GLOSSARY names; Chinese labels as offices write them)."""
from django.db import models

# 56 ethnic groups (GB 3304) + 其他 / 外国血统.
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
    "其他", "外国血统",
]
ETHNICITY_CHOICES = [(e, e) for e in ETHNICITIES]


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Stage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class Status(models.TextChoices):
    NORMAL = "normal", "正常"
    MOBILE = "mobile", "流动"
    LOST_CONTACT = "lost_contact", "失联"
    SUSPENDED = "suspended", "停止党籍"
    LAPSED = "lapsed", "自行脱党"
    EXPELLED = "expelled", "除名/开除"
    TRANSFERRED_OUT = "transferred_out", "已转出"
    DECEASED = "deceased", "去世"
    CANCELLED = "cancelled", "取消预备党员资格"  # set by recruitment when a conversion vote cancels


# Statuses that leave the member on the rolls of the branch (counted, expected at meetings).
ACTIVE_STATUSES = [Status.NORMAL, Status.MOBILE, Status.LOST_CONTACT]


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专"
    HIGH_SCHOOL = "high_school", "高中"
    JUNIOR = "junior", "初中及以下"


class Degree(models.TextChoices):
    DOCTOR = "doctor", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"
    NONE = "none", "无"
