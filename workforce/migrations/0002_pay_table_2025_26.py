"""The 2025/26 Agenda for Change pay table for England, every band unconfirmed.

The figures apply the 3.6% award from 1 April 2025 to every pay point; they were not
taken from NHS Employers' own pay scales, so each band stays unconfirmed until an editor
checks it there and ticks it in the admin.
"""

import datetime

from django.db import migrations

BANDS = [
    ("2", 24465, 24465),
    ("3", 24937, 26598),
    ("4", 27485, 30162),
    ("5", 31049, 37796),
    ("6", 38682, 46580),
    ("7", 47810, 54710),
    ("8a", 55690, 62682),
    ("8b", 64455, 74896),
    ("8c", 76965, 88682),
    ("8d", 91342, 105337),
    ("9", 109179, 125637),
]


def add_table(apps, schema_editor):
    PayTable = apps.get_model("workforce", "PayTable")
    PayBand = apps.get_model("workforce", "PayBand")
    table, created = PayTable.objects.get_or_create(
        year="2025/26",
        defaults={
            "applies_from": datetime.date(2025, 4, 1),
            "source": "NHS Agenda for Change pay scales for England, with the 3.6% award "
            "from 1 April 2025",
            "source_url": "https://www.healthcareers.nhs.uk/working-health/working-nhs/"
            "nhs-pay-and-benefits/agenda-change-pay-rates",
            "note": "Basic annual pay for a full-time post, before any high cost area "
            "supplement. Staff move up the pay points within a band over time.",
        },
    )
    if created:
        PayBand.objects.bulk_create(
            PayBand(table=table, band=band, position=n, minimum=low, maximum=high)
            for n, (band, low, high) in enumerate(BANDS)
        )


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_pay_table")]

    operations = [migrations.RunPython(add_table, migrations.RunPython.noop)]
