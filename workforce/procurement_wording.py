"""The wording of the workforce questions for a procurement (``procurement_questions``):
one function for each question, giving its topic, text, key criterion (by value) and
what a good answer shows. A point may name another question as "{progression}" and the
like, which the builder makes that question's id.

Kept apart from the builder so that each stays small enough to read whole.
"""

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REGULATION_18 = gettext_lazy(
    "Regulation 18 (Staffing) of the Health and Social Care Act 2008 (Regulated "
    "Activities) Regulations 2014"
)


def recruiting(posts: list[tuple[str, str]], total: str) -> dict:
    """``posts``: (role title, WTE as shown) for each post in the mix."""
    mix = "; ".join(_("%(role)s, %(wte)s WTE") % {"role": role, "wte": wte} for role, wte in posts)
    return {
        "topic": _("Recruiting to the planned mix"),
        "text": _(
            "The planned mix is: %(mix)s (%(total)s whole-time equivalents, WTE, in all). "
            "How will you recruit to each of these posts, how long do you expect each to "
            "take to fill, and how will you keep the service safe while a post is vacant?"
        )
        % {"mix": mix, "total": total},
        "criterion": "integration",
        "good_answer": (
            _(
                "A recruitment plan for each role in the mix, with a time to fill drawn from "
                "the provider's recent experience of similar posts."
            ),
            _(
                "The pre-employment checks each role needs, including any vetting the "
                "settings the service works in require, and how long they usually take."
            ),
            _(
                "How the service keeps the competences it needs while a post is vacant "
                "(cover, bank staff who know the setting, arrangements with partners), and "
                "who decides that cover is not enough."
            ),
            _("For a new contract, which posts will be filled by the day the service starts."),
        ),
    }


def lived_experience(titles: list[str]) -> dict:
    """``titles``: the roles in the mix whose profiles welcome people with lived
    experience, if any."""
    if titles:
        text = _(
            "The framework's profiles for %(roles)s welcome people with lived experience of "
            "the justice system. How will you recruit people with lived experience to these "
            "posts, and support them once they are in post?"
        ) % {"roles": get_text_list(titles, _("and"))}
    else:
        text = _(
            "No role in the planned mix is one the framework marks as welcoming people with "
            "lived experience of the justice system. Which posts could you open to them, "
            "and how would you recruit and support them?"
        )
    return {
        "topic": _("Recruiting people with lived experience"),
        "text": text,
        "criterion": "social-value",
        "good_answer": (
            _(
                "Where the posts will be advertised, and which partners the provider will "
                "work with to reach people with lived experience."
            ),
            _(
                "A fair approach to criminal records: applicants are asked about convictions "
                "only once shortlisted, as NHS Employers' guidance on self-declaration "
                "advises, and each disclosure is judged on its relevance to the post."
            ),
            _(
                "Support in post: regular supervision from someone who understands the "
                "role, wellbeing support and reasonable adjustments."
            ),
            _("A route on from these posts (see {progression})."),
        ),
    }


def inclusive() -> dict:
    return {
        "topic": _("Inclusive recruitment"),
        "text": _(
            "Commitment 12 of NHS England's Health and justice framework for integration "
            "2022-2025 is an inclusive and representative workforce. How will you recruit "
            "and keep a workforce that reflects the people this service works with?"
        ),
        "criterion": "access",
        "good_answer": (
            _(
                "What the provider knows about its workforce now, from voluntary equality "
                "monitoring, compared with the people the service works with."
            ),
            _(
                "Adverts and job descriptions in plain language, asking only for what the "
                "role needs."
            ),
            _("Diverse interview panels, and reasonable adjustments offered at every stage."),
            _(
                "How it checks that each stage is fair, by looking at who applies, who is "
                "shortlisted and who is appointed."
            ),
            _("Routes in for people without a professional registration, where a role allows it."),
        ),
    }


def supervision() -> dict:
    return {
        "topic": _("Supervision and appraisal"),
        "text": _(
            "Under %(regulation)s, providers registered with the Care Quality Commission "
            "must make sure staff get the support, training, professional development, "
            "supervision and appraisal they need. How will you supervise and appraise "
            "staff in each role in the mix: how often, by whom, and how will you record it?"
        )
        % {"regulation": REGULATION_18},
        "criterion": "quality",
        "good_answer": (
            _(
                "Clinical or practice supervision and managerial supervision for every role "
                "in the mix, kept apart, and how often each takes place."
            ),
            _(
                "Supervisors trained for the task, and supervision for staff in roles "
                "without a professional registration, peer and support roles included."
            ),
            _(
                "A yearly appraisal for everyone, with an interim review at least every six "
                "months, that agrees objectives and a development plan linked to the "
                "competences the person's role profile needs."
            ),
            _("Support for staff who work alone or on other agencies' premises."),
            _("How supervision and appraisal are recorded and checked, and the figures reported."),
        ),
    }


