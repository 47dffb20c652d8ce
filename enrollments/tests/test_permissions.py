"""Staff groups and permissions by name in the reader's language; the stored names stay the code's keys."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from enrollments import permissions
from enrollments.permissions import group_label, permission_label

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "labels"),
    [("pt-br", ["Visualizadores", "Operadores", "Supervisores"]), ("en", ["Viewers", "Operators", "Supervisors"])],
)
def test_group_label__staff_groups__their_labels_and_the_stored_names_unchanged(language, labels):
    with translation.override(language):
        assert [
            group_label(name) for name in (permissions.VIEWERS, permissions.OPERATORS, permissions.SUPERVISORS)
        ] == (labels)
    assert set(Group.objects.values_list("name", flat=True)) >= {"viewers", "operators", "supervisors"}


def test_group_label__group_of_its_own__its_stored_name():
    assert group_label("Financeiro") == "Financeiro"


@pytest.mark.parametrize(
    ("language", "back_office", "django_own"),
    [
        ("pt-br", "Pode cancelar matrículas", "Pode alterar grupo"),
        ("en", "Can cancel enrollments", "Can change group"),
    ],
)
def test_permission_label__back_office_s_and_django_s__in_the_reader_s_language(language, back_office, django_own):
    cancel = Permission.objects.get(codename="cancel_enrollment", content_type__app_label="enrollments")
    change_group = Permission.objects.get(codename="change_group", content_type__app_label="auth")

    with translation.override(language):
        assert (permission_label(cancel), permission_label(change_group)) == (back_office, django_own)
    # Stored as the migrations wrote them.
    assert (cancel.name, change_group.name) == ("Can cancel enrollments", "Can change group")


def test_permission_label__model_gone_or_codename_of_its_own__the_stored_name():
    gone = ContentType.objects.create(app_label="retired", model="thing")
    stale = Permission.objects.create(content_type=gone, codename="add_thing", name="Can add thing")
    own = Permission.objects.create(
        content_type=ContentType.objects.get(app_label="auth", model="group"), codename="audit_group", name="Audit"
    )

    with translation.override("pt-br"):
        assert (permission_label(stale), permission_label(own)) == ("Can add thing", "Audit")
