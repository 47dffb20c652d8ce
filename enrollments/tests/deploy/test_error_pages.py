"""gunicorn with the production settings answers a missing page with the project's 404 page, not Django's."""

import pytest

pytestmark = pytest.mark.slow


def test_page_not_found__production_server__the_projects_pt_br_page(production_server):
    response = production_server.get("/no-such-page/")

    page = response.body.decode()
    assert response.status == 404
    assert 'id="site-name"' in page and "Back office de matrículas" in page
    assert "Página não encontrada" in page and "Não há página neste endereço" in page
    assert "<h1>Not Found</h1>" not in page


def test_page_not_found__production_server_english_reader__english_page(production_server):
    response = production_server.get("/no-such-page/", headers={"Accept-Language": "en"})

    assert response.status == 404
    assert "There is no page at this address" in response.body.decode()