def training(count: int) -> dict:
    return {
        "topic": _("Training to the competences the mix needs"),
        "text": _(
            "The role profiles in the planned mix need %(count)d of the framework's "
            "competences, each at a set depth of proficiency. How will you train and assess "
            "staff in each role to the competences their profile needs, and keep them up to "
            "date?"
        )
        % {"count": count},
        "criterion": "quality",
        "good_answer": (
            _(
                "A training needs analysis against the role profiles when staff start and "
                "at each appraisal."
            ),
            _(
                "Induction for each role that covers its essential competences before staff "
                "work without close supervision."
            ),
            _("How competence is assessed and recorded, not only attendance at courses."),
            _("Use of national learning resources and apprenticeships where they fit the role."),
        ),
    }


def thin_cover(sections: list[str], *, uncovered: bool, single: bool) -> dict:
    """``sections``: those with a competence the mix leaves uncovered (``uncovered``) or
    to a single post (``single``)."""
    if not sections:
        text = _(
            "The planned mix covers every competence the service's roles need with more "
            "than one post, or with a post of more than 1 WTE. How will you keep it so as "
            "staff leave and posts change?"
        )
    else:
        if uncovered and single:
            how = _(
                "some competences the service's roles need are left to a single post of "
                "1 WTE or less, or to no post at all"
            )
        elif uncovered:
            how = _("some competences the service's roles need are left to no post at all")
        else:
            how = _(
                "some competences the service's roles need are left to a single post of "
                "1 WTE or less"
            )
        text = _(
            "In the planned mix, %(how)s. They are in these sections of the framework: "
            "%(sections)s. How will you make sure the service has these competences at all "
            "times, including when a post-holder is away or leaves?"
        ) % {"how": how, "sections": "; ".join(sections)}
    return {
        "topic": _("Competences with thin cover"),
        "text": text,
        "criterion": "integration",
        "good_answer": (
            _(
                "For each section named, which staff will be trained in its listed "
                "competences, and by when."
            ),
            _(
                "Where a single post holds a competence, a second trained person or an "
                "agreed arrangement with a partner for when the post-holder is away."
            ),
            _(
                "Where no role in the mix needs a competence, whether it will be met by "
                "training, recruiting or a partner, and why."
            ),
            _("How the provider checks cover again when staff leave or the mix changes."),
        ),
        "sections": tuple(sections),
    }


def progression(moves: list[tuple[str, str]]) -> dict:
    if moves:
        text = _(
            "The framework records these moves between roles in the planned mix: %(moves)s. "
            "How will you help staff make these moves, and what will you do to keep staff in "
            "the service?"
        ) % {
            "moves": "; ".join(
                _("%(start)s to %(end)s") % {"start": start, "end": end} for start, end in moves
            )
        }
    else:
        text = _(
            "The framework records no moves between the roles in the planned mix. How will "
            "staff in these roles develop and progress, and what will you do to keep them in "
            "the service?"
        )
    return {
        "topic": _("Retention and career progression"),
        "text": text,
        "criterion": "integration",
        "good_answer": (
            _(
                "For each move, how staff gain the competences it adds or deepens: learning "
                "on the job, courses, apprenticeships or secondments."
            ),
            _("A fair way of choosing who takes up development opportunities."),
            _(
                "What the provider knows about why staff leave, from exit interviews and "
                "its turnover figures, and what it is doing about it."
            ),
            _("Wellbeing support for work that can be distressing."),
        ),
    }


def value() -> dict:
    return {
        "topic": _("Paying for workforce development"),
        "text": _(
            "How does your price pay for the workforce development this mix needs: "
            "protected time for supervision, appraisal and training, cover while staff are "
            "learning, and the cost of courses and apprenticeships?"
        ),
        "criterion": "value",
        "good_answer": (
            _(
                "Protected time for supervision and training in the staffing model, in "
                "hours a year for each whole-time equivalent in each role."
            ),
            _("The cost of cover, and what happens to training when the service is short-staffed."),
            _("Use of apprenticeship funding where it fits."),
            _(
                "How the provider will show, over the contract, what the money paid for "
                "(see the workforce measures)."
            ),
        ),
    }
