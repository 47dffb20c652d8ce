# The permissions of the back office: an unmanaged model, so no table.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='BackOffice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ],
            options={
                'verbose_name': 'back office',
                'permissions': [('view_backoffice', 'Can view enrollments, companies, courses and orders'), ('enroll', 'Can enroll people'), ('cancel_enrollment', 'Can cancel enrollments'), ('record_completion', 'Can record course completions'), ('create_order', 'Can create orders of seats'), ('manage_companies', 'Can create companies'), ('manage_courses', 'Can create courses')],
                'managed': False,
                'default_permissions': (),
            },
        ),
    ]
