"""VACUUM (ANALYZE) the entry-name table after migrations 0020 and 0021 rewrote every row.

Their UPDATEs leave each row's old version dead and clear the visibility map, so until a
vacuum the filter indexes' index-only walks read the table, and the table is twice its size;
the planner also needs the new columns' statistics (and the multivariate ones) at once.
VACUUM cannot run in a transaction: this migration is not atomic (it only vacuums; running
it again is harmless). At 1,000,000 entries: about 11 s on an idle machine.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sanctions", "0021_entry_facets")]

    operations = [
        migrations.RunSQL("VACUUM (ANALYZE) scs_public_entry_name;", migrations.RunSQL.noop)
    ]
