"""Input formats for zh-hans with ISO first.

Django's zh_Hans locale renders form dates as 2016/09/05, which an <input type="date"> (and datetime-local)
cannot show: every edit form would come back with its dates blank and silently lose them. The browser's own
controls speak ISO 8601, so it is the first (rendering) format; the Chinese forms are still accepted.
"""
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05' (what <input type="date"> sends and shows)
    "%Y/%m/%d",  # '2016/09/05'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # '2016-09-05T20:45' (<input type="datetime-local">)
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
]
