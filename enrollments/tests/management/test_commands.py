import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from enrollments import selectors


@pytest.mark.django_db
def test_seed_demo__twice__creates_demo_data_once_and_prints_login(capsys):
    call_command("create_tables")
    call_command("seed_demo")
    call_command("seed_demo")

    assert "Demo staff login: demo / " in capsys.readouterr().out
    assert {c.sk for c in selectors.company_list()} >= {"demo-acme", "demo-globex"}
    assert selectors.seats_left(tenant_id="demo-acme", course_id="demo-nr35") == 25
    assert len(selectors.order_list(tenant_id="demo-acme")) == 2
    assert get_user_model().objects.get(username="demo").is_superuser


def test_create_tables__rerun__says_every_table_exists(capsys):
    call_command("create_tables")
    assert "already exists" in capsys.readouterr().out
