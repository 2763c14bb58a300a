"""The framework health report: what in the content an editor should put right.

Each check has a rule, stated here once and shown on the admin page and by
``manage.py check_framework``. Errors are content the site should not publish (a level 8
profile needing Expert at passing on messages); warnings are worth a look and an editor
may accept one with a reason, which the report then shows beside it.

The checks read the whole framework in a fixed number of queries, whatever its size.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process, utils

from competences.models import (
    Competence,
    Kind,
    LearningOpportunity,
    Standard,
    is_official_learning_address,
)
from core.versioning import content_models
from pathways.models import MoveKind, Progression
from roles.models import Level, Proficiency, Requirement, RoleCompetence, RoleProfile

from .models import AcceptedWarning

ERROR, WARNING = "error", "warning"

# Two statements whose titles score this much or more (rapidfuzz's token sort ratio, 0 to
# 100, on lower-cased words) read as the same competence written twice. The seed's most
# alike pair scores 76.
NEAR_DUPLICATE_SCORE = 85

# Text that breaks files and screen readers: control characters (C0 and C1, and DEL),
# carriage returns, the Unicode line and paragraph separators, and the bidirectional
# overrides that make text read differently from what it holds. Line feeds belong in
# long text only; tabs are allowed there too.
BAD_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
BAD_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Check:
    slug: str
    severity: str
    title: str
    rule: str


CHECKS = [
    Check(
        "foundation-depth",
        ERROR,
        gettext_lazy("Foundation competence needed too deeply"),
        gettext_lazy(
            "A foundation competence is a basic task any member of staff does, such as "
            "passing on a message or keeping their own development plan; editors mark them "
            "on the competence. Each level sets how deeply a role may need one (its "
            "“deepest proficiency in a foundation competence”): Working at levels 2 to 4, "
            "Proficient above. Never Expert, so a profile's depth goes to its specialism."
        ),
    ),
    Check(
        "depth-above-level",
        ERROR,
        gettext_lazy("Deeper than the level allows"),
        gettext_lazy(
            "Each level sets the deepest proficiency a role at that level needs: Working at "
            "level 2, Proficient at levels 3 to 5, Expert from level 6. Deciding how work is "
            "done across a service belongs to senior roles."
        ),
    ),
    Check(
        "expert-share",
        ERROR,
        gettext_lazy("Too much at Expert"),
        gettext_lazy(
            "Each level sets the largest share of a role's requirements that may be at "
            "Expert (15% at level 6, 25% at level 7, a third at level 8). A senior role is "
            "expert in its specialism and in what its key responsibilities name, not in "
            "everything."
        ),
    ),
    Check(
        "requirement-count",
        WARNING,
        gettext_lazy("Unusual number of requirements"),
        gettext_lazy(
            "Each level sets a usual range for how many competences a role needs (for "
            "example 20 to 40 at level 3, 45 to 70 at levels 7 and 8). Far fewer leaves the "
            "profile too thin to recruit or appraise against; far more makes it a list "
            "nobody can assess."
        ),
    ),
    Check(
        "essential-share",
        WARNING,
        gettext_lazy("Unusual share of essential requirements"),
        gettext_lazy(
            "Each level sets a usual range for the share of requirements that are "
            "essential (55% to 85% up to level 5, 50% to 80% above). Essential means the "
            "post cannot be done without it on the first day; when nearly everything is "
            "essential a recruiting panel cannot tell candidates apart and a new starter "
            "has nothing left to grow into."
        ),
    ),
    Check(
        "move-shallower",
        WARNING,
        gettext_lazy("A move up needs less than the role below"),
        gettext_lazy(
            "On a move up a level, the higher role should need each competence the two "
            "roles share at least as deeply as the lower role does."
        ),
    ),
    Check(
        "unused-competence",
        WARNING,
        gettext_lazy("Competence no role needs"),
        gettext_lazy("Every competence statement should be needed by at least one role."),
    ),
    Check(
        "uncited-standard",
        WARNING,
        gettext_lazy("Standard no competence cites"),
        gettext_lazy("Every National Occupational Standard listed should underpin a competence."),
    ),
    Check(
        "learning-address",
        WARNING,
        gettext_lazy("Learning without an owner's address"),
        gettext_lazy(
            "Every learning opportunity should link to its own page on its owner's site, "
            "over https, so readers can check it and sign up."
        ),
    ),
    Check(
        "near-duplicate",
        WARNING,
        gettext_lazy("Statements that read alike"),
        gettext_lazy(
            "Two competence statements whose titles are nearly the same (a similarity of "
            "85 or more out of 100, word order ignored) may be one competence written twice."
        ),
    ),
    Check(
        "no-learning-at-level",
        WARNING,
        gettext_lazy("No learning at the role's level"),
        gettext_lazy(
            "Every competence a role needs should have learning whose range of career "
            "framework levels includes the role's level; otherwise the self-assessment has "
            "nothing suitable to offer for that gap. Listed once for each competence and "
            "level, with the roles at that level that need it."
        ),
    ),
    Check(
        "stored-text",
        ERROR,
        gettext_lazy("Control characters or stray line endings"),
        gettext_lazy(
            "Stored text must not hold control characters, carriage returns or Unicode line "
            "separators, and single-line fields must not hold line breaks or tabs: they "
            "break downloads and confuse screen readers."
        ),
    ),
]
CHECKS_BY_SLUG = {check.slug: check for check in CHECKS}


@dataclass(frozen=True)
class Finding:
    """One thing the report found. ``key`` names it and what it is about, stably, so an
    editor's acceptance of a warning holds while the warning is raised."""

    check: str
    key: str
    message: str
    fix_url: str = ""
    fix_label: str = ""

    @property
    def severity(self) -> str:
        return CHECKS_BY_SLUG[self.check].severity


