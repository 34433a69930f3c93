"""Screenshots of pages for a visual check: python scripts/screenshots.py BASE_URL USER PASS OUTDIR PATH...

Takes each path at desktop (1280) and phone (390) width with Debian's Chromium.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main():
    base, user, password, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for label, viewport in [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})]:
            page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_") or "home"
                page.screenshot(path=str(out / f"{name}.{label}.png"), full_page=label == "desktop")
                print(out / f"{name}.{label}.png")
        browser.close()


if __name__ == "__main__":
    main()
