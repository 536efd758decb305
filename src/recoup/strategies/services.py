"""Writes for strategies: the app's public write API, gathered from the modules that hold each concern.

- `versions.py`: drafts, YAML import and export, publishing and discarding strategy versions;
- `schedule.py`: the run's schedule and the tick that starts the run when it is due;
- `run.py`: the daily run's coordinator (stages in order, ranges of account ids, the dry run, the run
  as a background task); `context.py` holds the `RunContext` every range decides with;
- `stages/`: one module per ranged stage with its SQL (`reage`, `segment`, `actions`, `screen`,
  `execute`);
- `report.py`: the run report's SQL.

Other apps, the web layer, the CLI, benchmarks and tests import from here; modules of this app
import from the module that holds the name.
"""

from __future__ import annotations

from recoup.strategies.context import RunContext
from recoup.strategies.report import build_report
from recoup.strategies.run import (
    CHUNK,
    RANGED_STAGES,
    RUN_TASK,
    STAGE_LABELS,
    STAGES,
    Progress,
    UnableToRun,
    context_for,
    do_chunk,
    dry_run,
    id_ranges,
    run_daily,
    run_stages,
    run_task,
    run_whole_stage,
    runner,
    stage_label,
    start_run,
)
from recoup.strategies.schedule import due_run_date, run_if_due, schedule, schedule_tick, set_schedule
from recoup.strategies.stages.actions import CATCH_UP_DAYS
from recoup.strategies.stages.screen import hold_screen_rows
from recoup.strategies.versions import (
    Actor,
    UnableToSaveStrategy,
    active_version,
    discard_draft,
    draft_from_active,
    draft_version,
    export_yaml,
    import_yaml,
    publish,
    reference_problems,
    save_draft,
    strategy_of,
)

__all__ = [
    "CATCH_UP_DAYS",
    "CHUNK",
    "RANGED_STAGES",
    "RUN_TASK",
    "STAGES",
    "STAGE_LABELS",
    "Actor",
    "Progress",
    "RunContext",
    "UnableToRun",
    "UnableToSaveStrategy",
    "active_version",
    "build_report",
    "context_for",
    "discard_draft",
    "do_chunk",
    "draft_from_active",
    "draft_version",
    "dry_run",
    "due_run_date",
    "export_yaml",
    "hold_screen_rows",
    "id_ranges",
    "import_yaml",
    "publish",
    "reference_problems",
    "run_daily",
    "run_if_due",
    "run_stages",
    "run_task",
    "run_whole_stage",
    "runner",
    "save_draft",
    "schedule",
    "schedule_tick",
    "set_schedule",
    "stage_label",
    "start_run",
    "strategy_of",
]
