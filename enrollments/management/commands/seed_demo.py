from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from enrollments import selectors
from enrollments.exceptions import CompanyNotFound, CourseNotFound
from enrollments.services import Author, company_create, course_create, order_create

# Acme's learners get their emails in Portuguese, Globex's (an English-speaking team) in English.
COMPANIES = [
    {
        "company_id": "demo-acme",
        "name": "Acme Construções Ltda",
        "cnpj": "11.222.333/0001-81",
        "billing": "prepaid",
        "language": "pt-br",
    },
    {"company_id": "demo-globex", "name": "Globex Energia S.A.", "cnpj": None, "billing": "postpaid", "language": "en"},
]
COURSES = [
    {
        "course_id": "demo-nr35",
        "name": "NR-35 Trabalho em Altura",
        "access_period_days": 180,
        "certificate_validity_days": 730,
    },
    {
        "course_id": "demo-nr10",
        "name": "NR-10 Segurança em Eletricidade",
        "access_period_days": 365,
        "certificate_validity_days": 730,
    },
    {
        "course_id": "demo-nr06",
        "name": "NR-06 Equipamento de Proteção Individual",
        "access_period_days": 30,
        "certificate_validity_days": 365,
    },
]
ORDERS = [("demo-acme", "demo-nr35", 25), ("demo-acme", "demo-nr10", 10)]


class Command(BaseCommand):
    help = "Create demo companies, courses, an order of seats and a staff superuser (once; safe to rerun)."

    def handle(self, *args, **options):
        for company in COMPANIES:
            try:
                selectors.company_get(company["company_id"])
            except CompanyNotFound:
                company_create(**company)
        for course in COURSES:
            try:
                selectors.course_get(course["course_id"])
            except CourseNotFound:
                course_create(**course)
        seeder = Author(id="seed_demo", name="Demo data")
        for tenant_id, course_id, seats in ORDERS:
            if not any(order.course_id == course_id for order in selectors.order_list(tenant_id=tenant_id)):
                order_create(tenant_id=tenant_id, course_id=course_id, seats=seats, author=seeder)

        username, password = settings.DEMO_USERNAME, settings.DEMO_PASSWORD
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username=username, email=f"{username}@example.com", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo staff login: %(username)s / %(password)s") % {"username": username, "password": password}
            )
        )
