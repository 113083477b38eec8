"""Pick Moodle's own words out of install.php's output, so a failure reads as Moodle put it.

cli_error() prints Moodle's message last; PHP warnings before it often hold the concrete cause
(PostgreSQL's "FATAL: database ... does not exist"), so the two are shown together.
"""
from __future__ import annotations

import re

_BANNER = re.compile(r"[-=_.|/\\()'`* ]+|\+\+")  # the ASCII logo, rules and bare markers
_TRACE = re.compile(r"^\* line \d+ of ")  # debugging() backtraces
_PROBLEM = re.compile(r"FATAL|ERROR|error|failed|cannot|unable|not writable|missing|^!!", re.IGNORECASE)
_PHP_PREFIX = re.compile(r"^(PHP )?(Warning|Notice|Fatal error|Deprecated):\s*")
_PHP_LOCATION = re.compile(r" in /\S+ on line \d+$")
_MAX_CHARS = 500


def _clean(line: str) -> str:
    line = _PHP_LOCATION.sub("", _PHP_PREFIX.sub("", line)).strip("! ")
    cause = re.search(r"(FATAL|ERROR):.*", line)  # PostgreSQL's own sentence is the useful part
    return re.sub(r"\s+", " ", cause.group(0) if cause else line)


def moodle_message(output: str) -> str:
    lines = [line.strip() for line in output.splitlines()]
    lines = [line for line in lines if line and not _BANNER.fullmatch(line) and not _TRACE.match(line)]
    if not lines:
        return "(no output)"
    final = _clean(lines[-1])
    causes = [_clean(line) for line in lines[:-1] if _PROBLEM.search(line)]
    cause = next((c for c in causes if c and c not in final), None)
    message = f"{final} ({cause})" if cause else final
    return message if len(message) <= _MAX_CHARS else message[: _MAX_CHARS - 1] + "…"


class InstallProgress:
    """Counts the plugins install.php reports ("-->mod_forum", one line each, "-->System" first) of all
    the tree holds, for a progress task. Fed the installer's output as it comes, in any chunks."""

    def __init__(self, tree, task):
        self.task, self.total, self.done, self._tail = task, plugin_count(tree) + 1, 0, ""

    def feed(self, text: str) -> None:
        lines = (self._tail + text).split("\n")
        self._tail = lines.pop()
        self.done += sum(line.startswith("-->") for line in lines)
        self.task.update(min(self.done, self.total), self.total)


def plugin_count(tree) -> int:
    """Plugins in a Moodle tree: the version.php files that declare $plugin->version (core's declares
    $version). About 0.3 s for 38k files."""
    count = 0
    for version_php in tree.webroot.rglob("version.php"):
        if version_php.parent != tree.webroot and "$plugin->version" in version_php.read_text(errors="replace"):
            count += 1
    return count
