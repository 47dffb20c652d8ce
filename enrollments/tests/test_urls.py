import pytest


@pytest.mark.django_db
def test_root__anonymous__redirects_to_admin_then_login(client):
    response = client.get("/", follow=True)

    assert response.redirect_chain[0][0] == "/admin/"
    assert response.request["PATH_INFO"] == "/admin/login/"
    assert response.status_code == 200