@dataclass
class CheckResult:
    check: Check
    findings: list[Finding] = field(default_factory=list)
    accepted: list[tuple[Finding, AcceptedWarning]] = field(default_factory=list)


@dataclass
class HealthReport:
    results: list[CheckResult]

    @property
    def errors(self) -> list[Finding]:
        return [f for r in self.results if r.check.severity == ERROR for f in r.findings]

    @property
    def warnings(self) -> list[Finding]:
        return [f for r in self.results if r.check.severity == WARNING for f in r.findings]

    @property
    def accepted(self) -> list[tuple[Finding, AcceptedWarning]]:
        return [pair for r in self.results for pair in r.accepted]


def _admin_url(obj_or_model, pk=None) -> str:
    meta = obj_or_model._meta
    try:
        return reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change",
            args=[pk if pk is not None else obj_or_model.pk],
        )
    except NoReverseMatch:
        return ""


def _depth(value: int) -> str:
    return str(Proficiency(value).label)


def _role_findings(levels, roles, requirements, statements) -> list[Finding]:
    found = []
    by_role = defaultdict(list)
    for role_id, competence_id, proficiency, requirement in requirements:
        by_role[role_id].append((competence_id, proficiency, requirement))
    for role in roles:
        level = levels[role.level_id]
        needs = by_role.get(role.pk, [])
        role_url = _admin_url(role)
        fix = _("Change %(role)s") % {"role": role.title}
        named = _("%(role)s (level %(level)d)") % {"role": role.title, "level": level.number}
        for competence_id, proficiency, _requirement in needs:
            code, title, foundation = statements[competence_id]
            if foundation and proficiency > level.foundation_proficiency:
                found.append(
                    Finding(
                        "foundation-depth",
                        f"foundation-depth:{role.code}:{code}",
                        _(
                            "%(role)s needs %(code)s “%(title)s”, a foundation competence, at "
                            "%(depth)s; at level %(level)d a foundation competence is needed "
                            "at most at %(limit)s."
                        )
                        % {
                            "role": named,
                            "code": code,
                            "title": title,
                            "depth": _depth(proficiency),
                            "level": level.number,
                            "limit": _depth(level.foundation_proficiency),
                        },
                        role_url,
                        fix,
                    )
                )
            if proficiency > level.deepest_proficiency:
                found.append(
                    Finding(
                        "depth-above-level",
                        f"depth-above-level:{role.code}:{code}",
                        _(
                            "%(role)s needs %(code)s “%(title)s” at %(depth)s; a role at level "
                            "%(level)d needs nothing deeper than %(limit)s."
                        )
                        % {
                            "role": named,
                            "code": code,
                            "title": title,
                            "depth": _depth(proficiency),
                            "level": level.number,
                            "limit": _depth(level.deepest_proficiency),
                        },
                        role_url,
                        fix,
                    )
                )
        count = len(needs)
        if not count:
            found.append(
                Finding(
                    "requirement-count",
                    f"requirement-count:{role.code}",
                    _("%(role)s needs no competences at all.") % {"role": named},
                    role_url,
                    fix,
                )
            )
            continue
        experts = sum(1 for _c, proficiency, _r in needs if proficiency == Proficiency.EXPERT)
        if experts * 100 > level.expert_max * count:
            found.append(
                Finding(
                    "expert-share",
                    f"expert-share:{role.code}",
                    _(
                        "%(role)s needs %(experts)d of its %(count)d competences at Expert "
                        "(%(share)d%%); at level %(level)d at most %(limit)d%% may be."
                    )
                    % {
                        "role": named,
                        "experts": experts,
                        "count": count,
                        "share": round(100 * experts / count),
                        "level": level.number,
                        "limit": level.expert_max,
                    },
                    role_url,
                    fix,
                )
            )
        if not level.requirements_min <= count <= level.requirements_max:
            found.append(
                Finding(
                    "requirement-count",
                    f"requirement-count:{role.code}",
                    _(
                        "%(role)s needs %(count)d competences; %(low)d to %(high)d is usual "
                        "at level %(level)d."
                    )
                    % {
                        "role": named,
                        "count": count,
                        "low": level.requirements_min,
                        "high": level.requirements_max,
                        "level": level.number,
                    },
                    role_url,
                    fix,
                )
            )
        essential = sum(1 for _c, _p, requirement in needs if requirement == Requirement.ESSENTIAL)
        share = round(100 * essential / count)
        if not level.essential_min <= share <= level.essential_max:
            found.append(
                Finding(
                    "essential-share",
                    f"essential-share:{role.code}",
                    _(
                        "%(role)s has %(essential)d of %(count)d requirements essential "
                        "(%(share)d%%); %(low)d%% to %(high)d%% is usual at level %(level)d."
                    )
                    % {
                        "role": named,
                        "essential": essential,
                        "count": count,
                        "share": share,
                        "low": level.essential_min,
                        "high": level.essential_max,
                        "level": level.number,
                    },
                    role_url,
                    fix,
                )
            )
    return found


