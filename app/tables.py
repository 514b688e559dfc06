"""Imports every table module, so `SQLModel.metadata` is complete for Alembic and tests."""

from sqlmodel import SQLModel

from app import counters, heartbeat, once
from app.alerts import models as alerts_models
from app.answers import models as answers_models
from app.audit import models as audit_models
from app.auth import models as auth_models
from app.auth.links import models as links_models
from app.auth.staff import models as staff_models
from app.decisions import models as decisions_models
from app.drug_warnings.reports import models as concern_reports_models
from app.drug_warnings.settings import models as warning_settings_models
from app.drug_warnings.signals import models as cluster_signals_models
from app.drug_warnings.warnings import models as drug_warnings_models
from app.escalation.engine import models as escalation_state_models
from app.escalation.policy import models as escalation_models
from app.followup.cases import models as followup_case_models
from app.followup.settings import models as followup_settings_models
from app.followup.templates import models as followup_template_models
from app.informing import models as informing_models
from app.notify import models as notify_models
from app.reporters import models as reporters_models
from app.retention import models as retention_models
from app.roster import models as roster_models
from app.statistics import models as statistics_models
from app.timeline import models as timeline_models
from app.triage import models as triage_models
from app.webhooks import models as webhooks_models

metadata = SQLModel.metadata

__all__ = [
    "alerts_models",
    "answers_models",
    "audit_models",
    "auth_models",
    "cluster_signals_models",
    "concern_reports_models",
    "counters",
    "decisions_models",
    "drug_warnings_models",
    "escalation_models",
    "escalation_state_models",
    "followup_case_models",
    "followup_settings_models",
    "followup_template_models",
    "heartbeat",
    "informing_models",
    "links_models",
    "metadata",
    "notify_models",
    "once",
    "reporters_models",
    "retention_models",
    "roster_models",
    "staff_models",
    "statistics_models",
    "timeline_models",
    "triage_models",
    "warning_settings_models",
    "webhooks_models",
]
