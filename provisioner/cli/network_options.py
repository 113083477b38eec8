"""The way to the site, declared once for every command that reaches one (run, verify, doctor, rotate,
revoke, login): a CA file to trust, a proxy, and HTTP basic authentication in front of Moodle (from a file
or the environment, never from a flag's value). Read before anything starts: bad input exits 2."""
from __future__ import annotations

from pathlib import Path

import click

from provisioner.network import CA_FILE_ENV, HTTP_AUTH_FILE_ENV, HTTP_PASSWORD_ENV, HTTP_USER_ENV


def network_options(command):
    command = click.option(
        "--http-auth-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
        help="File whose first line is user:password for HTTP basic authentication in front of the site "
             f"(a staging site's); else ${HTTP_AUTH_FILE_ENV}, or ${HTTP_USER_ENV} and ${HTTP_PASSWORD_ENV}.")(command)
    command = click.option(
        "--proxy", metavar="URL",
        help="Forward proxy to reach the site through, e.g. http://proxy.school:3128 (credentials may be in the "
             "URL); else $HTTPS_PROXY / $HTTP_PROXY. $NO_PROXY lists hosts reached directly.")(command)
    command = click.option(
        "--ca-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
        help="PEM file of certificate authorities to trust besides the usual ones (a school's own CA), for "
             f"the browser and the REST checks alike; else ${CA_FILE_ENV}. Verification is never turned off.")(command)
    return command

