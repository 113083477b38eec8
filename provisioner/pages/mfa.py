"""admin/tool/mfa/auth.php: the factor Moodle's MFA (tool_mfa, 4.3+) asks for after the password.

Read by the page's machine-readable parts only (tool_mfa's login_form and verification_form template,
the same in 4.5 and 5.0), never by its text:
- the factor asked for: the verification form's input `factor` ("totp", "email", "webauthn", ...); meant
  to be hidden, it is rendered type="alphaext" (login_form calls setType on the element, not the form);
- the other factors offered: one small form each, with a hidden input `factorname`;
- the TOTP answer: `#id_verificationcode`, sent by `#id_submitbutton`.
A page with no verification form is tool_mfa's refusal ("not enough factors"), shown before it logs out.
"""
from __future__ import annotations

import time

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash
from provisioner.totp import Totp

USE_LOGIN = ("sign in with `provisioner login --site {site}` (a browser window: answer the factor there) "
             "and run with --session-file")


class MfaRequired(StepError):
    """The password was right; the second factor could not be given."""


class MfaPage:
    PATH = "{admin}/tool/mfa/auth.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def is_here(self) -> bool:
        return self.is_at(self.site.page.url)

    def is_at(self, url: str) -> bool:
        return self.site.path_of(url) == self.PATH.replace("{admin}", self.site.admin_dir)

    def asked_factor(self) -> str | None:
        field = self.site.page.locator("form input[name=factor]")
        return field.first.get_attribute("value") if field.count() else None

    def offered_factors(self) -> list[str]:
        fields = self.site.page.locator("form input[type=hidden][name=factorname]")
        return [fields.nth(i).get_attribute("value") or "" for i in range(fields.count())]

    def pass_with(self, totp: Totp | None) -> None:
        """Answer the TOTP factor (choosing it if another is offered first); refuse clearly otherwise."""
        factor = self._factor_or_refusal()
        can_totp = factor == "totp" or "totp" in self.offered_factors()
        if can_totp and totp is None:
            raise self._needs("the site asks for a second factor after the password (multi-factor "
                              "authentication); this admin can answer with a code from an authenticator app "
                              "(factor 'totp'): give its TOTP secret with --totp-secret-file PATH or "
                              "$MOODLE_TOTP_SECRET, or " + USE_LOGIN)
        if not can_totp:
            raise self._needs(f"the site asks for the '{factor}' factor of multi-factor authentication after "
                              f"the password, which cannot be answered unattended: " + USE_LOGIN)
        if factor != "totp":
            self._choose("totp")
            factor = self._factor_or_refusal()
        for attempt in (1, 2):
            self._enter(totp.code())
            if not self.is_here():
                return
            factor = self._factor_or_refusal()
            if factor != "totp":  # the code counted, and the site wants one more factor
                raise self._needs(f"after the TOTP code the site also asks for the '{factor}' factor, which "
                                  "cannot be answered unattended: " + USE_LOGIN)
            if attempt == 1:
                # Most often the code was already used (a run moments ago, same 30 s): the next one is new.
                time.sleep(totp.seconds_to_next_code() + 1)
        raise MfaRequired(f"Moodle refused the TOTP codes from {totp.origin}: is it this admin's secret, and "
                          "is this computer's clock right?", url=self.site.page.url,
                          moodle_message=self.site.form_errors() or None)

    def _factor_or_refusal(self) -> str:
        factor = self.asked_factor()
        if factor is None:
            said = self.site.page.locator("#region-main .alert, [role=main] .alert")
            raise self._needs("multi-factor authentication refused this account: it has no factor set up "
                              "that lets it in (Moodle's MFA page offers none)",
                              moodle_message=squash(said.first.inner_text()) if said.count() else None)
        return factor

    def _choose(self, factor: str) -> None:
        chooser = self.site.page.locator(f"form:has(input[name=factorname][value='{factor}']) [type=submit]")
        self.site.submit(chooser, anonymous=True)

    def _enter(self, code: str) -> None:
        """Put the code in and press the button. The value is set without typing: tool_mfa's script sends
        the form by itself at the sixth digit typed, which would race the button."""
        self.site.edit()
        field = self.site.page.locator("#id_verificationcode")
        if field.count() == 0 or field.is_disabled():  # disabled: tool_mfa locked the factor
            raise self._needs("the TOTP factor is locked for this admin after too many wrong codes "
                              "(an admin can reset it: Site administration > Plugins > Multi-factor "
                              "authentication > Reset factor)", moodle_message=self.site.form_errors() or None)
        field.evaluate("(input, code) => { input.value = code; }", code)
        self.site.submit("#id_submitbutton", anonymous=True)

    def _needs(self, message: str, moodle_message: str | None = None) -> MfaRequired:
        return MfaRequired(message.format(site=self.site.base_url), url=self.site.page.url,
                           moodle_message=moodle_message)
