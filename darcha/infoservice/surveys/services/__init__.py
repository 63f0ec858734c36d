"""Every write of surveys (DESIGN §3): the builder's (`builder`) and the respondents' (`responses`)."""

from ..choices import SurveyRefusal  # noqa: F401
from .builder import (  # noqa: F401
    question_delete,
    question_move,
    question_results_publish,
    question_save,
    survey_close,
    survey_create,
    survey_delete,
    survey_launch,
    survey_results_publish,
    survey_update,
)
from .closing import surveys_notify_closed  # noqa: F401
from .responses import (  # noqa: F401
    RESPONDENT,
    Respondent,
    already_answered_message,
    refuse_unless_open,
    respondent_key,
    response_submit,
)
