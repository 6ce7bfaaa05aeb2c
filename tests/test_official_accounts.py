"""Who may place officials and give roles (issue 13, "a supervisor can move their own account
to any authority"): the rules live in `sanctions.services.accounts` and the admin only offers
what they allow. Every refusal is checked to change nothing and write no audit row."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent, Authority, Official
from sanctions.registry.services import officials as accounts
from tests.factories import UserFactory, make_official, the_event

pytestmark = pytest.mark.django_db

User = get_user_model()


def authority(code: str) -> Authority:
    return Authority.objects.get(code=code)


def official(user) -> Official:
    return Official.objects.select_related("authority").get(user=user)


def roles(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def change_url(user) -> str:
    return reverse("admin:sanctions_official_change", args=[official(user).pk])


def form(code: str, *role_names: str, title: str = "") -> dict:
    return {"authority": str(authority(code).pk), "title": title, "roles": list(role_names)}


@pytest.fixture
def court(catalog):
    """The Beijing No. 2 Intermediate Court oversees the Dongcheng and Xicheng courts."""
    return {
        "intermediate_supervisor": make_official(
            role="supervisor", authority_code="bj-2nd-intermediate-court"
        ),
        "supervisor": make_official(role="supervisor", authority_code="bj-dongcheng-court"),
        "peer": make_official(
            role="supervisor", authority_code="bj-dongcheng-court", username="dongcheng.supervisor2"
        ),
        "clerk": make_official(role="clerk", authority_code="bj-dongcheng-court"),
        "xicheng_clerk": make_official(role="clerk", authority_code="bj-xicheng-court"),
        "tax_clerk": make_official(role="clerk", authority_code="bj-dongcheng-tax"),
        "tax_supervisor": make_official(role="supervisor", authority_code="bj-dongcheng-tax"),
    }


@pytest.fixture
def fresh_account(db):
    """A staff account the operator opened for a new official, not placed yet."""
    return UserFactory(username="new.official", is_staff=True)


def nothing_audited() -> bool:
    return not AuditEvent.objects.filter(action__startswith="official.").exists()


# --- the service


def test_a_supervisor_cannot_move_their_own_account(court):
    supervisor = court["supervisor"]
    for code in ("spc", "bj-2nd-intermediate-court", "bj-dongcheng-tax"):
        with pytest.raises(ApplicationError) as refused:
            accounts.official_save(
                actor=supervisor,
                official=official(supervisor),
                authority=authority(code),
                roles=["supervisor"],
            )
        assert refused.value.code == "forbidden"
    # nor change their own roles or title
    with pytest.raises(ApplicationError):
        accounts.official_save(
            actor=supervisor,
            official=official(supervisor),
            authority=authority("bj-dongcheng-court"),
            roles=["supervisor", "reviewer"],
            title="President",
        )
    assert official(supervisor).authority.code == "bj-dongcheng-court"
    assert official(supervisor).title == "" and roles(supervisor) == ["supervisor"]
    assert nothing_audited()


def test_the_operator_cannot_change_their_own_official_either(court, superuser):
    Official.objects.create(user=superuser, authority=authority("spc"))
    with pytest.raises(ApplicationError):
        accounts.official_save(
            actor=superuser, official=official(superuser), authority=authority("bj-dongcheng-court")
        )
    assert official(superuser).authority.code == "spc"


def test_a_supervisor_manages_only_officials_of_the_authorities_they_oversee(court):
    supervisor = court["supervisor"]
    for other in ("xicheng_clerk", "tax_clerk", "intermediate_supervisor"):
        with pytest.raises(ApplicationError, match="do not oversee"):
            accounts.official_save(
                actor=supervisor,
                official=official(court[other]),
                authority=authority("bj-dongcheng-court"),
                roles=["clerk"],
            )
    # their own clerk: yes, but only into an authority they oversee
    with pytest.raises(ApplicationError) as refused:
        accounts.official_save(
            actor=supervisor,
            official=official(court["clerk"]),
            authority=authority("bj-xicheng-court"),
            roles=["clerk"],
        )
    assert "authority" in refused.value.message_dict
    assert official(court["clerk"]).authority.code == "bj-dongcheng-court"
    assert nothing_audited()
    saved = accounts.official_save(
        actor=supervisor,
        official=official(court["clerk"]),
        authority=authority("bj-dongcheng-court"),
        roles=["reviewer"],
        title="Judge assistant",
    )
    assert roles(court["clerk"]) == ["reviewer"] and saved.title == "Judge assistant"
    event = the_event("official.update", saved)
    assert event.actor == supervisor
    assert event.old_values == {"title": "", "roles": ["clerk"]}
    assert event.new_values == {"title": "Judge assistant", "roles": ["reviewer"]}


def test_a_higher_supervisor_moves_officials_between_the_bodies_below(court):
    higher = court["intermediate_supervisor"]
    saved = accounts.official_save(
        actor=higher,
        official=official(court["clerk"]),
        authority=authority("bj-xicheng-court"),
        roles=["clerk"],
    )
    assert saved.authority.code == "bj-xicheng-court"
    event = the_event("official.update", saved)
    assert event.old_values == {"authority": "bj-dongcheng-court"}
    assert event.new_values == {"authority": "bj-xicheng-court"}
    # and may make someone a supervisor of a body below, and manage its supervisors
    accounts.official_save(
        actor=higher,
        official=official(court["xicheng_clerk"]),
        authority=authority("bj-xicheng-court"),
        roles=["supervisor"],
    )
    assert roles(court["xicheng_clerk"]) == ["supervisor"]
    accounts.official_save(
        actor=higher,
        official=official(court["peer"]),
        authority=authority("bj-dongcheng-court"),
        roles=["reviewer"],
    )
    assert roles(court["peer"]) == ["reviewer"]


def test_nobody_makes_a_peer_or_a_superior(court):
    supervisor, higher = court["supervisor"], court["intermediate_supervisor"]
    # a supervisor of one's own authority: only the operator or a higher supervisor
    with pytest.raises(ApplicationError) as refused:
        accounts.official_save(
            actor=supervisor,
            official=official(court["clerk"]),
            authority=authority("bj-dongcheng-court"),
            roles=["clerk", "supervisor"],
        )
    assert "roles" in refused.value.message_dict
    assert roles(court["clerk"]) == ["clerk"]
    # the other supervisor of the same court is a peer: left alone
    with pytest.raises(ApplicationError, match="own authority"):
        accounts.official_save(
            actor=supervisor,
            official=official(court["peer"]),
            authority=authority("bj-dongcheng-court"),
            roles=["clerk"],
        )
    with pytest.raises(ApplicationError, match="own authority"):
        accounts.official_delete(actor=supervisor, official=official(court["peer"]))
    assert roles(court["peer"]) == ["supervisor"]
    # a supervisor of a body below is not moved up beside the higher supervisor
    with pytest.raises(ApplicationError) as refused:
        accounts.official_save(
            actor=higher,
            official=official(supervisor),
            authority=authority("bj-2nd-intermediate-court"),
            roles=["supervisor"],
        )
    assert "roles" in refused.value.message_dict
    assert official(supervisor).authority.code == "bj-dongcheng-court"
    # no role outside the officials' three
    with pytest.raises(ApplicationError):
        accounts.official_save(
            actor=supervisor,
            official=official(court["clerk"]),
            authority=authority("bj-dongcheng-court"),
            roles=["clerk", "auditor"],
        )
    assert nothing_audited()


def test_only_the_operator_or_a_supervisor_manages_officials(court, fresh_account):
    for actor in (None, court["clerk"]):
        with pytest.raises(ApplicationError, match="operator or a supervisor"):
            accounts.official_save(
                actor=actor,
                official=official(court["tax_clerk"]),
                authority=authority("bj-dongcheng-court"),
            )
        with pytest.raises(ApplicationError, match="operator or a supervisor"):
            accounts.official_save(
                actor=actor, user=fresh_account, authority=authority("bj-dongcheng-court")
            )
    # a supervisor role on a deactivated account counts for nothing
    supervisor = court["supervisor"]
    User.objects.filter(pk=supervisor.pk).update(is_active=False)
    supervisor.refresh_from_db()
    with pytest.raises(ApplicationError):
        accounts.official_save(
            actor=supervisor,
            official=official(court["clerk"]),
            authority=authority("bj-dongcheng-court"),
            roles=["reviewer"],
        )
    assert roles(court["clerk"]) == ["clerk"] and nothing_audited()


def test_a_supervisor_places_only_accounts_the_operator_opened_for_an_official(
    court, fresh_account, superuser
):
    supervisor = court["supervisor"]
    citizen_account = UserFactory(username="citizen-1")  # a portal account: not staff
    auditor = UserFactory(username="court.auditor", is_staff=True)
    auditor.groups.add(Group.objects.get_or_create(name="auditor")[0])
    privileged = UserFactory(username="helpdesk", is_staff=True)
    privileged.user_permissions.add(Permission.objects.get(codename="change_user"))
    operator = UserFactory(username="second-operator", is_staff=True, is_superuser=True)
    for account in (citizen_account, auditor, privileged, operator, court["tax_clerk"], supervisor):
        with pytest.raises(ApplicationError) as refused:
            accounts.official_save(
                actor=supervisor,
                user=account,
                authority=authority("bj-dongcheng-court"),
                roles=["clerk"],
            )
        assert "user" in refused.value.message_dict, account
    assert not Official.objects.filter(user__in=[citizen_account, auditor, operator]).exists()
    assert nothing_audited()
    created = accounts.official_save(
        actor=supervisor,
        user=fresh_account,
        authority=authority("bj-dongcheng-court"),
        roles=["clerk"],
        title="Clerk",
    )
    assert created.authority.code == "bj-dongcheng-court" and roles(fresh_account) == ["clerk"]
    event = the_event("official.create", created)
    assert event.actor == supervisor
    assert event.new_values == {
        "user": "new.official",
        "authority": "bj-dongcheng-court",
        "title": "Clerk",
        "roles": ["clerk"],
    }
    # the operator may place the auditor (a role only the operator manages)...
    accounts.official_save(
        actor=superuser, user=auditor, authority=authority("bj-dongcheng-court"), roles=[]
    )
    assert roles(auditor) == ["auditor"]  # groups outside the three are left as they were
    # ...and then a supervisor cannot move it
    with pytest.raises(ApplicationError, match="only the operator"):
        accounts.official_save(
            actor=supervisor,
            official=official(auditor),
            authority=authority("bj-dongcheng-court"),
            roles=["clerk"],
        )


def test_removing_an_official_takes_the_roles_and_is_audited(court):
    clerk = court["clerk"]
    row = official(clerk)
    accounts.official_delete(actor=court["supervisor"], official=row)
    assert not Official.objects.filter(user=clerk).exists() and roles(clerk) == []
    event = AuditEvent.objects.get(action="official.delete", object_id=str(row.pk))
    assert event.old_values == {
        "user": clerk.username,
        "authority": "bj-dongcheng-court",
        "title": "",
        "roles": ["clerk"],
    }
    with pytest.raises(ApplicationError):
        accounts.official_delete(actor=court["supervisor"], official=official(court["tax_clerk"]))
    with pytest.raises(ApplicationError):
        accounts.official_delete(actor=court["supervisor"], official=official(court["supervisor"]))
    assert Official.objects.filter(user__in=[court["tax_clerk"], court["supervisor"]]).count() == 2


# --- the Official admin


def test_a_supervisor_posting_their_own_official_with_another_authority_is_refused(client, court):
    supervisor = court["supervisor"]
    client.force_login(supervisor)
    page = client.get(change_url(supervisor))
    # their own row opens read-only: no authority to choose, nothing to save
    assert page.status_code == 200
    assert 'name="authority"' not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    # the whole form as the admin used to offer it (this moved the account before the fix)
    for code in ("spc", "bj-dongcheng-tax"):
        data = {**form(code, "supervisor"), "user": str(supervisor.pk), "_save": "1"}
        assert client.post(change_url(supervisor), data).status_code == 403
    assert official(supervisor).authority.code == "bj-dongcheng-court"
    assert roles(supervisor) == ["supervisor"] and nothing_audited()


def test_officials_of_another_authority_are_not_found(client, court):
    client.force_login(court["supervisor"])
    for other in ("tax_clerk", "xicheng_clerk", "intermediate_supervisor"):
        assert client.get(change_url(court[other])).status_code == 404
        data = {**form("bj-dongcheng-court", "clerk"), "user": str(court[other].pk)}
        assert client.post(change_url(court[other]), data).status_code == 404
        delete = reverse("admin:sanctions_official_delete", args=[official(court[other]).pk])
        assert client.post(delete, {"post": "yes"}).status_code == 404
    assert official(court["tax_clerk"]).authority.code == "bj-dongcheng-tax"
    assert Official.objects.count() == 7 and nothing_audited()
    listing = client.get(reverse("admin:sanctions_official_changelist")).content.decode()
    assert court["clerk"].username in listing and court["peer"].username in listing
    assert court["tax_clerk"].username not in listing
    assert court["xicheng_clerk"].username not in listing


def test_the_admin_form_offers_only_what_the_supervisor_may_assign(client, court, fresh_account):
    client.force_login(court["supervisor"])
    response = client.get(change_url(court["clerk"]))
    authority_field = response.context["adminform"].form.fields["authority"]
    assert [a.code for a in authority_field.queryset] == ["bj-dongcheng-court"]
    add = client.get(reverse("admin:sanctions_official_add"))
    user_field = add.context["adminform"].form.fields["user"]
    assert list(user_field.queryset) == [fresh_account]
    # forged choices are refused as field errors, and nothing changes
    response = client.post(change_url(court["clerk"]), form("bj-dongcheng-tax", "clerk"))
    assert response.status_code == 200 and response.context["adminform"].form.errors["authority"]
    response = client.post(change_url(court["clerk"]), form("bj-dongcheng-court", "supervisor"))
    assert response.status_code == 200 and "roles" in response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:sanctions_official_add"),
        {"user": str(court["tax_clerk"].pk), **form("bj-dongcheng-court")},
    )
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert roles(court["clerk"]) == ["clerk"] and nothing_audited()
    # the peer supervisor's row is read-only too
    response = client.post(change_url(court["peer"]), form("bj-dongcheng-court", "clerk"))
    assert response.status_code == 403 and roles(court["peer"]) == ["supervisor"]
    # what is allowed goes through the service (audited)
    response = client.post(change_url(court["clerk"]), form("bj-dongcheng-court", "reviewer"))
    assert response.status_code == 302
    assert roles(court["clerk"]) == ["reviewer"]
    assert the_event("official.update", official(court["clerk"])).actor == court["supervisor"]
    response = client.post(
        reverse("admin:sanctions_official_add"),
        {"user": str(fresh_account.pk), **form("bj-dongcheng-court", "clerk")},
    )
    assert response.status_code == 302 and official(fresh_account).authority.code == (
        "bj-dongcheng-court"
    )


def test_bulk_removal_refuses_all_if_one_is_not_the_actors_to_remove(client, court, superuser):
    def delete_selected(officials):
        return client.post(
            reverse("admin:sanctions_official_changelist"),
            {
                "action": "delete_selected",
                "post": "yes",
                "_selected_action": [str(o.pk) for o in officials],
            },
        )

    # supervisors hold no delete permission: the action is not there for them
    client.force_login(court["supervisor"])
    delete_selected([official(court["clerk"])])
    assert Official.objects.filter(user=court["clerk"]).exists()
    # the operator's own official among those chosen: none is removed
    Official.objects.create(user=superuser, authority=authority("spc"))
    client.force_login(superuser)
    chosen = [official(court["clerk"]), official(superuser)]
    assert delete_selected(chosen).status_code == 403
    assert Official.objects.filter(pk__in=[o.pk for o in chosen]).count() == 2
    assert nothing_audited()
    assert delete_selected(chosen[:1]).status_code == 302
    assert not Official.objects.filter(user=court["clerk"]).exists()
    assert the_event("official.delete", chosen[0]).actor == superuser


def test_a_clerk_has_no_official_admin(client, court):
    client.force_login(court["clerk"])
    assert client.get(change_url(court["clerk"])).status_code == 403
    response = client.post(change_url(court["clerk"]), form("spc", "supervisor"))
    assert response.status_code == 403
    assert official(court["clerk"]).authority.code == "bj-dongcheng-court"
    assert roles(court["clerk"]) == ["clerk"]


# --- users and groups


def test_user_accounts_are_the_operators_whatever_permissions_a_supervisor_holds(client, court):
    supervisor = court["supervisor"]
    for codename in ("view_user", "change_user", "add_user", "change_group", "view_group"):
        supervisor.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(supervisor)
    clerk = court["clerk"]
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"username": clerk.username, "is_active": "on", "is_staff": "on", "is_superuser": "on"}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    group = Group.objects.get(name="supervisor")
    assert client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 403
    clerk.refresh_from_db()
    assert not clerk.is_superuser and roles(clerk) == ["clerk"]
    # the service says the same to any caller
    with pytest.raises(ApplicationError, match="Only the operator"):
        accounts.account_access_check(actor=supervisor, user=clerk, new={"is_superuser": True})


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on" if user.is_superuser else None,
        "groups": [str(g.pk) for g in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_nobody_changes_their_own_access_in_the_users_admin(client, catalog, superuser):
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[superuser.pk])
    supervisor_role = Group.objects.get(name="supervisor")
    for changes in (
        {"is_superuser": None},
        {"is_staff": None},
        {"groups": [str(supervisor_role.pk)]},
    ):
        response = client.post(url, _user_form(superuser, **changes))
        assert response.status_code == 200, changes  # the form, with the refusal
        assert "their own account" in response.content.decode()
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_staff and roles(superuser) == []
    # their name, yes
    response = client.post(url, _user_form(superuser, first_name="Operator"))
    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.first_name == "Operator" and superuser.is_superuser
    # and nobody deletes their own account
    delete = reverse("admin:auth_user_delete", args=[superuser.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=superuser.pk).exists()


def test_the_operator_makes_another_operator_and_it_is_audited(client, court, superuser):
    client.force_login(superuser)
    clerk = court["clerk"]
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    response = client.post(url, _user_form(clerk, is_superuser="on"))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_superuser
    event = AuditEvent.objects.get(action="user.access_change", object_id=str(clerk.pk))
    assert event.old_values == {"is_superuser": False} and event.new_values == {
        "is_superuser": True
    }


def test_changing_a_role_in_the_groups_admin_is_the_operators_and_audited(
    client, catalog, superuser
):
    client.force_login(superuser)
    group = Group.objects.get(name="clerk")
    before = sorted(group.permissions.values_list("codename", flat=True))
    kept = list(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="delete_user")
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "clerk", "permissions": [str(pk) for pk in [*kept, extra.pk]]},
    )
    assert response.status_code == 302
    event = the_event("group.update", group)
    assert event.actor == superuser
    assert "auth.delete_user" in event.new_values["permissions"]
    assert "auth.delete_user" not in event.old_values["permissions"]
    assert len(event.old_values["permissions"]) == len(before)
