import pytest

from tests.factories import make_official


@pytest.fixture
def court(catalog):
    """A district court's clerk, reviewer and supervisor, a reviewer of a sibling court and one
    of the parent court (which hears appeals)."""
    return {
        "clerk": make_official(role="clerk", authority_code="bj-dongcheng-court"),
        "reviewer": make_official(role="reviewer", authority_code="bj-dongcheng-court"),
        "supervisor": make_official(role="supervisor", authority_code="bj-dongcheng-court"),
        "other_reviewer": make_official(role="reviewer", authority_code="bj-xicheng-court"),
        "appeal_reviewer": make_official(
            role="reviewer", authority_code="bj-2nd-intermediate-court"
        ),
    }
