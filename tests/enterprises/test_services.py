import pytest

from enterprises.models import Enterprise
from enterprises.services import enterprise_create
from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent
from tests.factories import credit_code, make_citizen

pytestmark = pytest.mark.django_db


def test_enterprise_create_keeps_region_pinyin_and_audits():
    rep = make_citizen(name="李建国")
    code = credit_code()
    enterprise = enterprise_create(
        actor=None, credit_code=code.lower(), name="北京示例科技有限公司", legal_representative=rep
    )
    assert enterprise.credit_code == code
    assert enterprise.subject.kind == "enterprise"
    assert enterprise.subject.region_code == code[2:8]
    assert enterprise.subject.name_pinyin.startswith("bei jing")
    assert AuditEvent.objects.filter(action="enterprise.create", subject=enterprise.subject)


def test_bad_and_duplicate_codes_are_refused_and_change_nothing():
    rep = make_citizen()
    code = credit_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ApplicationError) as excinfo:
        enterprise_create(actor=None, credit_code=bad, name="甲公司", legal_representative=rep)
    assert "check character" in excinfo.value.message_dict["credit_code"][0]
    enterprise_create(actor=None, credit_code=code, name="甲公司", legal_representative=rep)
    with pytest.raises(ApplicationError):
        enterprise_create(actor=None, credit_code=code, name="乙公司", legal_representative=rep)
    assert Enterprise.objects.count() == 1