def _move_findings(roles_by_pk, depth_of, statements) -> list[Finding]:
    found = []
    moves = Progression.objects.filter(kind=MoveKind.VERTICAL).values_list(
        "from_role_id", "to_role_id"
    )
    for lower_id, higher_id in moves:
        lower, higher = roles_by_pk[lower_id], roles_by_pk[higher_id]
        lower_needs = depth_of.get(lower_id, {})
        for competence_id, depth in sorted(depth_of.get(higher_id, {}).items()):
            below = lower_needs.get(competence_id)
            if below is not None and depth < below:
                code, title, _foundation = statements[competence_id]
                found.append(
                    Finding(
                        "move-shallower",
                        f"move-shallower:{lower.code}:{higher.code}:{code}",
                        _(
                            "Moving up from %(lower)s to %(higher)s: the higher role needs "
                            "%(code)s “%(title)s” at %(high_depth)s, the lower role at "
                            "%(low_depth)s."
                        )
                        % {
                            "lower": lower.title,
                            "higher": higher.title,
                            "code": code,
                            "title": title,
                            "high_depth": _depth(depth),
                            "low_depth": _depth(below),
                        },
                        _admin_url(higher),
                        _("Change %(role)s") % {"role": higher.title},
                    )
                )
    return found


def _learning_findings(roles, depth_of, statements) -> list[Finding]:
    found = []
    learning = list(
        LearningOpportunity.objects.order_by("title").values_list(
            "pk", "title", "url", "suits_from", "suits_to"
        )
    )
    for pk, title, url, _low, _high in learning:
        if not url or not is_official_learning_address(url):
            found.append(
                Finding(
                    "learning-address",
                    f"learning-address:{title}",
                    (
                        _("“%(title)s” has no address.")
                        if not url
                        else _("“%(title)s” links to %(url)s, which is not an owner's site.")
                    )
                    % {"title": title, "url": url},
                    _admin_url(LearningOpportunity, pk),
                    _("Change “%(title)s”") % {"title": title},
                )
            )
    ranges = {pk: (low, high) for pk, _t, _u, low, high in learning}
    levels_with_learning = defaultdict(set)
    for learning_id, competence_id in LearningOpportunity.competences.through.objects.values_list(
        "learningopportunity_id", "competence_id"
    ):
        low, high = ranges[learning_id]
        levels_with_learning[competence_id].update(range(low, high + 1))
    # One finding for each competence and level: an editor fixes it by adding learning
    # for that level, whichever of the level's roles need it.
    needed_at: dict[tuple[int, int], list[str]] = defaultdict(list)
    for role in roles:
        for competence_id in depth_of.get(role.pk, {}):
            needed_at[(role.level.number, competence_id)].append(role.title)
    changelist = reverse("admin:competences_learningopportunity_changelist")
    for (number, competence_id), titles in sorted(
        needed_at.items(), key=lambda pair: (statements[pair[0][1]][0], pair[0][0])
    ):
        if number not in levels_with_learning.get(competence_id, ()):
            code, title, _foundation = statements[competence_id]
            found.append(
                Finding(
                    "no-learning-at-level",
                    f"no-learning-at-level:{number}:{code}",
                    _(
                        "No learning for level %(level)d develops %(code)s “%(title)s”, "
                        "needed by %(roles)s."
                    )
                    % {
                        "level": number,
                        "code": code,
                        "title": title,
                        "roles": "; ".join(sorted(titles)),
                    },
                    changelist,
                    _("Learning opportunities"),
                )
            )
    return found


