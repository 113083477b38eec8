"""Pages that are only read are parsed, not rendered: what a browser would show and post, from the HTML."""
from provisioner.pages.html import Document
from provisioner.pages.login import _admin_dir_in

FORM = """<html><body><form id="f" action="/x.php">
  <input type="hidden" name="sesskey" value="abc">
  <input type="hidden" name="enabled" value="0"><input type="checkbox" name="enabled" value="1" checked>
  <input type="checkbox" name="other" value="1">
  <input type="text" name="name" value="A  name">
  <input type="text" name="off" value="x" disabled>
  <input type="submit" name="go" value="Go">
  <select name="auth"><option value="manual">M</option><option value="nologin" selected>N</option></select>
  <select name="first"><option value="a">A</option><option value="b">B</option></select>
  <select name="many[]" multiple><option value="1" selected>1</option><option value="2">2</option>
    <option value="3" selected>3</option></select>
  <textarea name="notes">hello</textarea>
</form></body></html>"""


def test_form_fields_are_what_a_browser_would_post():
    doc = Document(FORM, "http://moodle.test/x.php")
    assert doc.form_fields(doc.first("form#f")) == [
        ("sesskey", "abc"), ("enabled", "0"), ("enabled", "1"), ("name", "A  name"), ("auth", "nologin"),
        ("first", "a"), ("many[]", "1"), ("many[]", "3"), ("notes", "hello")]


def test_fields_read_as_the_browser_shows_them():
    doc = Document(FORM, "http://moodle.test/x.php")
    assert doc.value("select[name=auth]") == "nologin"
    assert doc.value("select[name=first]") == "a"
    assert doc.value("input[name=name]") == "A  name"
    assert doc.value("#absent") == ""
    assert doc.checked("input[name=enabled][type=checkbox]") and not doc.checked("input[name=other]")
    assert doc.disabled("input[name=off]") and not doc.disabled("input[name=name]")


def test_an_empty_answer_is_an_empty_page():
    assert Document("", "http://moodle.test/").count("form") == 0


def test_the_admin_folder_comes_from_m_cfg():
    page = '<script>M.cfg = {"wwwroot":"http://moodle.test","admin":"siteadmin","sesskey":"k"};</script>'
    assert _admin_dir_in(page) == "siteadmin"
    assert _admin_dir_in("<html>no config</html>") is None
    assert _admin_dir_in("M.cfg = {broken") is None


def test_the_release_is_read_from_the_environment_pages_first_option_in_any_language():
    from provisioner.pages.login import release_in

    assert release_in("5.0.6+ (Build: 20260403)") == "5.0.6+ (Build: 20260403)"
    assert release_in("4.1.1+ (Build: 20230112)") == "4.1.1+ (Build: 20230112)"
    assert release_in("5.1 upwards") == "5.1"       # the newest release environment.xml knows
    assert release_in("5.1 en adelante") == "5.1"   # ... in the admin's language
    assert release_in("error") is None
