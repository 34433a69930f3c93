"""Browser tests: the fixtures (browser, page, phone) live in the project's root conftest.py."""
from dangjian.core.testing import browser_login as login  # noqa: F401  (kept for the tests importing it here)