def _content_findings(depth_of, statements) -> list[Finding]:
    found = []
    needed = {pk for needs in depth_of.values() for pk in needs}
    for pk, (code, title, _foundation) in statements.items():
        if pk not in needed:
            found.append(
                Finding(
                    "unused-competence",
                    f"unused-competence:{code}",
                    _("No role needs %(code)s “%(title)s”.") % {"code": code, "title": title},
                    _admin_url(Competence, pk),
                    _("Change %(code)s") % {"code": code},
                )
            )
    for pk, reference, title in (
        Standard.objects.filter(competences__isnull=True)
        .order_by("reference")
        .values_list("pk", "reference", "title")
    ):
        found.append(
            Finding(
                "uncited-standard",
                f"uncited-standard:{reference}",
                _("No competence cites %(code)s “%(title)s”.")
                % {"code": reference, "title": title},
                _admin_url(Standard, pk),
                _("Change %(code)s") % {"code": reference},
            )
        )
    items = sorted(statements.items(), key=lambda pair: pair[1][0])
    titles = [utils.default_process(title) for _pk, (_code, title, _f) in items]
    for index, title in enumerate(titles):
        matches = process.extract(
            title,
            titles,
            scorer=fuzz.token_sort_ratio,
            limit=None,
            score_cutoff=NEAR_DUPLICATE_SCORE,
        )
        for _match, score, other in matches:
            if other <= index:
                continue
            (pk, (code, first, _f)), (_pk, (other_code, second, _g)) = items[index], items[other]
            found.append(
                Finding(
                    "near-duplicate",
                    f"near-duplicate:{code}:{other_code}",
                    _(
                        "%(code)s “%(first)s” and %(other)s “%(second)s” read alike "
                        "(similarity %(score)d)."
                    )
                    % {
                        "code": code,
                        "first": first,
                        "other": other_code,
                        "second": second,
                        "score": round(score),
                    },
                    _admin_url(Competence, pk),
                    _("Change %(code)s") % {"code": code},
                )
            )
    return found


