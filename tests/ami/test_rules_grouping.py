"""Hearing groups: three applications of one theme at a time, never one alone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ami.rules import group_sizes, plan_groups


@dataclass
class App:
    id: int
    theme: str


def by_theme(counts: dict[str, int]):
    n = 0
    rows = []
    for theme, count in counts.items():
        apps = []
        for _ in range(count):
            n += 1
            apps.append(App(n, theme))
        rows.append((theme, apps))
    return rows


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (0, []),
        (1, [1]),
        (2, [2]),
        (3, [3]),
        (4, [4]),
        (5, [3, 2]),
        (6, [3, 3]),
        (7, [3, 4]),
        (8, [3, 3, 2]),
        (9, [3, 3, 3]),
        (10, [3, 3, 4]),
    ],
)
def test_group_sizes_make_threes_with_a_last_group_of_two_or_four(count, sizes):
    assert group_sizes(count) == sizes


@pytest.mark.parametrize("count", range(2, 40))
def test_group_sizes_cover_every_application_and_never_leave_one_alone(count):
    sizes = group_sizes(count)
    assert sum(sizes) == count
    assert all(2 <= s <= 4 for s in sizes)
    assert sizes.count(2) + sizes.count(4) <= 1
    assert all(s == 3 for s in sizes[:-1])


def test_28_applications_over_4_themes_make_the_2021_schedule():
    groups = plan_groups(by_theme({"éducation": 8, "insertion": 7, "santé": 7, "numérique": 6}))
    assert [(theme, len(apps)) for theme, apps in groups] == [
        ("éducation", 3),
        ("éducation", 3),
        ("éducation", 2),
        ("insertion", 3),
        ("insertion", 4),
        ("santé", 3),
        ("santé", 4),
        ("numérique", 3),
        ("numérique", 3),
    ]
    ids = [a.id for _, apps in groups for a in apps]
    assert sorted(ids) == list(range(1, 29))
    # the applications keep their order (by number) inside each theme
    assert ids == list(range(1, 29))
    # every group is of one theme
    assert all(a.theme == theme for theme, apps in groups for a in apps)


def test_a_lone_application_of_a_theme_joins_the_smallest_group_of_another():
    groups = plan_groups(by_theme({"éducation": 5, "santé": 1}))
    assert [len(apps) for _, apps in groups] == [3, 3]
    assert groups[1][1][-1].theme == "santé"


def test_two_lone_themes_are_heard_together():
    groups = plan_groups(by_theme({"éducation": 1, "santé": 1}))
    assert len(groups) == 1
    assert [a.theme for a in groups[0][1]] == ["éducation", "santé"]


def test_a_call_with_a_single_application_hears_it_alone():
    groups = plan_groups(by_theme({"éducation": 1}))
    assert [len(apps) for _, apps in groups] == [1]


def test_no_application_no_group():
    assert plan_groups([]) == []
    assert plan_groups([("éducation", [])]) == []


@pytest.mark.parametrize(
    "counts",
    [
        {"a": 1, "b": 2},
        {"a": 1, "b": 1, "c": 1},
        {"a": 4, "b": 1},
        {"a": 10, "b": 1, "c": 7},
        {"a": 2, "b": 2, "c": 1, "d": 1},
    ],
)
def test_nobody_is_heard_alone_when_the_call_has_several_applications(counts):
    groups = plan_groups(by_theme(counts))
    assert all(len(apps) >= 2 for _, apps in groups)
    assert sum(len(apps) for _, apps in groups) == sum(counts.values())


def test_a_lone_application_never_makes_a_group_of_five():
    groups = plan_groups(by_theme({"éducation": 4, "santé": 1}))
    assert sorted(len(apps) for _, apps in groups) == [2, 3]
    pair = next(apps for _, apps in groups if len(apps) == 2)
    assert [a.theme for a in pair] == ["éducation", "santé"]


@pytest.mark.parametrize("counts", [{"a": 4, "b": 1, "c": 1}, {"a": 4, "b": 4, "c": 1}])
def test_hearing_groups_have_two_to_four_applications(counts):
    groups = plan_groups(by_theme(counts))
    assert all(2 <= len(apps) <= 4 for _, apps in groups)
    assert sum(len(apps) for _, apps in groups) == sum(counts.values())
