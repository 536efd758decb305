"""Contact compliance: pure rules that say whether a proposed contact may go ahead, and when it could.

`decide(request, history, packs)` runs each rule pack (`UsFederal`, `Australia`, `UnitedKingdom`,
`FirmPolicy`) and returns a `Decision` whose reasons cite the rule IDs of COMPLIANCE.md. Nothing here
reads the clock: the proposed time is part of the request. `validation_end` gives the US-13 validation
period end date from a business-day calendar with the federal holidays. `Whereabouts` gives the time
zones the hours rules run in: none when nothing indicates where the person is and the firm's
`UnknownLocation` policy is to block. `content_problems(text, facts)` checks the words of a message or
template (the CONTENT mode), with `required_wording` the time-barred disclosure a message needs
(`disclosures`), and `is_revocation` reads an inbound opt-out.
"""

from recoup.core.compliance.australia import Australia
from recoup.core.compliance.calendars import (
    add_us_business_days,
    assumed_receipt,
    australian_national_holidays,
    easter_sunday,
    is_us_business_day,
    us_federal_holidays,
    validation_end,
)
from recoup.core.compliance.clock import TimeWindow
from recoup.core.compliance.content import (
    OPT_OUT_KEYWORDS,
    ContentProblem,
    MessageFacts,
    content_problems,
    is_revocation,
    required_wording,
    time_barred_disclosure,
)
from recoup.core.compliance.disclosures import (
    DISCLOSURES,
    InvalidDisclosure,
    TimeBarredDisclosure,
    has_disclosure,
    may_be_reported,
    with_disclosure,
)
from recoup.core.compliance.engine import allowances, decide
from recoup.core.compliance.firm import FirmPolicy, InvalidFirmPolicy
from recoup.core.compliance.limitation import Limitation, limitation
from recoup.core.compliance.location import NumberPlace, UnknownLocation, Whereabouts, number_place
from recoup.core.compliance.model import (
    Allowance,
    Channel,
    ContactRequest,
    Decision,
    Direction,
    Finding,
    InvalidContact,
    Outcome,
    PastContact,
    Reason,
    RulePack,
    Severity,
)
from recoup.core.compliance.uk import UnitedKingdom
from recoup.core.compliance.us_federal import UsFederal
from recoup.core.compliance.us_local import Massachusetts, NewYorkCity
from recoup.core.compliance.validation_notice import (
    Itemization,
    ValidationNotice,
    masked_account_number,
    missing_parts,
    render_notice,
)
from recoup.core.compliance.wishes import ContactWish, DebtorWishes

__all__ = [
    "DISCLOSURES",
    "OPT_OUT_KEYWORDS",
    "Allowance",
    "Australia",
    "Channel",
    "ContactRequest",
    "ContactWish",
    "ContentProblem",
    "DebtorWishes",
    "Decision",
    "Direction",
    "Finding",
    "FirmPolicy",
    "InvalidContact",
    "InvalidDisclosure",
    "InvalidFirmPolicy",
    "Itemization",
    "Limitation",
    "Massachusetts",
    "MessageFacts",
    "NewYorkCity",
    "NumberPlace",
    "Outcome",
    "PastContact",
    "Reason",
    "RulePack",
    "Severity",
    "TimeBarredDisclosure",
    "TimeWindow",
    "UnitedKingdom",
    "UnknownLocation",
    "UsFederal",
    "ValidationNotice",
    "Whereabouts",
    "add_us_business_days",
    "allowances",
    "assumed_receipt",
    "australian_national_holidays",
    "content_problems",
    "decide",
    "easter_sunday",
    "has_disclosure",
    "is_revocation",
    "is_us_business_day",
    "limitation",
    "masked_account_number",
    "may_be_reported",
    "missing_parts",
    "number_place",
    "render_notice",
    "required_wording",
    "time_barred_disclosure",
    "us_federal_holidays",
    "validation_end",
    "with_disclosure",
]
