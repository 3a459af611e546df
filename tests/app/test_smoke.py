def test_home_page_shows_the_organisation(client, org):
    response = client.get("/")
    assert response.status_code == 200
    assert "CA de Lens - Liévin" in response.text
