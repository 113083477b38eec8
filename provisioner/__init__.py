"""Connect a Moodle site to Enrollait through Moodle's admin web UI."""

__version__ = "0.1.0"
