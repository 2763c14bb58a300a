"""Each page's database queries are a small constant: they do not grow with the data.

Every page type is measured on the seed content, the framework is then made ten times
larger, and the same pages must need exactly the same number of queries.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competences.models import Competence, Standard
from interchange.case_common import key_uuid
from roles.models import Area, RoleProfile
from tests.factories import grow_framework
from tests.measure import count_queries

pytestmark = pytest.mark.django_db

# The most any public page may use made afresh, whatever the data: the whole-framework
# files (and the CASE service's answers, built with them) read each table once (12) and
# the history once (each CASE object's last change), after the read of the content
# version that names them.
BUDGET = 14


def addresses(role) -> dict[str, str]:
    section = Competence.objects.filter(kind="section").first()
    subsection = Competence.objects.filter(kind="subsection").first() or section
    statement = Competence.objects.filter(kind="statement", requirements__isnull=False).first()
    standard = Standard.objects.filter(competences__isnull=False).first()
    desirable = "".join(
        f"&desirable={item.competence.code}"
        for item in role.requirements.filter(requirement="desirable").select_related("competence")
    )
    job_description = f"/roles/{role.slug}/job-description/?employer=Trust&lived=on{desirable}"
    return {
        "overview": "/",
        "area": Area.objects.first().get_absolute_url(),
        "level": "/levels/5/",
        "role list": "/roles/",
        "role list filtered": "/roles/?level=5&lived=yes",
        "role": role.get_absolute_url(),
        "competence sections": "/competences/",
        "section": section.get_absolute_url(),
        "subsection": subsection.get_absolute_url(),
        "statement": statement.get_absolute_url(),
        "standard list": "/standards/",
        "standard": standard.get_absolute_url(),
        "search": "/search/?q=risk",
        "search by code": f"/search/?q={statement.code}",
        "search by band": "/search/?q=band+6",
        "search, one kind": "/search/?q=risk&kind=standards",
        "career map": "/pathways/",
        "about": "/about/",
        "proficiency": "/proficiency/",
        "find your way in": "/ways-in/",
        "lived-experience route": "/lived-experience/",
        "area workforce": f"/areas/{Area.objects.first().slug}/workforce/",
        "area workforce as Excel": f"/areas/{Area.objects.first().slug}/workforce/workforce.xlsx",
        "skill-mix planner": f"/pathways/skill-mix/?area={Area.objects.first().slug}",
        "skill-mix annex": f"/pathways/skill-mix/annex.docx?area={Area.objects.first().slug}",
        "job description": job_description,
        "job description as Word": job_description + "&format=docx",
        "team training needs": "/pathways/team/",
        "team development records": "/pathways/team/records/",
        "regional training needs": "/pathways/team/region/",
        "workforce questions": f"/pathways/skill-mix/questions/?area={Area.objects.first().slug}",
        "start from your last result": f"/pathways/self-assessment/{role.slug}/earlier/",
        "what has changed": "/changes/",
        "changes on one day": f"/changes/{timezone.localdate().isoformat()}/",
        "sitemap": "/sitemap.xml",
        "robots file": "/robots.txt",
        "open data": "/export/",
        "framework as JSON": "/export/framework.json",
        "framework as Excel": "/export/framework.xlsx",
        "framework table as CSV": "/export/csv/roles.csv",
        "role as JSON": f"/export/roles/{role.slug}.json",
        "statement as JSON": f"/export/competences/{statement.code}.json",
        "CASE documents": "/ims/case/v1p0/CFDocuments",
        "CASE item": f"/ims/case/v1p0/CFItems/{key_uuid(f'competence:{statement.code}')}",
        "CASE role's associations": (
            f"/ims/case/v1p0/CFItemAssociations/{key_uuid(f'role:{role.slug}')}"
        ),
    }


def test_page_queries_do_not_grow_when_the_framework_is_ten_times_larger(client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    pages = addresses(role)
    before = {name: count_queries(client, address) for name, address in pages.items()}
    roles_before = RoleProfile.objects.count()
    grow_framework(around=[role])
    assert RoleProfile.objects.count() >= 10 * roles_before
    after = {name: count_queries(client, address, warm=False) for name, address in pages.items()}
    assert after == before
    assert max(before.values()) <= BUDGET, before


@pytest.mark.parametrize("query", ["risk", "peer support", "SFHGEN97"])
def test_search_reads_the_full_text_and_code_indexes_on_postgresql(client, query):
    if connection.vendor != "postgresql":
        pytest.skip("full-text indexes exist only on PostgreSQL (make test-postgres runs this)")
    tables = ["roles_roleprofile", "competences_competence", "competences_standard"]
    # As in production once autovacuum has run (ANALYZE's table sizes outlive the test's
    # rollback): with real statistics, steering away from sequential scans alone let the
    # planner walk a whole unrelated index and re-parse every row instead.
    with connection.cursor() as cursor:
        for table in [*tables, "roles_level"]:
            cursor.execute(f"ANALYZE {table}")
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": query})
    sqls = [q["sql"] for q in queries]
    searches = [sql for sql in sqls if "ts_rank" in sql]
    assert len(searches) == 3
    # The page itself steers its searches onto the indexes, before the first one runs.
    settings = [sql for sql in sqls[: sqls.index(searches[0])] if sql.startswith("SET LOCAL")]
    assert "SET LOCAL enable_seqscan = off" in settings
    for sql, table, prefix in zip(
        searches, tables, ["role", "competence", "standard"], strict=True
    ):
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for setting in settings:
                cursor.execute("RESET " + setting.split()[2])
        assert f"Seq Scan on {table}" not in plan, plan
        assert f"Bitmap Index Scan on {prefix}_search" in plan, plan
        assert f"Bitmap Index Scan on {prefix}_code_upper" in plan, plan
