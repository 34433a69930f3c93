import os

os.environ.setdefault("DANGJIAN_TESTING", "1")
