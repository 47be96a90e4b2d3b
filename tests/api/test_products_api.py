"""Public product search and the API's own documentation."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_search_lists_oat_milk_first_with_a_string_price(client: TestClient) -> None:
    response = client.get("/products", params={"q": "oat milk"})
    assert response.status_code == 200
    products = response.json()
    assert products[0]["sku"] == "MILK-OAT-1L"
    assert products[0]["price"] == "2.79"
    assert isinstance(products[0]["price"], str)
    assert products[0] == {
        "sku": "MILK-OAT-1L",
        "name": "Oat Milk 1 L",
        "price": "2.79",
        "stock": 50,
        "options": {},
        "option_prices": {},
        "category": "dairy",
        "unit": "carton",
        "aliases": ["oat milk", "oatly", "oat drink", "milk"],
        "description": "Oat drink one litre",
        "active": True,
    }


def test_search_returns_options_as_groups(client: TestClient) -> None:
    [latte, *_] = client.get("/products", params={"q": "large oat latte"}).json()
    assert latte["sku"] == "LATTE"
    assert latte["options"] == {
        "size": ["small", "medium", "large"],
        "milk": ["whole", "oat", "skim", "almond"],
    }


def test_search_limit_and_category(client: TestClient) -> None:
    assert len(client.get("/products", params={"q": "milk", "limit": 2}).json()) == 2
    dairy = client.get("/products", params={"q": "chocolate", "category": "cafe"}).json()
    assert [p["sku"] for p in dairy] == ["HOT-CHOC"]
    assert client.get("/products", params={"q": "flux capacitor"}).json() == []


def test_listing_without_a_query(client: TestClient) -> None:
    everything = client.get("/products", params={"limit": 200}).json()
    assert len(everything) == 42
    assert [p["category"] for p in everything] == sorted(p["category"] for p in everything)
    produce = client.get("/products", params={"category": "Produce"}).json()
    assert {p["category"] for p in produce} == {"produce"}
    assert "BANANA" in {p["sku"] for p in produce}
    assert len(client.get("/products").json()) == 20  # default page


def test_read_one_product(client: TestClient) -> None:
    response = client.get("/products/EGGS-12")
    assert response.status_code == 200
    assert response.json()["price"] == "4.50"
    missing = client.get("/products/NOPE")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "detail": "no product with SKU NOPE"}


def test_docs_and_openapi(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/products", "/cart/items", "/checkout", "/admin/catalog/import"):
        assert path in paths
    assert "text/csv" in paths["/admin/catalog/import"]["post"]["requestBody"]["content"]
