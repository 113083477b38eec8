from provisioner.sandbox.install import moodle_message

BANNER = r"""
                                 .-..-.
   _____                         | || |
  /____/-.---_  .---.  .---.  .-.| || | .---.
  | |  _   _  |/  _  \/  _  \/  _  || |/  __ \
  * | | | | | || |_| || |_| || |_| || || |___/
    |_| |_| |_|\_____/\_____/\_____||_|\_____)

Moodle 5.0.6+ (Build: 20260403) command line installation program
"""

# What Moodle 5.0's install.php printed when the database did not exist (paths shortened).
NO_DATABASE = BANNER + """PHP Warning:  pg_connect(): Unable to connect to PostgreSQL server: connection to server on socket "/s/pg/run/.s.PGSQL.5432" failed: FATAL:  database "moodle" does not exist in /s/code/lib/dml/pgsql_native_moodle_database.php on line 214
++ Readwrite db connection failed for host localhost:
Warning: pg_connect(): Unable to connect to PostgreSQL server: connection to server on socket "/s/pg/run/.s.PGSQL.5432" failed: FATAL:  database "moodle" does not exist in /s/code/lib/dml/pgsql_native_moodle_database.php on line 214
 ++
* line 257 of /lib/dml/moodle_read_replica_trait.php: call to debugging()
* line 639 of /admin/cli/install.php: call to install_db_validate()
We could not connect to the database you specified. Please check your database settings.

"""


def test_moodles_sentence_comes_with_postgresqls_cause():
    assert moodle_message(NO_DATABASE) == (
        "We could not connect to the database you specified. Please check your database settings. "
        '(FATAL: database "moodle" does not exist)')


def test_environment_check_failures_are_kept():
    output = BANNER + "== Environment ==\n!! max_input_vars !!\n[System] this test must pass - PHP setting max_input_vars is recommended to be at least 5000.\n"
    # the "!! max_input_vars !!" heading adds nothing the sentence does not already say
    assert moodle_message(output) == ("[System] this test must pass - PHP setting max_input_vars is "
                                      "recommended to be at least 5000.")


def test_without_output():
    assert moodle_message(BANNER) == "Moodle 5.0.6+ (Build: 20260403) command line installation program"
    assert moodle_message("") == "(no output)"


def test_install_progress_counts_plugins_as_the_installer_names_them_in_any_chunks(make_moodle, tmp_path):
    from provisioner.sandbox.install import InstallProgress
    from provisioner.sandbox.source import open_tree

    root = make_moodle(tmp_path / "moodle")
    for plugin in ("mod/forum", "mod/quiz", "auth/manual"):
        (root / plugin).mkdir(parents=True)
        (root / plugin / "version.php").write_text("<?php\n$plugin->version = 2025041400;\n")
    seen = []

    class Task:
        def update(self, done, total=None):
            seen.append((done, total))
    counted = InstallProgress(open_tree(root), Task())
    for chunk in ("-->System\n++ Success ++\n-->mod_fo", "rum\n++ Success ++\n", "-->mod_quiz\n"):
        counted.feed(chunk)
    assert seen == [(1, 4), (2, 4), (3, 4)]  # three plugins and core ("System")
