"""Where a study's runs go: this process, or RQ workers over Redis (``DOM_REDIS_URL``)."""

from __future__ import annotations

import os

from dom.errors import InvalidInput
from dom.studies.spec import Study
from dom.studies.study import Executor, InProcess


def executor_for(study: Study, workers: int) -> Executor:
    """RQ workers when ``DOM_REDIS_URL`` is set, else this process."""
    url = os.environ.get("DOM_REDIS_URL")
    if not url:
        if workers > 1:
            raise InvalidInput(
                f"--workers {workers} needs DOM_REDIS_URL",
                column="--workers",
                fix="set DOM_REDIS_URL to a Redis the workers share, or leave --workers out",
            )
        return InProcess()
    raise NotImplementedError
