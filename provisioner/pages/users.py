"""The user form (user/editadvanced.php): create a user, read and correct an existing one."""
from __future__ import annotations

import re

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite
from provisioner.secrets import Secret, generate_password

PROFILE_FIELDS = ("username", "email", "firstname", "lastname")
MAX_PASSWORD = 128


class UserEditPage:
    PATH = "user/editadvanced.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def read(self, user_id: int) -> dict[str, str]:
        doc = self.site.read(self.PATH, id=user_id, course=1)
        if doc.count("#id_username") == 0:
            raise StepError(f"the edit form of user id {user_id} shows no username field", url=doc.url)
        values = {f: doc.value(f"#id_{f}") for f in PROFILE_FIELDS}
        values["suspended"] = "1" if doc.checked("#id_suspended") else "0"
        values["auth"] = doc.value("#id_auth")
        return values

    def create(self, fields: dict[str, str], password: Secret | None) -> None:
        """Create the user; without a password, one is generated to meet the policy the form states."""
        self.site.goto(self.PATH, id=-1, course=1)
        self._fill(fields)
        self._set_password(password or generate_password(**self._policy_minimums()))
        self._save("create the user")

    def update(self, user_id: int, fields: dict[str, str]) -> None:
        """Set these fields (any of PROFILE_FIELDS, `auth`, `suspended`) on the existing user's form."""
        self.site.goto(self.PATH, id=user_id, course=1)
        self._fill(fields)
        self._save("update the user")

    def _fill(self, fields: dict[str, str]) -> None:
        # The description editor (TinyMCE) takes seconds to load and is not filled in: don't wait for it.
        self.site.edit(wait_for_scripts=False)
        page = self.site.page
        for name, value in fields.items():
            if name == "auth":
                if page.locator(f"#id_auth option[value='{value}']").count() == 0:
                    raise StepError(f"this site offers no authentication method '{value}'", url=page.url)
                page.select_option("#id_auth", value)
            elif name == "suspended":
                page.set_checked("#id_suspended", value == "1")
            else:
                page.fill(f"#id_{name}", value)
        self._check_filled({k: v for k, v in fields.items() if k not in ("auth", "suspended")})

    def _check_filled(self, texts: dict[str, str]) -> None:
        """Filled before the page's scripts ran, a field can be emptied again by them (seen on 4.1 under
        load: "Missing last name"): what is read back is what is posted, so fill again what was lost."""
        page = self.site.page
        for _ in range(3):
            lost = {name: value for name, value in texts.items() if page.input_value(f"#id_{name}") != value}
            if not lost:
                return
            page.wait_for_load_state("load")
            for name, value in lost.items():
                page.fill(f"#id_{name}", value)
        raise StepError(f"the user form did not keep {', '.join(sorted(lost))} as filled in", url=page.url)

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
        """The policy text on the form is in the site's language, but its numbers are not: every count a
        rule asks for is at most the largest number it states, so asking that many of each character
        class (and four times as many characters) meets any policy Moodle can state, within the
        128 characters Moodle accepts (MAX_PASSWORD_CHARACTERS)."""
        info = self.site.page.locator("#fitem_id_passwordpolicyinfo")
        numbers = [int(n) for n in re.findall(r"\d+", info.inner_text() if info.count() else "")]
        most = max(numbers, default=0)
        each = min(max(3, most), MAX_PASSWORD // 5)
        return {"length": min(max(24, 4 * most), MAX_PASSWORD), "digits": each, "lower": each,
                "upper": each, "special": each}
