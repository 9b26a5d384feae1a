"""What-if studies (contracts §9): scenarios as edits of a base network and its demand, each day
replayed in every mode (``online``, ``online_bid``, ``batch``, ``batch_bid``, ``greedy``) against
``hindsight``, over seeds of common random numbers, with KPIs from the plan files.

    study, network = load_study("data/studies/peak-week.yaml")
    result = simulate(study, "out/peak-week")
"""

from dom.studies.runs import DayResult, RunResult, run
from dom.studies.spec import MODES, REFERENCE, InvalidStudy, Scenario, Study
from dom.studies.study import InProcess, StudyResult, simulate
from dom.studies.studyfile import load_study, parse_study, read_study_document

__all__ = [
    "MODES",
    "REFERENCE",
    "DayResult",
    "InProcess",
    "InvalidStudy",
    "RunResult",
    "Scenario",
    "Study",
    "StudyResult",
    "load_study",
    "parse_study",
    "read_study_document",
    "run",
    "simulate",
]
