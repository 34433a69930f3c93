"""Browser test (Playwright, Debian chromium): a member claims a post on his phone, the secretary confirms it,
the 《党员领岗协议书》 prints and the public list shows the holder."""
import os
import shutil

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from dangjian.accounts.models import Role
from dangjian.core.testing import PASSWORD, make_tree, make_user
from dangjian.volunteers.models import Post, PostClaim

from .base import make_member

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="需要 Debian 的 chromium")]


class ClaimFlowBrowserTests(StaticLiveServerTestCase):
    @pytest.fixture(autouse=True)
    def _browser(self, browser):
        self.browser = browser  # the root conftest's session browser (one Playwright per session)

    def setUp(self):
        tree = make_tree()
        self.branch_one = tree["branch_one"]
        self.community = tree["community"]
        self.li = make_user("li", self.branch_one, Role.Kind.SECRETARY)
        self.zhao = make_user("zhao", self.branch_one, Role.Kind.MEMBER)
        make_member(self.branch_one, "李秀英", user=self.li)
        make_member(self.branch_one, "赵志强", user=self.zhao)
        self.post = Post.objects.create(org=self.branch_one, title="楼院环境巡查岗", capacity=2, duty="巡查楼院卫生",
                                        schedule="每周六上午")

    def login(self, username, mobile=False):
        ctx = self.browser.new_context(viewport={"width": 390, "height": 844} if mobile else None)
        page = ctx.new_page()
        page.goto(self.live_server_url + "/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return ctx, page

    def test_member_claims_and_secretary_confirms(self):
        ctx, page = self.login("zhao", mobile=True)
        page.goto(self.live_server_url + "/volunteers/me/")
        page.click(f"a[href='/volunteers/posts/{self.post.id}/']")
        page.fill("#pledge", "每周六上午巡查楼院，发现问题及时劝导")
        page.click("#claim-btn")
        page.wait_for_selector("text=待社区确认")
        self.assertEqual(PostClaim.objects.get().state, "pending")
        ctx.close()

        ctx, page = self.login("li")
        page.goto(self.live_server_url + "/volunteers/posts/")
        claim = PostClaim.objects.get()
        page.click(f"#claim-{claim.id} button:has-text('确认')")
        page.wait_for_selector("text=已确认 赵志强 领岗")
        claim.refresh_from_db()
        self.assertEqual(claim.state, "confirmed")
        page.goto(f"{self.live_server_url}/volunteers/posts/{self.post.id}/")
        self.assertEqual(page.inner_text("#held"), "1/2")
        with ctx.expect_page() as new_page:
            page.click(f"#claim-{claim.id} a:has-text('协议书')")
        agreement = new_page.value
        agreement.wait_for_load_state()
        body = agreement.inner_text("body")
        self.assertIn("党员领岗协议书", body)
        self.assertIn("赵志强", body)
        self.assertIn(claim.agreement_no, body)
        ctx.close()

        public = self.browser.new_page()
        public.goto(f"{self.live_server_url}/volunteers/public/{self.community.id}/posts/")
        self.assertIn("赵志强", public.inner_text("body"))
        public.close()
