//! No request to the JSON API answers 500: every operation of `/api/v1/openapi.json` is driven
//! with broken JSON, wrong types, huge and odd strings, odd numbers, odd path and query
//! parameters — anonymously, as a brand's owner and as a platform admin — and every answer
//! must be a client error (or a success), never a server error.

use crate::support;

use reqwest::{header, Method};
use serde_json::{json, Map, Value};
use support::{brands::live_brand, checkout::sku_on_sale, client};

/// Path parameter values a script would try.
const ODD_PATH_VALUES: &[&str] = &[
    "0",
    "-1",
    "99999999999999999999999999",
    "00000000-0000-0000-0000-000000000000",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%00",
    "%F0%9F%98%80%E2%80%AE",
    "null",
];

/// A string no field expects: control and bidi characters, astral letters, and long.
fn odd_string() -> String {
    format!("\u{0}\u{202E}<script>'\"%s{}", "\u{1D54F}".repeat(3_000))
}

/// A value of the wrong type for `schema` (resolved through `$ref`s in `doc`).
fn wrong_value(doc: &Value, schema: &Value) -> Value {
    let schema = resolve(doc, schema);
    match schema["type"].as_str() {
        Some("string") => json!(123_456_789),
        Some("integer") | Some("number") => json!("twelve"),
        Some("boolean") => json!("yes"),
        Some("array") => json!({ "not": "a list" }),
        Some("object") => json!(["not", "an", "object"]),
        _ => json!([[[]]]),
    }
}

/// An out-of-range or odd value of the right type for `schema`.
fn odd_value(doc: &Value, schema: &Value) -> Value {
    let schema = resolve(doc, schema);
    match schema["type"].as_str() {
        Some("string") => json!(odd_string()),
        Some("integer") => json!(i64::MIN),
        Some("number") => json!(1e300),
        Some("boolean") => json!(true),
        Some("array") => Value::Array(vec![json!(null); 2_000]),
        _ => json!({}),
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema
            .get("allOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(|all| all.get(0))
            .map_or(schema, |first| resolve(doc, first)),
    }
}

/// The bodies tried on an operation that takes one.
fn bodies(doc: &Value, operation: &Value) -> Vec<String> {
    let mut bodies: Vec<String> = [
        "{",
        "[]",
        "\"x\"",
        "123",
        "null",
        "{\"a\":1}",
        "{\"a\":\u{1}}",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let properties = resolve(doc, schema)["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if !properties.is_empty() {
        let with = |value: &dyn Fn(&Value) -> Value| -> String {
            let object: Map<String, Value> = properties
                .iter()
                .map(|(name, schema)| (name.clone(), value(schema)))
                .collect();
            Value::Object(object).to_string()
        };
        bodies.push(with(&|schema| wrong_value(doc, schema)));
        bodies.push(with(&|schema| odd_value(doc, schema)));
        bodies.push(with(&|_| Value::Null));
    }
    bodies
}

/// `path` with each `{parameter}` set: the brand's slug for `{slug}` when `real`, odd values
/// otherwise; and an odd query string for the declared query parameters.
fn urls(operation: &Value, path: &str) -> Vec<String> {
    let query: Vec<String> = operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .map(|name| format!("{name}=%00%E2%80%AE{}", "9".repeat(400)))
        .collect();
    let mut urls = Vec::new();
    for odd in ODD_PATH_VALUES {
        let mut url = String::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').unwrap() + start;
            url.push_str(&rest[..start]);
            url.push_str(if &rest[start + 1..end] == "slug" {
                "lune"
            } else {
                odd
            });
            rest = &rest[end + 1..];
        }
        url.push_str(rest);
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        urls.push(url);
    }
    urls.sort();
    urls.dedup();
    urls
}

db_test!(async fn no_request_to_the_json_api_answers_a_server_error(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    sku_on_sale(&app, &owner, "lune", "COAT-1", 5, None).await;
    let doc: Value = client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let who: [(&str, reqwest::Client); 3] = [("anonymous", client()), ("owner", owner), ("admin", admin)];
    let mut failures = Vec::new();
    let mut sent = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            let takes_body = operation.get("requestBody").is_some() || method != Method::GET;
            let bodies = if takes_body { bodies(&doc, operation) } else { vec![String::new()] };
            for (name, caller) in &who {
                // Signing out would leave the rest of the run anonymous.
                if *name != "anonymous" && path.contains("signout") {
                    continue;
                }
                for url in urls(operation, path) {
                    for body in &bodies {
                        let mut request = caller
                            .request(method.clone(), app.url(&url))
                            .header(header::ORIGIN, app.origin());
                        if takes_body {
                            request = request.header(header::CONTENT_TYPE, "application/json").body(body.clone());
                        }
                        let status = request.send().await.unwrap().status();
                        sent += 1;
                        if status.is_server_error() {
                            let shown: String = body.chars().take(120).collect();
                            failures.push(format!("{status} {method} {url} as {name} with {shown}"));
                        }
                    }
                }
            }
        }
    }
    assert!(sent > 2_000, "only {sent} requests");
    assert!(failures.is_empty(), "{} of {sent} requests answered a server error:\n{}", failures.len(), failures.join("\n"));
});

/// The fuzz's own check: every path parameter but the brand's slug gets each odd value.
#[test]
fn odd_path_values_reach_every_parameter_but_the_slug() {
    let urls = urls(&json!({}), "/api/v1/brands/{slug}/orders/{id}");
    assert_eq!(urls.len(), ODD_PATH_VALUES.len());
    assert!(urls
        .iter()
        .all(|u| u.starts_with("/api/v1/brands/lune/orders/")));
    assert!(urls.contains(&"/api/v1/brands/lune/orders/%00".to_owned()));
}
