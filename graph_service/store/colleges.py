"""Cypher for partner colleges and their courses."""

from __future__ import annotations

from typing import Any

from graph_service.domain import College, Course, CourseCategory
from graph_service.store.connection import Store

CREATE_COLLEGE = """
CREATE (c:College {id: $id, name: $name, createdAt: $now, updatedAt: $now})
RETURN c{.id, .name} AS college
"""

ENSURE_COLLEGE = """
MERGE (c:College {id: $id})
ON CREATE SET c.name = $name, c.createdAt = $now, c.updatedAt = $now
RETURN c{.id, .name} AS college
"""

COLLEGES = """
MATCH (c:College)
WHERE $only IS NULL OR c.id = $only
RETURN c{.id, .name} AS college
ORDER BY c.name, c.id
"""

COLLEGES_BY_IDS = """
UNWIND $ids AS wanted
MATCH (c:College {id: wanted})
RETURN c{.id, .name} AS college
"""

CREATE_COURSE = """
MATCH (c:College {id: $collegeId})
CREATE (c)-[:OFFERS]->(k:Course {id: $id, title: $title, category: $category, term: $term,
                                 retired: false, createdAt: $now, updatedAt: $now})
RETURN c.id AS collegeId, k{.id, .title, .category, .term, .retired} AS course
"""

ENSURE_COURSE = """
MATCH (c:College {id: $collegeId})
MERGE (k:Course {id: $id})
ON CREATE SET k.title = $title, k.category = $category, k.term = $term, k.retired = false,
              k.createdAt = $now, k.updatedAt = $now
MERGE (c)-[:OFFERS]->(k)
RETURN c.id AS collegeId, k{.id, .title, .category, .term, .retired} AS course
"""

UPDATE_COURSE = """
MATCH (c:College)-[:OFFERS]->(k:Course {id: $id})
SET k.title = coalesce($title, k.title), k.category = coalesce($category, k.category),
    k.term = coalesce($term, k.term), k.updatedAt = $now
RETURN c.id AS collegeId, k{.id, .title, .category, .term, .retired} AS course
"""

RETIRE_COURSE = """
MATCH (c:College)-[:OFFERS]->(k:Course {id: $id})
SET k.retired = true, k.retiredAt = $now, k.updatedAt = $now
RETURN c.id AS collegeId, k{.id, .title, .category, .term, .retired} AS course
"""

COURSES_BY_IDS = """
UNWIND $ids AS wanted
MATCH (c:College)-[:OFFERS]->(k:Course {id: wanted})
RETURN c.id AS collegeId, k{.id, .title, .category, .term, .retired} AS course
"""

COURSES_OF_COLLEGES = """
UNWIND $ids AS wanted
MATCH (c:College {id: wanted})-[:OFFERS]->(k:Course)
WHERE $includeRetired OR k.retired = false
RETURN c.id AS collegeId, k{.id, .title, .category, .term, .retired} AS course
ORDER BY k.title, k.id
"""


def to_college(row: dict[str, Any]) -> College:
    """A College from a college map."""
    return College(row["id"], row["name"])


def to_course(row: dict[str, Any]) -> Course:
    """A Course from a row with collegeId and a course map."""
    course = row["course"]
    return Course(
        id=course["id"],
        college_id=row["collegeId"],
        title=course["title"],
        category=CourseCategory(course["category"]),
        term=course["term"],
        retired=bool(course["retired"]),
    )


async def create_college(store: Store, college_id: str, name: str, now: str) -> College:
    """Create a college."""
    rows = await store.write(CREATE_COLLEGE, id=college_id, name=name, now=now)
    return to_college(rows[0]["college"])


async def ensure_college(store: Store, college_id: str, name: str, now: str) -> College:
    """Create a college with a fixed id unless it exists."""
    rows = await store.write(ENSURE_COLLEGE, id=college_id, name=name, now=now)
    return to_college(rows[0]["college"])


async def colleges(store: Store, only: str | None = None) -> list[College]:
    """Every college by name, or only one."""
    return [to_college(row["college"]) for row in await store.read(COLLEGES, only=only)]


async def colleges_by_ids(store: Store, ids: list[str]) -> dict[str, College]:
    """Colleges by id."""
    rows = await store.read(COLLEGES_BY_IDS, ids=list(dict.fromkeys(ids)))
    return {row["college"]["id"]: to_college(row["college"]) for row in rows}


async def create_course(
    store: Store,
    course_id: str,
    college_id: str,
    title: str,
    category: CourseCategory,
    term: str,
    now: str,
) -> Course | None:
    """Create a course; None when the college does not exist."""
    rows = await store.write(
        CREATE_COURSE,
        id=course_id,
        collegeId=college_id,
        title=title,
        category=category.value,
        term=term,
        now=now,
    )
    return to_course(rows[0]) if rows else None


async def ensure_course(
    store: Store,
    course_id: str,
    college_id: str,
    title: str,
    category: CourseCategory,
    term: str,
    now: str,
) -> Course:
    """Create a course with a fixed id unless it exists."""
    rows = await store.write(
        ENSURE_COURSE,
        id=course_id,
        collegeId=college_id,
        title=title,
        category=category.value,
        term=term,
        now=now,
    )
    return to_course(rows[0])


async def update_course(
    store: Store,
    course_id: str,
    *,
    title: str | None,
    category: CourseCategory | None,
    term: str | None,
    now: str,
) -> Course | None:
    """Change a course's title, category or term (None leaves a field as it is)."""
    rows = await store.write(
        UPDATE_COURSE,
        id=course_id,
        title=title,
        category=category.value if category else None,
        term=term,
        now=now,
    )
    return to_course(rows[0]) if rows else None


async def retire_course(store: Store, course_id: str, now: str) -> Course | None:
    """Retire a course (kept, with its enrolments, but no longer offered)."""
    rows = await store.write(RETIRE_COURSE, id=course_id, now=now)
    return to_course(rows[0]) if rows else None


async def courses_by_ids(store: Store, ids: list[str]) -> dict[str, Course]:
    """Courses by id."""
    rows = await store.read(COURSES_BY_IDS, ids=list(dict.fromkeys(ids)))
    return {row["course"]["id"]: to_course(row) for row in rows}


async def courses_of(
    store: Store, college_ids: list[str], include_retired: bool
) -> dict[str, list[Course]]:
    """Each college's courses by title."""
    rows = await store.read(
        COURSES_OF_COLLEGES, ids=list(dict.fromkeys(college_ids)), includeRetired=include_retired
    )
    found: dict[str, list[Course]] = {college_id: [] for college_id in college_ids}
    for row in rows:
        found[row["collegeId"]].append(to_course(row))
    return found
