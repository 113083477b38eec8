"""What Enrollait's "Sync courses & categories" would pull through this token.

It pulls core_course_get_categories and core_course_get_courses, exactly as the verify probes call them,
so the preview reuses their answers. Moodle returns a course's `visible` only to callers with
moodle/course:update in it, and a category's only with moodle/category:manage (course/externallib.php);
without them the hidden count is unknown, and Enrollait cannot know it either.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SyncPreview:
    categories: int
    hidden_categories: int | None
    courses: int
    hidden_courses: int | None
    notes: list[str] = field(default_factory=list)


def _is_site_course(course: dict, site_course_id: int) -> bool:
    return course.get("id") == site_course_id or course.get("format") == "site"


def build_preview(categories: list[dict], courses: list[dict], site_course_id: int = 1) -> SyncPreview:
    real = [c for c in courses if not _is_site_course(c, site_course_id)]
    notes: list[str] = []

    hidden_courses: int | None = None
    if all("visible" in c for c in real):
        hidden_courses = sum(1 for c in real if not c["visible"])
        if hidden_courses:
            notes.append(f"{hidden_courses} hidden course(s): Enrollait can enrol students before a course "
                         "is shown, but students see it only once it is visible")
    else:
        notes.append("hidden courses: unknown, Moodle shows course visibility only to tokens with "
                     "moodle/course:update")

    hidden_categories: int | None = None
    if all("visible" in c for c in categories):
        hidden_categories = sum(1 for c in categories if not c["visible"])
    else:
        notes.append("hidden categories: unknown, Moodle shows category visibility only to tokens with "
                     "moodle/category:manage (hidden ones are listed only with "
                     "moodle/category:viewhiddencategories)")

    if not real:
        notes.append("no courses besides the site front page: the sync would bring nothing to enrol into")
    return SyncPreview(len(categories), hidden_categories, len(real), hidden_courses, notes)
