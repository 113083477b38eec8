"""Admin settings pages: Advanced features (web services) and Manage protocols (REST)."""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite


class AdvancedFeaturesPage:
    PATH = "{admin}/settings.php"
    SECTION = "optionalsubsystems"
    CHECKBOX = "#id_s__enablewebservices"

    def __init__(self, site: MoodleSite):
        self.site = site

    def webservices(self) -> tuple[bool, bool]:
        """(enabled, forced): a setting defined in config.php is shown disabled, whatever the language."""
        doc = self.site.read(self.PATH, section=self.SECTION)
        if doc.count(self.CHECKBOX) == 0:
            raise StepError("the 'Enable web services' setting is not on Advanced features", url=doc.url)
        return doc.checked(self.CHECKBOX), doc.disabled(self.CHECKBOX)

    def set_webservices(self, enabled: bool) -> None:
        """Tick or untick the box and save; only this setting changes (Moodle writes what is posted)."""
        self.site.goto(self.PATH, section=self.SECTION)
        self.site.edit(wait_for_scripts=False)  # a plain admin settings form
        self.site.page.set_checked(self.CHECKBOX, enabled)
        self.site.submit("#region-main form#adminsettings button[type=submit]")
        errors = self.site.form_errors()
        if errors:
            raise StepError("Moodle refused to save Advanced features", url=self.site.page.url,
                            moodle_message=errors)


class ProtocolsPage:
    PATH = "{admin}/settings.php"
    SECTION = "webserviceprotocols"

    def __init__(self, site: MoodleSite):
        self.site = site

    def _toggle_link(self, protocol: str, action: str):
        return self.site.page.locator(
            f"table#webserviceprotocols a[href*='webservice={protocol}'][href*='action={action}']")

    def enabled_protocols(self) -> dict[str, bool]:
        """Every protocol on the page, and whether it is on (its link offers to disable it)."""
        doc = self.site.read(self.PATH, section=self.SECTION)
        states: dict[str, bool] = {}
        for link in doc.all("table#webserviceprotocols a[href*='protocols.php']"):
            href = link.get("href") or ""
            params = dict(part.split("=", 1) for part in href.split("?", 1)[-1].split("&") if "=" in part)
            if "webservice" in params:
                states[params["webservice"]] = params.get("action") == "disable"
        if not states:
            raise StepError("no protocols listed on Manage protocols", url=doc.url)
        return states

    def set_enabled(self, protocol: str, enabled: bool) -> None:
        """Click the protocol's Enable/Disable icon, exactly as an admin would."""
        self.site.goto(self.PATH, section=self.SECTION)
        link = self._toggle_link(protocol, "enable" if enabled else "disable")
        if link.count() == 0:
            raise StepError(f"no {'Enable' if enabled else 'Disable'} link for protocol '{protocol}'",
                            url=self.site.page.url)
        self.site.edit(wait_for_scripts=False)  # a plain link
        self.site.submit(link)


class MaintenanceModePage:
    """Site administration > Server > Maintenance mode: admins can still use a site in maintenance."""

    PATH = "{admin}/settings.php"
    SECTION = "maintenancemode"
    FIELD = "#id_s__maintenance_enabled"

    def __init__(self, site: MoodleSite):
        self.site = site

    def set_enabled(self, enabled: bool) -> None:
        self.site.goto(self.PATH, section=self.SECTION)
        self.site.edit()
        self.site.page.select_option(self.FIELD, "1" if enabled else "0")
        self.site.submit("#region-main form#adminsettings button[type=submit]")
