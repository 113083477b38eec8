from provisioner.sandbox.install import moodle_message

BANNER = """
                                 .-..-.
   _____                         | || |
  /____/-.---_  .---.  .---.  .-.| || | .---.
  | |  _   _  |/  _  \\/  _  \\/  _  || |/  __ \\
  * | | | | | || |_| || |_| || |_| || || |___/
    |_| |_| |_|\\_____/\\_____/\\_____||_|\\_____)

Moodle 5.0.6+ (Build: 20260403) command line installation program
-------------------------------------------------------------------------------
== Setting up database ==
"""


def test_cli_error_text_is_what_is_shown():
    output = BANNER + "Error: Database connection failed\nIt is possible that the database is overloaded\n"
    assert moodle_message(output) == "Error: Database connection failed"


def test_environment_check_failures_are_kept():
    output = BANNER + "!! max_input_vars !!\n[System] this test must pass - PHP setting max_input_vars must be at least 5000.\n"
    assert "max_input_vars" in moodle_message(output)


def test_without_recognisable_error_the_last_lines_are_shown():
    assert moodle_message(BANNER + "one\ntwo\nthree\nfour\n") == "two | three | four"
    assert moodle_message("") == "(no output)"
