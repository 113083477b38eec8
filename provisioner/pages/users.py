"""The user form (user/editadvanced.php): create a user, read and correct an existing one."""
from __future__ import annotations

import re

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.secrets import Secret, generate_password

PROFILE_FIELDS = ("username", "email", "firstname", "lastname")


class UserEditPage:
    PATH = "user/editadvanced.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def read(self, user_id: int) -> dict[str, str]:
        self.site.goto(self.PATH, id=user_id, course=1)
        page = self.site.page
        values = {f: page.locator(f"#id_{f}").input_value() for f in PROFILE_FIELDS}
        values["suspended"] = "1" if page.locator("#id_suspended").is_checked() else "0"
        values["auth"] = page.locator("#id_auth").input_value()
        return values

    def create(self, fields: dict[str, str], password: Secret | None) -> None:
        """Create the user; without a password, one is generated to meet the policy the form states."""
        self.site.goto(self.PATH, id=-1, course=1)
        self._fill(fields)
        self._set_password(password or generate_password(**self._policy_minimums()))
        self._save("create the user")

    def update(self, user_id: int, fields: dict[str, str], unsuspend: bool) -> None:
        self.site.goto(self.PATH, id=user_id, course=1)
        self._fill({k: v for k, v in fields.items() if k != "username"} | {"username": fields["username"]})
        if unsuspend:
            self.site.page.set_checked("#id_suspended", False)
        self._save("update the user")

    def _fill(self, fields: dict[str, str]) -> None:
        # The description editor (TinyMCE) takes seconds to load and is not filled in: don't wait for it.
        self.site.edit(wait_for_scripts=False)
        for name, value in fields.items():
            self.site.page.fill(f"#id_{name}", value)

    def _set_password(self, password: Secret) -> None:
        """The real input sits hidden behind a 'Click to enter text' widget whose script may not be
        ready yet; a hidden input is still posted, so set its value directly."""
        self.site.page.eval_on_selector("#id_newpassword", "(input, value) => { input.value = value; }",
                                        password.reveal())

    def _save(self, what: str) -> None:
        self.site.submit("#id_submitbutton")
        if self.site.path_of(self.site.page.url).startswith(self.PATH):
            raise StepError(f"Moodle refused to {what}", url=self.site.page.url,
                            moodle_message=self.site.form_errors() or None)

    def _policy_minimums(self) -> dict[str, int]:
        """Minimums raised above our defaults by the policy text on the open form (English strings,
        lang/en/auth.php informminpassword*); anything unreadable keeps the defaults."""
        info = self.site.page.locator("#fitem_id_passwordpolicyinfo")
        text = info.inner_text() if info.count() else ""
        minimums = {}
        for key, pattern in _POLICY_PATTERNS.items():
            match = re.search(pattern, text)
            wanted = int(match.group(1)) if match else 0
            if wanted > _GENERATED[key]:
                minimums[key] = wanted
        return minimums


_GENERATED = {"length": 24, "digits": 3, "lower": 3, "upper": 3, "special": 3}  # generate_password()
_POLICY_PATTERNS = {
    "length": r"at least (\d+) characters",
    "digits": r"at least (\d+) digit",
    "lower": r"at least (\d+) lower case",
    "upper": r"at least (\d+) upper case",
    "special": r"at least (\d+) special character",
}
