//! The OpenAPI document at `/api/v1/openapi.json`: complete (every reference resolves, every
//! operation documents its success and its errors) and true (real answers carry what the
//! schemas promise).

use crate::support;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use support::{brands::live_brand, Backend, TestApp};

async fn document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    response.json().await.unwrap()
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The schema named `name`, with `$ref`s to other components followed by the caller.
fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let found = &doc["components"]["schemas"][name];
    assert!(found.is_object(), "schema {name} is in the document");
    found
}

/// Asserts that `value` has every property `schema` marks as required (recursing into
/// referenced object schemas and arrays of them).
fn conforms(doc: &Value, schema_value: &Value, value: &Value, at: &str) {
    if let Some(reference) = schema_value["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return conforms(doc, schema(doc, name), value, at);
    }
    if let Some(items) = schema_value.get("items") {
        for (i, item) in value.as_array().into_iter().flatten().enumerate() {
            conforms(doc, items, item, &format!("{at}[{i}]"));
        }
        return;
    }
    for required in schema_value["required"].as_array().into_iter().flatten() {
        let name = required.as_str().unwrap();
        let field = value.get(name);
        assert!(
            field.is_some(),
            "{at}.{name} is required by the schema but missing in {value}"
        );
        if let Some(property) = schema_value["properties"].get(name) {
            conforms(doc, property, field.unwrap(), &format!("{at}.{name}"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_complete_and_every_reference_resolves() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["title"], "Gala API");

    let paths = doc["paths"].as_object().unwrap();
    for (path, operations) in [
        ("/api/v1/listings", &["get"][..]),
        ("/api/v1/listings/{id}", &["get"]),
        ("/api/v1/brands/{slug}/listings", &["get", "post"]),
        ("/api/v1/brands/{slug}/listings/{id}", &["get", "put"]),
        ("/api/v1/brands/{slug}/stock", &["put"]),
        ("/api/v1/brands/{slug}/stock/changes", &["post"]),
        ("/api/v1/brands/{slug}/imports", &["post"]),
        ("/api/v1/auth/signin", &["post"]),
    ] {
        for operation in operations {
            assert!(
                paths[path][operation].is_object(),
                "{operation} {path} is documented"
            );
        }
    }
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|code| code.starts_with('2')),
                "{method} {path} documents its success"
            );
            assert!(
                responses.contains_key("4XX"),
                "{method} {path} documents its errors"
            );
            // Every `{name}` in the path is a documented path parameter.
            for name in path
                .split('{')
                .skip(1)
                .map(|rest| &rest[..rest.find('}').unwrap()])
            {
                assert!(
                    operation["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| {
                            p["name"] == name && p["in"] == "path" && p["required"] == true
                        }),
                    "{method} {path} documents its `{name}` parameter"
                );
            }
        }
    }
    assert!(operations >= 47, "{operations} operations");

    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for reference in all {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} points into components"));
        schema(&doc, name);
    }

    // Search documents its filters; brand endpoints accept a bearer token.
    let search_parameters: Vec<&str> = paths["/api/v1/listings"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q",
        "category",
        "brand",
        "min_price",
        "max_price",
        "in_stock",
        "sort",
        "after",
        "limit",
    ] {
        assert!(
            search_parameters.contains(&name),
            "search documents `{name}`"
        );
    }
    let security = &paths["/api/v1/brands/{slug}/listings"]["post"]["security"];
    assert!(security
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.get("bearer").is_some()));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let required = schema(&doc, "ListingInput")["required"].as_array().unwrap();
    for field in ["title", "category", "currency", "variants"] {
        assert!(
            required.contains(&json!(field)),
            "ListingInput requires {field}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_carry_what_the_schemas_promise() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let doc = document(&app).await;
    let (_admin, owner) = live_brand(&app, "lotus-atelier", "owner@lotus.test").await;
    let response = app
        .post_json_with(
            &owner,
            "/api/v1/brands/lotus-atelier/listings",
            json!({
                "title": "Moonlight silk scarf",
                "category": "fashion",
                "currency": "CNY",
                "variants": [{ "code": "SCARF-1", "price_minor": 29900 }],
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let success = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            .clone()
    };
    conforms(
        &doc,
        &success("/api/v1/brands/{slug}/listings", "post", "201"),
        &created,
        "listing",
    );
    let id = created["id"].as_str().unwrap();
    let published = app
        .post_json_with(
            &owner,
            &format!("/api/v1/brands/lotus-atelier/listings/{id}/status"),
            json!({ "status": "published" }),
        )
        .await;
    assert_eq!(published.status(), StatusCode::OK);

    let page: Value = app
        .client
        .get(app.url("/api/v1/listings?q=silk"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    conforms(
        &doc,
        &success("/api/v1/listings", "get", "200"),
        &page,
        "page",
    );

    // A refusal has the documented error shape.
    let refused = app
        .post_json_with(
            &owner,
            "/api/v1/brands/lotus-atelier/listings",
            json!({ "title": "" }),
        )
        .await;
    assert_eq!(refused.status().as_u16() / 100, 4);
    let body: Value = refused.json().await.unwrap();
    conforms(
        &doc,
        &json!({ "$ref": "#/components/schemas/ErrorBody" }),
        &body,
        "error",
    );
}
