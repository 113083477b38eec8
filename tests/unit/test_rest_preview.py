"""Sync preview: counts what Enrollait's course & category sync would pull, without the front page."""
from __future__ import annotations

from provisioner.rest.preview import build_preview


def test_site_course_is_left_out_and_hidden_courses_counted_when_visible_is_known():
    courses = [{"id": 1, "format": "site", "visible": 1}, {"id": 2, "format": "topics", "visible": 1},
               {"id": 3, "format": "topics", "visible": 0}, {"id": 4, "format": "weeks", "visible": 0}]
    categories = [{"id": 1, "visible": 1}, {"id": 2, "visible": 0}]
    p = build_preview(categories, courses)
    assert (p.categories, p.hidden_categories, p.courses, p.hidden_courses) == (2, 1, 3, 2)
    assert any("2 hidden course(s)" in n for n in p.notes)


def test_hidden_counts_are_unknown_when_moodle_does_not_return_visibility():
    # Without moodle/course:update (and category:manage) Moodle leaves `visible` out of the answer.
    p = build_preview([{"id": 1}], [{"id": 1, "format": "site"}, {"id": 5, "format": "topics"}])
    assert (p.courses, p.hidden_courses, p.hidden_categories) == (1, None, None)
    assert any("moodle/course:update" in n for n in p.notes)


def test_a_site_with_only_the_front_page_says_there_is_nothing_to_enrol_into():
    p = build_preview([{"id": 1, "visible": 1}], [{"id": 1, "format": "site", "visible": 1}])
    assert p.courses == 0 and any("nothing to enrol into" in n for n in p.notes)


def test_site_course_is_recognised_by_id_even_with_another_format():
    p = build_preview([], [{"id": 7, "format": "topics", "visible": 1}], site_course_id=7)
    assert p.courses == 0
