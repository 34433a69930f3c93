import os

os.environ.setdefault("DANGJIAN_TESTING", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by browser tests
# are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
