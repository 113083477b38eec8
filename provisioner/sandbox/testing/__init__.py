"""The pytest plugin (entry point moodle_sandbox): fixtures that give tests a real Moodle."""
