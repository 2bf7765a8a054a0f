"""Pages and /docs run in Chromium under the content policy: a blocked script or style is a console error."""


def test_docs_and_pages_run_under_the_policy_without_a_violation(page):
    page.goto("/docs")
    page.wait_for_selector(".opblock", timeout=15000)  # Swagger UI drew the API's operations
    page.goto("/")
    page.fill("input[name=name]", "Browser project")
    page.click("form[action='/projects'] button[type=submit]")
    page.wait_for_url("**/projects/*")
    page.goto(page.url + "/activity")
    with page.expect_navigation(timeout=10000):
        page.select_option("select[name=kind]", index=1)  # sends its form without an inline handler
    assert "kind=" in page.url
