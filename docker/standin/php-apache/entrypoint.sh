#!/bin/bash
# As moodlehq/moodle-php-apache does: every PHP_INI-<setting>=<value> variable becomes an ini line,
# for Apache's PHP and the CLI alike (the install runs through the CLI and checks max_input_vars).
# bash, not sh: dash drops variables whose names hold a "-" from its environment.
set -e
for sapi in apache2 cli; do
  env | sed -n 's/^PHP_INI-\([^=]*\)=\(.*\)$/\1 = \2/p' > "/etc/php/8.2/$sapi/conf.d/99-environment.ini"
done
# As moodlehq/moodle-php-apache does (and so moodle-docker): APACHE_DOCUMENT_ROOT, else /var/www/html,
# or its public/ folder where there is one (Moodle 5.1+ serves public/ and keeps the rest out of reach).
if [ -z "${APACHE_DOCUMENT_ROOT:-}" ]; then
  APACHE_DOCUMENT_ROOT=/var/www/html
  [ -d "$APACHE_DOCUMENT_ROOT/public" ] && APACHE_DOCUMENT_ROOT="$APACHE_DOCUMENT_ROOT/public"
fi
export APACHE_DOCUMENT_ROOT
. /etc/apache2/envvars
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR"
exec apache2 -DFOREGROUND "$@"
