from django.core.management.base import BaseCommand

from enrollments.dynamo.connection import create_tables


class Command(BaseCommand):
    help = "Create the DynamoDB tables that are missing (safe to rerun)."

    def handle(self, *args, **options):
        created = create_tables()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {', '.join(created)}."))
        else:
            self.stdout.write("Every table already exists.")
