from datetime import date

from dangjian.core.idnumber import generate_id_number

_seq = iter(range(1, 100000))


def member_data(**overrides) -> dict:
    """Valid data for member_create: a full member born 1980 who joined at 25."""
    birth = overrides.pop("birth", date(1980, 5, 17))
    gender = overrides.get("gender", "M")
    data = {
        "name": "张三", "gender": gender, "birth_date": birth,
        "id_number": generate_id_number(birth_date=birth, gender=gender, seq=next(_seq) % 499),
        "phone": "13800138000", "stage": "full", "joined_on": date(2005, 7, 1), "full_on": date(2006, 7, 1),
        "education": "bachelor",
    }
    data.update(overrides)
    return data
