"""Pick Moodle's own words out of install.php's output, so a failure reads as Moodle put it."""
from __future__ import annotations

import re

# cli_error() and the environment check mark problems this way; progress lines do not.
_PROBLEM = re.compile(r"^!!|error|failed|cannot|can not|not writable|missing|unable|exception",
                      re.IGNORECASE)
_MAX_CHARS = 600


def moodle_message(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    lines = [line for line in lines if not re.fullmatch(r"[-=_.|/\\()'` ]+", line)]  # banner art
    problems = [line.strip("! ") or line for line in lines if _PROBLEM.search(line)]
    chosen = list(dict.fromkeys(problems))[-4:] or lines[-3:] or ["(no output)"]
    message = " | ".join(chosen)
    return message if len(message) <= _MAX_CHARS else "…" + message[-_MAX_CHARS:]
