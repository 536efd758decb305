"""Payment arrangements: pure rules for plan schedules and for monitoring them.

`build_schedule` turns a total, a frequency and a first due date into numbered `Instalment`s whose
amounts sum exactly to the total, moving dates to business days by a `DateRule`. `classify` tells
which instalments (or promised amounts) were kept as payments arrive; `plan_state` and `kept_rates`
summarise the outcomes.
"""

from recoup.core.arrangements.affordability import (
    Assessment,
    Category,
    GuidelineBreach,
    Guidelines,
    Household,
    Section,
    Statement,
    assess,
    per_period,
    plan_affordable,
)
from recoup.core.arrangements.monitoring import (
    Due,
    KeptRates,
    Outcome,
    PlanState,
    Received,
    Status,
    Tolerance,
    classify,
    kept_rates,
    plan_state,
)
from recoup.core.arrangements.schedule import (
    DateRule,
    Frequency,
    Instalment,
    InvalidSchedule,
    build_schedule,
    business_days,
    term_months,
    weekday_only,
)

__all__ = [
    "Assessment",
    "Category",
    "DateRule",
    "Due",
    "Frequency",
    "GuidelineBreach",
    "Guidelines",
    "Household",
    "Instalment",
    "InvalidSchedule",
    "KeptRates",
    "Outcome",
    "PlanState",
    "Received",
    "Section",
    "Statement",
    "Status",
    "Tolerance",
    "assess",
    "build_schedule",
    "business_days",
    "classify",
    "kept_rates",
    "per_period",
    "plan_affordable",
    "plan_state",
    "term_months",
    "weekday_only",
]
