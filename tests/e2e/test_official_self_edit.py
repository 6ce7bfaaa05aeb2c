"""Issue 13 in Chromium: a supervisor cannot change their own authority. Their own official
opens read-only in the admin (no authority to choose, nothing to save); a change posted
anyway, with the page's own CSRF token, is refused with 403 and changes nothing. The
officials of an authority they do not oversee are not even listed."""

import pytest

from sanctions.models import AuditEvent, Authority, Official
from tests.e2e.conftest import pass_second_factor
from tests.factories import make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("input[type=submit]").click()
    pass_second_factor(page, username)


def post_form(page, **fields):
    """Post `fields` to the page's own URL from inside the page, as a crafted form would,
    with the CSRF token of the session."""
    page.evaluate(
        """(fields) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = window.location.pathname;
            const cookie = document.cookie.split('; ').find(c => c.startsWith('csrftoken='));
            const all = {...fields, _save: '1', csrfmiddlewaretoken: cookie.split('=')[1]};
            for (const [name, value] of Object.entries(all)) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        fields,
    )


def test_a_supervisor_cannot_change_their_own_authority(browser, live_server, catalog, screenshot):
    base = live_server.url
    supervisor = make_official(role="supervisor", authority_code="bj-dongcheng-court")
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    tax_clerk = make_official(role="clerk", authority_code="bj-dongcheng-tax")
    own = Official.objects.get(user=supervisor)
    elsewhere = Authority.objects.get(code="spc")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, supervisor.username)

    # the list: the court's officials, not the tax bureau's
    page.goto(f"{base}/admin/sanctions/official/")
    listing = page.locator("#result_list").inner_text()
    assert supervisor.username in listing and clerk.username in listing
    assert tax_clerk.username not in listing

    # their own official: read-only
    page.locator("#result_list a", has_text=supervisor.username).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/sanctions/official/{own.pk}/change/")
    assert page.locator("select[name=authority]").count() == 0
    assert page.locator("input[name=_save]").count() == 0
    assert "北京市东城区人民法院" in page.locator("#content").inner_text()
    screenshot(page, "official-own-account-read-only-zh")

    # a clerk of the court: the authority offered is the court only
    page.goto(f"{base}/admin/sanctions/official/{Official.objects.get(user=clerk).pk}/change/")
    offered = page.locator("select[name=authority] option").all_inner_texts()
    assert [o for o in offered if o.strip("-")] == ["北京市东城区人民法院"]

    # back on their own page, post a change of authority anyway (a forged form, with the
    # page's CSRF token): refused, and nothing changes
    page.goto(f"{base}/admin/sanctions/official/{own.pk}/change/")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        post_form(
            page,
            user=str(supervisor.pk),
            authority=str(elsewhere.pk),
            title="President",
            roles="supervisor",
        )
    assert posted.value.status == 403
    assert "CSRF" not in posted.value.text()  # refused for who it is, not for a bad token
    page.wait_for_load_state()
    screenshot(page, "official-own-authority-change-refused")
    own.refresh_from_db()
    assert own.authority.code == "bj-dongcheng-court" and own.title == ""
    assert list(supervisor.groups.values_list("name", flat=True)) == ["supervisor"]
    assert not AuditEvent.objects.filter(action__startswith="official.").exists()

    # the same forged form on the clerk's page goes through (the supervisor manages the
    # clerk): the refusal above was the rule, not the way the form was sent
    page.goto(f"{base}/admin/sanctions/official/{Official.objects.get(user=clerk).pk}/change/")
    court = Authority.objects.get(code="bj-dongcheng-court")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        post_form(page, authority=str(court.pk), title="", roles="reviewer")
    assert posted.value.status == 302
    page.wait_for_load_state()
    assert list(clerk.groups.values_list("name", flat=True)) == ["reviewer"]

    # the tax bureau's clerk is not found at all
    response = page.goto(
        f"{base}/admin/sanctions/official/{Official.objects.get(user=tax_clerk).pk}/change/"
    )
    assert response.status == 404
    context.close()
