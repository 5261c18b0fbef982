"""The partner colleges of DESIGN.md §1, their courses and support services (fixed ids)."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.domain import CourseCategory, OrganisationKind

C = CourseCategory


@dataclass(frozen=True)
class SeedCourse:
    """A course every deployment starts with."""

    id: str
    title: str
    category: CourseCategory
    term: str


@dataclass(frozen=True)
class SeedCollege:
    """A partner college with its support service and courses."""

    id: str
    name: str
    support_id: str
    support_name: str
    courses: tuple[SeedCourse, ...]
    support_kind: OrganisationKind = OrganisationKind.COLLEGE_SUPPORT


COLLEGES = (
    SeedCollege(
        "southport-college",
        "Southport College",
        "southport-college-support",
        "Southport College Learner Support",
        (
            SeedCourse(
                "sc-wellness-toolbox",
                "Wellness Toolbox sessions",
                C.WELLNESS_TOOLBOX,
                "Autumn 2026",
            ),
            SeedCourse("sc-wrap-intro", "Introduction to WRAP", C.WRAP_EDUCATION, "Autumn 2026"),
            SeedCourse("sc-guitar", "Guitar for beginners", C.MUSIC, "Spring 2027"),
            SeedCourse("sc-keyboard-midi", "Keyboard and MIDI recording", C.MUSIC, "Spring 2027"),
            SeedCourse(
                "sc-craft-textiles", "Craftwork: textiles and felting", C.CRAFT, "Summer 2027"
            ),
        ),
    ),
    SeedCollege(
        "waterloo-college",
        "Waterloo College of Further Education",
        "waterloo-college-support",
        "Waterloo College Student Wellbeing Service",
        (
            SeedCourse("wc-tai-chi", "T'ai Chi for wellbeing", C.TAI_CHI, "Autumn 2026"),
            SeedCourse(
                "wc-aromatherapy",
                "Complementary therapies: aromatherapy and massage",
                C.COMPLEMENTARY_THERAPY,
                "Autumn 2026",
            ),
            SeedCourse("wc-journaling", "Journaling for recovery", C.JOURNALING, "Spring 2027"),
            SeedCourse(
                "wc-recovery-narratives",
                "Creative writing: recovery narratives",
                C.CREATIVE_WRITING,
                "Spring 2027",
            ),
            SeedCourse(
                "wc-wrap-refresher",
                "WRAP education: keeping your plan alive",
                C.WRAP_EDUCATION,
                "Summer 2027",
            ),
        ),
    ),
    SeedCollege(
        "liverpool-city-community-college",
        "Liverpool City Community College",
        "lccc-support",
        "Liverpool City Community College Learning Support",
        (
            SeedCourse(
                "lccc-wellness-toolbox",
                "Wellness Toolbox: building a daily plan",
                C.WELLNESS_TOOLBOX,
                "Autumn 2026",
            ),
            SeedCourse("lccc-midi-studio", "MIDI recording studio", C.MUSIC, "Autumn 2026"),
            SeedCourse("lccc-pottery", "Craft: pottery for beginners", C.CRAFT, "Spring 2027"),
            SeedCourse(
                "lccc-reflexology", "Reflexology taster", C.COMPLEMENTARY_THERAPY, "Spring 2027"
            ),
            SeedCourse("lccc-tai-chi", "T'ai Chi and gentle movement", C.TAI_CHI, "Summer 2027"),
            SeedCourse(
                "lccc-writing", "Writing your recovery story", C.CREATIVE_WRITING, "Summer 2027"
            ),
        ),
    ),
)
