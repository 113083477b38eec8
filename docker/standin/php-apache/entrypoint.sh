#!/bin/bash
# As moodlehq/moodle-php-apache does: every PHP_INI-<setting>=<value> variable becomes an ini line,
# for Apache's PHP and the CLI alike (the install runs through the CLI and checks max_input_vars).
# bash, not sh: dash drops variables whose names hold a "-" from its environment.
set -e
for sapi in apache2 cli; do
  env | sed -n 's/^PHP_INI-\([^=]*\)=\(.*\)$/\1 = \2/p' > "/etc/php/8.2/$sapi/conf.d/99-environment.ini"
done
. /etc/apache2/envvars
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR"
exec apache2 -DFOREGROUND "$@"