def _text_fields(model) -> tuple[list[str], list[str]]:
    """A content model's single-line and long text fields."""
    lines, texts = [], []
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.TextField):
            texts.append(model_field.name)
        elif isinstance(model_field, models.CharField):
            lines.append(model_field.name)
    return lines, texts


def _text_findings() -> list[Finding]:
    found = []
    for model in sorted(content_models(), key=lambda m: m._meta.label):
        lines, texts = _text_fields(model)
        if not lines and not texts:
            continue
        for row in model.objects.order_by("pk").values_list("pk", *lines, *texts):
            pk, values = row[0], row[1:]
            names = [*lines, *texts]
            for index, value in enumerate(values):
                pattern = BAD_IN_LINE if index < len(lines) else BAD_IN_TEXT
                match = pattern.search(value or "")
                if match:
                    name = names[index]
                    label = model._meta.get_field(name).verbose_name
                    found.append(
                        Finding(
                            "stored-text",
                            f"stored-text:{model._meta.label_lower}:{pk}:{name}",
                            _(
                                "The %(field)s of %(model)s %(pk)s holds the character "
                                "U+%(code)04X at position %(position)d."
                            )
                            % {
                                "field": label,
                                "model": model._meta.verbose_name,
                                "pk": pk,
                                "code": ord(match.group()),
                                "position": match.start() + 1,
                            },
                            _admin_url(model, pk),
                            _("Change it"),
                        )
                    )
    return found


def findings() -> list[Finding]:
    """Everything every check finds, errors and warnings alike."""
    levels = {level.pk: level for level in Level.objects.all()}
    roles = list(RoleProfile.objects.select_related("level").order_by("level__number", "title"))
    statements = {
        pk: (code, title, foundation)
        for pk, code, title, foundation in Competence.objects.filter(
            kind=Kind.STATEMENT
        ).values_list("pk", "code", "title", "foundation")
    }
    requirements = [
        row
        for row in RoleCompetence.objects.values_list(
            "role_id", "competence_id", "proficiency", "requirement"
        )
        if row[1] in statements
    ]
    depth_of: dict[int, dict[int, int]] = defaultdict(dict)
    for role_id, competence_id, proficiency, _requirement in requirements:
        depth_of[role_id][competence_id] = proficiency
    return [
        *_role_findings(levels, roles, requirements, statements),
        *_move_findings({role.pk: role for role in roles}, depth_of, statements),
        *_learning_findings(roles, depth_of, statements),
        *_content_findings(depth_of, statements),
        *_text_findings(),
    ]


def health_report() -> HealthReport:
    """Every check's findings, with the warnings an editor accepted set apart."""
    accepted = {item.key: item for item in AcceptedWarning.objects.select_related("accepted_by")}
    results = {check.slug: CheckResult(check) for check in CHECKS}
    for finding in findings():
        result = results[finding.check]
        acceptance = accepted.get(finding.key) if finding.severity == WARNING else None
        if acceptance is not None:
            result.accepted.append((finding, acceptance))
        else:
            result.findings.append(finding)
    return HealthReport(results=list(results.values()))


def current_warning(key: str) -> Finding | None:
    """The warning raised now under ``key``, or None (an error, or nothing raised)."""
    for finding in findings():
        if finding.key == key and finding.severity == WARNING:
            return finding
    return None
