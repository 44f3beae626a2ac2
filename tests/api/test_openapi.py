"""The API documents itself: an OpenAPI schema with every operation, and a docs page."""

import json

EXPECTED = {
    "/api/v1/projects": {"get"},
    "/api/v1/projects/{project_id}": {"get"},
    "/api/v1/projects/{project_id}/logframe": {"get"},
    "/api/v1/projects/{project_id}/dhis2-data-values": {"get"},
    "/api/v1/projects/{project_id}/iati-activity": {"get"},
    "/api/v1/indicators": {"get"},
    "/api/v1/indicators/{indicator_id}": {"get"},
    "/api/v1/indicators/{indicator_id}/values": {"get"},
    "/api/v1/persons": {"get", "post"},
    "/api/v1/persons/{person_id}": {"get", "patch"},
    "/api/v1/persons/{person_id}/registrations": {"post"},
    "/api/v1/sessions": {"get", "post"},
    "/api/v1/sessions/{session_id}": {"get"},
    "/api/v1/sessions/{session_id}/attendance": {"get", "post"},
    "/api/v1/sessions/{session_id}/attendance/{person_id}": {"delete"},
    "/api/v1/distributions": {"get", "post"},
    "/api/v1/distributions/{distribution_id}": {"get"},
}


def test_schema_is_json_listing_every_operation_with_its_doc_and_schemas(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Suivi API"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == EXPECTED
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), (method, path)
            assert {"401", "404", "422"} <= set(operation["responses"]), (method, path)
            success = [c for c in operation["responses"] if c.startswith("2")]
            assert len(success) == 1, (method, path)
            if method in ("post", "patch"):
                assert "requestBody" in operation, (method, path)
                assert {"403", "409"} <= set(operation["responses"]), (method, path)
    assert set(schema["components"]["securitySchemes"]) == {"ApiTokenAuth", "SessionAuth"}
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"


def test_every_reference_in_the_schema_resolves(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    text = json.dumps(schema)
    refs = {part.split('"')[0] for part in text.split('"$ref": "')[1:]}
    for ref in refs:
        node = schema
        for key in ref.lstrip("#/").split("/"):
            node = node[key]
        assert node, ref


def test_docs_page_is_served(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
