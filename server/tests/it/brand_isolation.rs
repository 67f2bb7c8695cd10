//! Tenant isolation, swept: every brand-scoped server function (the pages' API, enumerated
//! from the server-function registry), every brand-scoped JSON route (enumerated from the
//! OpenAPI document the router derives) and the pages' plain forms are called for brand B —
//! with the real ids of B's listing, image, location, import, order, show, look, invitation,
//! token and members — by A's owner, a shopper, an anonymous visitor, a revoked token, A's live
//! token and (where a role is needed) B's staff, and must answer 404/401/403 without any of
//! B's data and change nothing; A's owner naming A's brand with B's ids finds nothing. Also
//! brand logos: upload checks, safe serving, and who may change them — on SQLite and
//! PostgreSQL.

use crate::support;

use entity::{brand_api_token, brand_invite, brand_membership, media};
use reqwest::{header, multipart, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{admin, apply, decide, get, member, verified},
    checkout::{order, sku_on_sale, SUCCESS},
    client, png, TestApp,
};

/// Two live brands: `brand-a` owned by Ann and `brand-b` owned by Bo, with a staff member
/// (Sid) in B, a pending invitation in B and an API token of B.
struct Tenants {
    ann: reqwest::Client,
    bo: reqwest::Client,
    sid: reqwest::Client,
    shopper: reqwest::Client,
    b_invite_id: String,
    b_token_id: String,
    b_token: String,
    bo_id: String,
}

async fn two_brands(app: &TestApp) -> Tenants {
    let admin = admin(app).await;
    let ann = verified(app, "Ann", "ann@gala.test").await;
    let bo = verified(app, "Bo", "bo@gala.test").await;
    for (client, slug) in [(&ann, "brand-a"), (&bo, "brand-b")] {
        let brand = apply(app, client, slug).await;
        let id = brand["id"].as_str().unwrap();
        decide(app, &admin, id, json!({ "decision": "approve" })).await;
    }
    let sid = member(app, &bo, "brand-b", "Sid", "sid@gala.test", "staff").await;
    let invite = app
        .post_json_with(
            &bo,
            "/api/v1/brands/brand-b/invites",
            json!({ "email": "ivy@gala.test", "role": "manager" }),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let token = app
        .post_json_with(
            &bo,
            "/api/v1/brands/brand-b/api-tokens",
            json!({ "name": "ERP", "scope": "write" }),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let bo_id = get(&bo, app.url("/api/v1/auth/me"))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Tenants {
        ann,
        bo,
        sid,
        shopper: verified(app, "Sam Shopper", "sam@gala.test").await,
        b_invite_id: invite["id"].as_str().unwrap().to_owned(),
        b_token_id: token["info"]["id"].as_str().unwrap().to_owned(),
        b_token: token["token"].as_str().unwrap().to_owned(),
        bo_id,
    }
}

/// Calls server function `endpoint` as the pages do.
async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let args: serde_json::Map<String, Value> = form
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    let response = app.call_fn(client, endpoint, Value::Object(args)).await;
    (response.status(), response.text().await.unwrap())
}

/// What brand B's data looks like in an answer; none of it may leak.
const B_SECRETS: &[&str] = &[
    "Brand brand-b",
    "team@brand-b.test",
    "brand-b Trading",
    "bo@gala.test",
    "sid@gala.test",
    "ivy@gala.test",
    "ERP",
    "B: warm-up",
];

/// Everything in B that a crossing call could change, to prove nothing did.
async fn b_state(app: &TestApp) -> (u64, u64, u64, Vec<String>) {
    let members = brand_membership::Entity::find().all(&app.db).await.unwrap();
    let roles = members
        .iter()
        .map(|m| format!("{}:{}", m.account_id, m.role.as_str()))
        .collect::<Vec<_>>();
    let invites = brand_invite::Entity::find()
        .filter(brand_invite::Column::RevokedAt.is_null())
        .count(&app.db)
        .await
        .unwrap();
    let live_tokens = brand_api_token::Entity::find()
        .filter(brand_api_token::Column::RevokedAt.is_null())
        .count(&app.db)
        .await
        .unwrap();
    (members.len() as u64, invites, live_tokens, {
        let mut roles = roles;
        roles.sort();
        roles
    })
}

/// Brand B's real rows, by the placeholder the sweep's tables name them with: every id a
/// crossing call sends exists (in B), so a guard that looked the row up without its brand
/// would find it — a 404 proves the scope, not a typo.
async fn b_rows(app: &TestApp, t: &Tenants) -> Vec<(&'static str, String)> {
    let sku = sku_on_sale(app, &t.bo, "brand-b", "B-1", 5, None).await;
    let listings: Value = get(&t.bo, app.url("/api/v1/brands/brand-b/listings"))
        .await
        .json()
        .await
        .unwrap();
    let listing = listings["items"][0]["id"].as_str().unwrap().to_owned();
    let image: Value =
        t.bo.post(app.url(&format!("/api/v1/brands/brand-b/listings/{listing}/images")))
            .header(header::ORIGIN, app.origin())
            .multipart(multipart::Form::new().part(
                "image",
                multipart::Part::bytes(png(300, 300)).file_name("p.png"),
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let locations: Value = get(&t.bo, app.url("/api/v1/brands/brand-b/locations"))
        .await
        .json()
        .await
        .unwrap();
    let csv = "listing_ref,title,category,currency,sku,price\nscarf,Scarf,fashion,CNY,B-2,99\n";
    let import: Value =
        t.bo.post(app.url("/api/v1/brands/brand-b/imports"))
            .header(header::ORIGIN, app.origin())
            .multipart(
                multipart::Form::new().part("file", multipart::Part::text(csv).file_name("c.csv")),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    // The import runs in the background: let it finish, so B's state is still while swept.
    let job_url = app.url(&format!(
        "/api/v1/brands/brand-b/imports/{}",
        import["id"].as_str().unwrap()
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while get(&t.bo, job_url.clone())
        .await
        .json::<Value>()
        .await
        .unwrap()["status"]
        != "done"
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the import did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let placed: Value = client()
        .post(app.url("/api/v1/orders"))
        .json(&order(&sku, 1, "buyer@gala.test", SUCCESS))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let show: Value = app
        .call_fn(
            &t.bo,
            "shows/create",
            json!({ "slug": "brand-b", "input": {
            "title": "B runway", "stream_url": "https://example.com/b.m3u8",
            "starts_at": "2026-11-11T12:00", "ends_at": "2026-11-11T14:00" }}),
        )
        .await
        .json()
        .await
        .unwrap();
    let show_id = show["summary"]["id"].as_str().unwrap().to_owned();
    let with_look: Value = app
        .call_fn(
            &t.bo,
            "shows/add-look",
            json!({ "slug": "brand-b", "id": show_id, "look": {
            "title": "Look 1", "items": [{ "sku_code": "B-1" }] }}),
        )
        .await
        .json()
        .await
        .unwrap();
    let promotion: Value = app
        .post_json_with(
            &t.bo,
            "/api/v1/brands/brand-b/promotions",
            json!({ "kind": "store_threshold", "name": "B: 40 off every 300", "currency": "CNY",
                "amount_off_minor": 4000, "threshold_minor": 30000,
                "starts_at": "2026-11-11T00:00", "ends_at": "2099-11-12T00:00" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let presale: Value = app
        .post_json_with(
            &t.bo,
            "/api/v1/brands/brand-b/presales",
            json!({ "name": "B: warm-up", "currency": "CNY",
                "deposit_starts_at": "2026-11-01T00:00", "deposit_ends_at": "2099-11-10T00:00",
                "balance_starts_at": "2099-11-11T00:00", "balance_ends_at": "2099-11-12T00:00",
                "per_buyer_limit": 2, "refund_multiplier_percent": 200,
                "rules": "Deposits whose balance is not paid by the end of 11.11 are kept.",
                "lines": [{ "sku": sku, "price_minor": 12900, "deposit_minor": 2000, "credit_minor": 3000, "cap": 3 }] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let sid_id = get(&t.sid, app.url("/api/v1/auth/me"))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    vec![
        ("{listing}", listing),
        ("{sku}", sku),
        (
            "{image}",
            image["images"][0]["id"].as_str().unwrap().to_owned(),
        ),
        (
            "{location}",
            locations[0]["id"].as_str().unwrap().to_owned(),
        ),
        ("{import}", import["id"].as_str().unwrap().to_owned()),
        (
            "{order}",
            placed["brands"][0]["id"].as_str().unwrap().to_owned(),
        ),
        ("{line}", String::new()),
        ("{show}", show_id),
        (
            "{look}",
            with_look["looks"][0]["id"].as_str().unwrap().to_owned(),
        ),
        ("{promotion}", promotion["id"].as_str().unwrap().to_owned()),
        ("{presale}", presale["id"].as_str().unwrap().to_owned()),
        ("{invite}", t.b_invite_id.clone()),
        ("{token}", t.b_token_id.clone()),
        ("{member}", sid_id),
        ("{owner}", t.bo_id.clone()),
    ]
}

/// `template` with its placeholders filled: `{slug}` by `slug`, the rest by B's rows.
fn fill(template: &str, slug: &str, rows: &[(&str, String)]) -> String {
    rows.iter()
        .fold(template.replace("{slug}", slug), |text, (key, value)| {
            text.replace(key, value)
        })
}

/// Whether a template names one of B's rows (beyond its slug).
fn names_a_row(template: &str, rows: &[(&str, String)]) -> bool {
    rows.iter().any(|(key, _)| template.contains(key))
}

/// Every brand-scoped server function, with arguments naming B's rows, and the smallest role
/// that may call it. `{slug}` is B's slug (or A's, for the crossing-ids check).
const SCOPED_FUNCTIONS: &[(&str, &str, &str)] = &[
    ("brands/dashboard", r#"{"slug":"{slug}"}"#, "staff"),
    ("brands/team", r#"{"slug":"{slug}"}"#, "manager"),
    (
        "brands/invite",
        r#"{"slug":"{slug}","email":"x@gala.test","role":"manager"}"#,
        "owner",
    ),
    (
        "brands/revoke-invite",
        r#"{"slug":"{slug}","invite_id":"{invite}"}"#,
        "owner",
    ),
    (
        "brands/change-role",
        r#"{"slug":"{slug}","account_id":"{member}","role":"owner"}"#,
        "owner",
    ),
    (
        "brands/remove-member",
        r#"{"slug":"{slug}","account_id":"{owner}"}"#,
        "owner",
    ),
    ("brands/api-tokens", r#"{"slug":"{slug}"}"#, "owner"),
    (
        "brands/create-api-token",
        r#"{"slug":"{slug}","name":"stolen","scope":"write"}"#,
        "owner",
    ),
    (
        "brands/revoke-api-token",
        r#"{"slug":"{slug}","token_id":"{token}"}"#,
        "owner",
    ),
    ("catalog/listings", r#"{"slug":"{slug}"}"#, "staff"),
    (
        "catalog/listing",
        r#"{"slug":"{slug}","id":"{listing}"}"#,
        "staff",
    ),
    (
        "catalog/create-listing",
        r#"{"slug":"{slug}","input":{"title":"Stolen","category":"fashion","currency":"CNY","variants":[{"code":"X-1","price_minor":100}]}}"#,
        "manager",
    ),
    (
        "catalog/update-listing",
        r#"{"slug":"{slug}","id":"{listing}","input":{"title":"Stolen","category":"fashion","currency":"CNY","variants":[{"code":"B-1","price_minor":1}]}}"#,
        "manager",
    ),
    (
        "catalog/listing-status",
        r#"{"slug":"{slug}","id":"{listing}","status":"archived"}"#,
        "manager",
    ),
    (
        "catalog/remove-image",
        r#"{"slug":"{slug}","id":"{listing}","image_id":"{image}"}"#,
        "manager",
    ),
    (
        "catalog/cover-image",
        r#"{"slug":"{slug}","id":"{listing}","image_id":"{image}"}"#,
        "manager",
    ),
    ("catalog/locations", r#"{"slug":"{slug}"}"#, "staff"),
    (
        "catalog/add-location",
        r#"{"slug":"{slug}","name":"Stolen"}"#,
        "manager",
    ),
    (
        "catalog/listing-stock",
        r#"{"slug":"{slug}","id":"{listing}"}"#,
        "staff",
    ),
    (
        "catalog/change-stock",
        r#"{"slug":"{slug}","change":{"kind":"adjust","sku_code":"B-1","location_id":"{location}","quantity":-5,"reason":"x"}}"#,
        "staff",
    ),
    (
        "catalog/movements",
        r#"{"slug":"{slug}","sku_code":"B-1"}"#,
        "staff",
    ),
    ("catalog/imports", r#"{"slug":"{slug}"}"#, "manager"),
    (
        "catalog/import",
        r#"{"slug":"{slug}","id":"{import}"}"#,
        "manager",
    ),
    (
        "fulfilment/orders",
        r#"{"slug":"{slug}","filter":{"q":""}}"#,
        "staff",
    ),
    (
        "fulfilment/order",
        r#"{"slug":"{slug}","id":"{order}"}"#,
        "staff",
    ),
    (
        "fulfilment/ship",
        r#"{"slug":"{slug}","id":"{order}","input":{"carrier":"SF","tracking_number":"1"}}"#,
        "staff",
    ),
    (
        "fulfilment/cancel",
        r#"{"slug":"{slug}","id":"{order}"}"#,
        "manager",
    ),
    (
        "fulfilment/refund",
        r#"{"slug":"{slug}","id":"{order}","input":{"restock":true}}"#,
        "manager",
    ),
    ("shows/brand", r#"{"slug":"{slug}"}"#, "staff"),
    ("shows/get", r#"{"slug":"{slug}","id":"{show}"}"#, "staff"),
    (
        "shows/create",
        r#"{"slug":"{slug}","input":{"title":"Stolen","stream_url":"https://example.com/s.m3u8","starts_at":"2026-11-11T12:00","ends_at":"2026-11-11T14:00"}}"#,
        "staff",
    ),
    (
        "shows/update",
        r#"{"slug":"{slug}","id":"{show}","input":{"title":"Stolen","stream_url":"https://example.com/s.m3u8","starts_at":"2026-11-11T12:00","ends_at":"2026-11-11T14:00"}}"#,
        "staff",
    ),
    (
        "shows/add-look",
        r#"{"slug":"{slug}","id":"{show}","look":{"title":"Look","items":[{"sku_code":"B-1"}]}}"#,
        "manager",
    ),
    (
        "shows/remove-look",
        r#"{"slug":"{slug}","id":"{show}","look_id":"{look}"}"#,
        "manager",
    ),
    (
        "shows/delete",
        r#"{"slug":"{slug}","id":"{show}"}"#,
        "staff",
    ),
    (
        "shows/submit",
        r#"{"slug":"{slug}","id":"{show}"}"#,
        "manager",
    ),
    (
        "shows/produce",
        r#"{"slug":"{slug}","id":"{show}","action":"go_live"}"#,
        "staff",
    ),
    (
        "shows/drop-moments",
        r#"{"slug":"{slug}","id":"{show}","look_id":"{look}","moments":{"envelope_moment":true}}"#,
        "staff",
    ),
    ("shows/drop-coupons", r#"{"slug":"{slug}"}"#, "staff"),
    (
        "shows/moderate",
        r#"{"slug":"{slug}","id":"{show}","message_id":1,"action":"ban"}"#,
        "staff",
    ),
    (
        "shows/figures",
        r#"{"slug":"{slug}","id":"{show}"}"#,
        "staff",
    ),
    ("promotions/list", r#"{"slug":"{slug}"}"#, "staff"),
    ("promotions/settlement", r#"{"slug":"{slug}"}"#, "manager"),
    ("promotions/claim-links", r#"{"slug":"{slug}"}"#, "staff"),
    (
        "promotions/create-claim-link",
        r#"{"slug":"{slug}","input":{"place":"Stolen","envelope":true,"valid_hours":1}}"#,
        "manager",
    ),
    (
        "promotions/create",
        r#"{"slug":"{slug}","input":{"kind":"coupon","name":"Stolen","currency":"CNY","amount_off_minor":100,"coupon_stock":5,"starts_at":"2026-11-11T00:00","ends_at":"2099-11-12T00:00"}}"#,
        "manager",
    ),
    (
        "promotions/submit",
        r#"{"slug":"{slug}","id":"{promotion}"}"#,
        "manager",
    ),
];

/// Server functions that take no brand scope, and why.
const UNSCOPED_FUNCTIONS: &[(&str, &str)] = &[
    ("auth/me", "the caller's own account"),
    ("auth/sign-up", "identity"),
    ("auth/sign-in", "identity"),
    ("auth/sign-out", "identity"),
    ("auth/sign-out-everywhere", "identity"),
    ("auth/verify-email", "identity"),
    ("auth/resend-verification", "identity"),
    ("auth/forgot-password", "identity"),
    ("auth/reset-password", "identity"),
    ("auth/change-password", "identity"),
    ("auth/profile", "identity"),
    ("brands/mine", "the caller's own brands and applications"),
    ("brands/apply", "the caller's own application"),
    ("brands/public", "a live brand as shoppers see it"),
    (
        "brands/accept-invite",
        "the invitation mailed to the caller",
    ),
    (
        "admin/brand-applications",
        "platform admins (only_admins_use_the_review_functions)",
    ),
    (
        "admin/brand-decision",
        "platform admins (only_admins_use_the_review_functions)",
    ),
    ("admin/shows", "platform admins (shows.rs)"),
    ("admin/show-decision", "platform admins (shows.rs)"),
    ("catalog/search", "the storefront"),
    ("catalog/public-listing", "the storefront"),
    ("festival", "the storefront"),
    ("cart", "the caller's own cart"),
    ("cart/size", "the caller's own cart"),
    ("cart/add", "the caller's own cart"),
    ("cart/line", "the caller's own cart"),
    ("checkout/draft", "the caller's own checkout"),
    ("checkout/quote", "prices for anyone"),
    ("checkout/place", "the caller's own order"),
    ("checkout/order", "the caller's own order (checkout.rs)"),
    ("checkout/my-orders", "the caller's own orders"),
    ("shows/public", "public shows"),
    ("shows/state", "public shows"),
    ("shows/one-tap", "the caller's own wallet"),
    ("shows/set-up-one-tap", "the caller's own wallet"),
    ("shows/buy", "the caller's own order"),
    ("shows/chat", "a public show's chat"),
    ("shows/react", "a public show's reactions"),
    ("admin/promotion-reviews", "platform admins (promotions.rs)"),
    (
        "admin/promotion-decision",
        "platform admins (promotions.rs)",
    ),
    ("coupons/claimable", "a live brand's public coupons"),
    ("coupons/claim", "the caller's own wallet"),
    ("coupons/mine", "the caller's own wallet"),
    ("envelopes/play", "the caller's own play"),
    ("envelopes/mine", "the caller's own wallet"),
    ("claim-links/open", "a store code anyone who scans it opens"),
];

/// Calls `endpoint` with `args` (JSON text) as the pages do.
async fn call_json(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    args: &str,
) -> (StatusCode, String) {
    let args: Value =
        serde_json::from_str(args).unwrap_or_else(|e| panic!("{endpoint}: {e}: {args}"));
    let response = app.call_fn(client, endpoint, args).await;
    (response.status(), response.text().await.unwrap())
}

/// A client that presents `token` as a brand's own system would.
fn bearer(token: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .default_headers({
            let mut headers = header::HeaderMap::new();
            headers.insert(
                header::AUTHORIZATION,
                format!("Bearer {token}").parse().unwrap(),
            );
            headers
        })
        .build()
        .unwrap()
}

/// A revoked token of brand A, and a live one.
async fn a_tokens(app: &TestApp, t: &Tenants) -> (reqwest::Client, reqwest::Client) {
    let mut made = Vec::new();
    for name in ["old", "live"] {
        let token: Value = app
            .post_json_with(
                &t.ann,
                "/api/v1/brands/brand-a/api-tokens",
                json!({ "name": name, "scope": "write" }),
            )
            .await
            .json()
            .await
            .unwrap();
        made.push(token);
    }
    let revoked = t
        .ann
        .delete(app.url(&format!(
            "/api/v1/brands/brand-a/api-tokens/{}",
            made[0]["info"]["id"].as_str().unwrap()
        )))
        .header(header::ORIGIN, app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    (
        bearer(made[0]["token"].as_str().unwrap()),
        bearer(made[1]["token"].as_str().unwrap()),
    )
}

/// Everything in B a crossing call could change, as text, to prove nothing did.
async fn b_everything(app: &TestApp, bo: &reqwest::Client) -> String {
    let mut state = format!("{:?}", b_state(app).await);
    for path in [
        "/api/v1/brands/brand-b/listings",
        "/api/v1/brands/brand-b/locations",
        "/api/v1/brands/brand-b/orders",
        "/api/v1/brands/brand-b/team",
        "/api/v1/brands/brand-b/api-tokens",
        "/api/v1/brands/brand-b/promotions",
        "/api/v1/brands/brand-b/presales",
    ] {
        let mut body = get(bo, app.url(path)).await.text().await.unwrap();
        // A token's last use is touched by the (refused) calls that presented it.
        body = body.split("last_used_at").next().unwrap().to_owned();
        state.push_str(&body);
    }
    let shows = app
        .call_fn(bo, "shows/brand", json!({ "slug": "brand-b" }))
        .await
        .text()
        .await
        .unwrap();
    state + &shows
}

db_test!(async fn every_brand_scoped_server_function_refuses_outsiders(app) {
    // Classified from the registry itself: a new server function must be listed above, as
    // brand-scoped (and then swept) or not, before this test passes.
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/fn/").to_owned())
        .collect();
    let classified: std::collections::BTreeSet<String> = SCOPED_FUNCTIONS
        .iter()
        .map(|(name, ..)| (*name).to_owned())
        .chain(UNSCOPED_FUNCTIONS.iter().map(|(name, _)| (*name).to_owned()))
        .collect();
    assert_eq!(registered, classified, "classify every server function");

    let t = two_brands(&app).await;
    let rows = b_rows(&app, &t).await;
    let (revoked, a_live) = a_tokens(&app, &t).await;
    let before = b_everything(&app, &t.bo).await;
    for (endpoint, template, min_role) in SCOPED_FUNCTIONS {
        let args = fill(template, "brand-b", &rows);
        for (who, caller, expected) in [
            ("owner of A", &t.ann, StatusCode::NOT_FOUND),
            ("shopper", &t.shopper, StatusCode::NOT_FOUND),
            ("anonymous", &client(), StatusCode::UNAUTHORIZED),
            ("revoked token", &revoked, StatusCode::UNAUTHORIZED),
            ("A's live token", &a_live, StatusCode::NOT_FOUND),
        ] {
            let (status, body) = call_json(&app, caller, endpoint, &args).await;
            assert_eq!(status, expected, "{who} calling {endpoint}: {body}");
            for secret in B_SECRETS {
                assert!(!body.contains(secret), "{who} calling {endpoint} saw {secret:?}: {body}");
            }
        }
        if *min_role != "staff" {
            let (status, body) = call_json(&app, &t.sid, endpoint, &args).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "staff calling {endpoint}: {body}");
        }
        // A's owner names A's brand but B's rows: the rows are not found in A.
        if names_a_row(template, &rows) {
            let (status, body) = call_json(&app, &t.ann, endpoint, &fill(template, "brand-a", &rows)).await;
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
                "{endpoint} with B's rows under A's slug: {status} {body}"
            );
            for secret in B_SECRETS {
                assert!(!body.contains(secret), "{endpoint} under A's slug saw {secret:?}");
            }
        }
    }
    assert_eq!(b_everything(&app, &t.bo).await, before, "nothing in brand B changed");

    // The same calls by B's owner reach real rows (so the sweep tests real endpoints).
    for (endpoint, template) in [
        ("brands/team", r#"{"slug":"{slug}"}"#),
        ("catalog/listing", r#"{"slug":"{slug}","id":"{listing}"}"#),
        ("catalog/import", r#"{"slug":"{slug}","id":"{import}"}"#),
        ("fulfilment/order", r#"{"slug":"{slug}","id":"{order}"}"#),
        ("shows/get", r#"{"slug":"{slug}","id":"{show}"}"#),
        ("brands/revoke-invite", r#"{"slug":"{slug}","invite_id":"{invite}"}"#),
    ] {
        let (status, body) = call_json(&app, &t.bo, endpoint, &fill(template, "brand-b", &rows)).await;
        assert_eq!(status, StatusCode::OK, "B's owner calling {endpoint}: {body}");
    }
});

/// A request body per brand-scoped JSON route that takes one (`METHOD path`), valid for B.
const JSON_BODIES: &[(&str, &str)] = &[
    (
        "post /api/v1/brands/{slug}/api-tokens",
        r#"{"name":"stolen","scope":"write"}"#,
    ),
    (
        "post /api/v1/brands/{slug}/invites",
        r#"{"email":"x@gala.test","role":"manager"}"#,
    ),
    (
        "put /api/v1/brands/{slug}/members/{account_id}",
        r#"{"role":"owner"}"#,
    ),
    (
        "post /api/v1/brands/{slug}/listings",
        r#"{"title":"Stolen","category":"fashion","currency":"CNY","variants":[{"code":"X-1","price_minor":100}]}"#,
    ),
    (
        "put /api/v1/brands/{slug}/listings/{id}",
        r#"{"title":"Stolen","category":"fashion","currency":"CNY","variants":[{"code":"B-1","price_minor":1}]}"#,
    ),
    (
        "post /api/v1/brands/{slug}/listings/{id}/status",
        r#"{"status":"archived"}"#,
    ),
    (
        "post /api/v1/brands/{slug}/locations",
        r#"{"name":"Stolen"}"#,
    ),
    (
        "put /api/v1/brands/{slug}/stock",
        r#"{"sku_code":"B-1","location_id":"{location}","on_hand":0}"#,
    ),
    (
        "post /api/v1/brands/{slug}/stock/changes",
        r#"{"kind":"adjust","sku_code":"B-1","location_id":"{location}","quantity":-5,"reason":"x"}"#,
    ),
    (
        "post /api/v1/brands/{slug}/promotions",
        r#"{"kind":"coupon","name":"Stolen","currency":"CNY","amount_off_minor":100,"coupon_stock":5,"starts_at":"2026-11-11T00:00","ends_at":"2099-11-12T00:00"}"#,
    ),
    (
        "put /api/v1/brands/{slug}/promotions/{id}",
        r#"{"kind":"store_threshold","name":"Stolen","currency":"CNY","amount_off_minor":1,"threshold_minor":2,"starts_at":"2026-11-11T00:00","ends_at":"2099-11-12T00:00"}"#,
    ),
    (
        "post /api/v1/brands/{slug}/presales",
        r#"{"name":"Stolen","currency":"CNY","deposit_starts_at":"2026-11-01T00:00","deposit_ends_at":"2099-11-10T00:00","balance_starts_at":"2099-11-11T00:00","balance_ends_at":"2099-11-12T00:00","per_buyer_limit":1,"refund_multiplier_percent":200,"rules":"Stolen rules, long enough to pass.","lines":[{"sku":"{sku}","price_minor":10000,"deposit_minor":1000,"credit_minor":1000,"cap":1}]}"#,
    ),
    (
        "put /api/v1/brands/{slug}/presales/{id}",
        r#"{"name":"Stolen","currency":"CNY","deposit_starts_at":"2026-11-01T00:00","deposit_ends_at":"2099-11-10T00:00","balance_starts_at":"2099-11-11T00:00","balance_ends_at":"2099-11-12T00:00","per_buyer_limit":1,"refund_multiplier_percent":200,"rules":"Stolen rules, long enough to pass.","lines":[{"sku":"{sku}","price_minor":10000,"deposit_minor":1000,"credit_minor":1000,"cap":1}]}"#,
    ),
    (
        "post /api/v1/brands/{slug}/claim-links",
        r#"{"place":"Stolen","envelope":true,"valid_hours":1}"#,
    ),
    (
        "put /api/v1/brands/{slug}/shows/{id}/looks/{look_id}/moments",
        r#"{"envelope_moment":true}"#,
    ),
    (
        "post /api/v1/brands/{slug}/orders/{id}/ship",
        r#"{"carrier":"SF","tracking_number":"1"}"#,
    ),
    (
        "post /api/v1/brands/{slug}/orders/{id}/refunds",
        r#"{"restock":true}"#,
    ),
];

/// Each route's path parameters, as B's rows.
fn route_ids(path: &str) -> String {
    let id = if path.contains("/listings/{id}") {
        "{listing}"
    } else if path.contains("/orders/{id}") {
        "{order}"
    } else if path.contains("/imports/{id}") {
        "{import}"
    } else if path.contains("/promotions/{id}") {
        "{promotion}"
    } else if path.contains("/presales/{id}") {
        "{presale}"
    } else if path.contains("/invites/{id}") {
        "{invite}"
    } else if path.contains("/shows/{id}") {
        "{show}"
    } else {
        "{token}"
    };
    path.replace("{id}", id)
        .replace("{image_id}", "{image}")
        .replace("{account_id}", "{member}")
        .replace("{look_id}", "{look}")
        .replace("{code}", "B-1")
}

db_test!(async fn every_brand_scoped_json_route_refuses_outsiders(app) {
    // The routes come from the OpenAPI document, which is derived from the router.
    let document: Value = client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut routes: Vec<(String, String)> = Vec::new();
    for (path, methods) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/brands/{slug}") {
            continue;
        }
        for method in methods.as_object().unwrap().keys() {
            routes.push((method.clone(), path.clone()));
        }
    }
    assert!(routes.len() >= 30, "{routes:?}");
    for (method, path) in &routes {
        let takes_body = document["paths"][path][method]["requestBody"]["content"]["application/json"].is_object();
        let listed = JSON_BODIES.iter().any(|(route, _)| *route == format!("{method} {path}"));
        assert_eq!(takes_body, listed, "{method} {path}: list a valid body in JSON_BODIES");
    }
    // The plain forms the pages post (not part of the JSON API) are swept too.
    for path in server::router::BRAND_FORM_ROUTES {
        routes.push(("post".to_owned(), path.replace("/brand/{slug}", "/api/form/{slug}")));
    }

    let t = two_brands(&app).await;
    let rows = b_rows(&app, &t).await;
    let (revoked, a_live) = a_tokens(&app, &t).await;
    let before = b_everything(&app, &t.bo).await;
    let send = |caller: &reqwest::Client, method: &str, path: &str, slug: &str| {
        let url = if let Some(form) = path.strip_prefix("/api/form") {
            app.url(&fill(&route_ids(&format!("/brand{form}")), slug, &rows))
        } else {
            app.url(&fill(&route_ids(path), slug, &rows))
        };
        let body = JSON_BODIES
            .iter()
            .find(|(route, _)| *route == format!("{method} {path}"))
            .map(|(_, body)| fill(body, slug, &rows));
        let request = caller
            .request(method.to_uppercase().parse().unwrap(), url)
            .header(header::ORIGIN, app.origin());
        let request = match body {
            Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(body),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    for (method, path) in &routes {
        for (who, caller, expected) in [
            ("owner of A", &t.ann, StatusCode::NOT_FOUND),
            ("shopper", &t.shopper, StatusCode::NOT_FOUND),
            ("anonymous", &client(), StatusCode::UNAUTHORIZED),
            ("revoked token", &revoked, StatusCode::UNAUTHORIZED),
            ("A's live token", &a_live, StatusCode::NOT_FOUND),
        ] {
            let (status, body) = send(caller, method, path, "brand-b").await;
            assert_eq!(status, expected, "{who}: {method} {path}: {body}");
            for secret in B_SECRETS {
                assert!(!body.contains(secret), "{who}: {method} {path} saw {secret:?}: {body}");
            }
        }
        if path.contains("{id}") || path.contains("{account_id}") || path.contains("{code}") {
            let (status, body) = send(&t.ann, method, path, "brand-a").await;
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
                "{method} {path} with B's rows under A's slug: {status} {body}"
            );
        }
    }
    assert_eq!(b_everything(&app, &t.bo).await, before, "nothing in brand B changed");
});

db_test!(async fn only_admins_use_the_review_functions(app) {
    let t = two_brands(&app).await;
    let pending = apply(&app, &t.shopper, "brand-c").await;
    let id = pending["id"].as_str().unwrap();
    for (who, caller, expected) in [
        ("owner", &t.bo, StatusCode::FORBIDDEN),
        ("shopper", &t.shopper, StatusCode::FORBIDDEN),
        ("anonymous", &client(), StatusCode::UNAUTHORIZED),
    ] {
        let (status, body) = call(&app, caller, "admin/brand-applications", &[]).await;
        assert_eq!(status, expected, "{who} listing applications: {body}");
        assert!(!body.contains("brand-c"), "{who} saw the queue");
        let (status, _) = call(&app, caller, "admin/brand-decision", &[("brand_id", id), ("decision", "approve")]).await;
        assert_eq!(status, expected, "{who} deciding");
    }
    let status: Value = get(&t.shopper, app.url("/api/v1/me/brands")).await.json().await.unwrap();
    assert_eq!(status[0]["status"], "pending", "no decision was taken");
});

fn logo_form(bytes: Vec<u8>, file_name: &str, declared_type: &str) -> multipart::Form {
    let part = multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str(declared_type)
        .unwrap();
    multipart::Form::new().part("logo", part)
}

async fn upload_logo(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    form: multipart::Form,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/brands/{slug}/logo")))
        .header(header::ORIGIN, app.origin())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

db_test!(async fn logos_are_checked_reencoded_and_served_as_images_only(app) {
    let t = two_brands(&app).await;
    let saved = upload_logo(&app, &t.bo, "brand-b", logo_form(png(800, 400), "logo.png", "image/png")).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let url = saved.json::<Value>().await.unwrap()["logo_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/media/") && url.ends_with(".png"), "{url}");

    let served = client().get(app.url(&url)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(served.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(served.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
    let image = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!((image.width(), image.height()), (512, 256), "scaled to 512 px, shape kept");

    // Shoppers see it on the public brand.
    let public: Value = get(&client(), app.url("/api/v1/public/brands/brand-b")).await.json().await.unwrap();
    assert_eq!(public["logo_url"], url.as_str());

    // Not an image, whatever it claims to be: refused with a field error.
    let html = upload_logo(&app, &t.bo, "brand-b", logo_form(b"<html><script>alert(1)</script></html>".to_vec(), "logo.png", "image/png")).await;
    assert_eq!(html.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = html.json().await.unwrap();
    assert_eq!(error["error"]["code"], "validation");
    assert!(error["error"]["fields"]["logo"][0].as_str().unwrap().contains("PNG, JPEG or WebP"));
    let tiny = upload_logo(&app, &t.bo, "brand-b", logo_form(png(10, 10), "tiny.png", "image/png")).await;
    assert_eq!(tiny.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_multipart = app.post_json_with(&t.bo, "/api/v1/brands/brand-b/logo", json!({ "logo": "x" })).await;
    assert_eq!(not_multipart.status(), StatusCode::BAD_REQUEST);
    // Over the body limit: answered 413 before the body is read — the server may even close
    // the connection while the client is still sending. Either way nothing is stored.
    let too_big = t.bo
        .post(app.url("/api/v1/brands/brand-b/logo"))
        .header(header::ORIGIN, app.origin())
        .multipart(logo_form(vec![0u8; 3 * 1024 * 1024], "big.png", "image/png"))
        .send()
        .await;
    match too_big {
        Ok(response) => {
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            // The unread rest of the body ends the connection; the client is told so and
            // must not reuse it (the next upload below goes out on this client's pool).
            assert_eq!(response.headers()[header::CONNECTION], "close");
        }
        Err(error) => assert!(error.is_request(), "{error}"),
    }
    assert_eq!(media::Entity::find().count(&app.db).await.unwrap(), 1, "only the first logo is stored");

    // A new logo replaces the old one, which is deleted.
    let replaced = upload_logo(&app, &t.bo, "brand-b", logo_form(png(100, 100), "new.png", "image/png")).await;
    let new_url = replaced.json::<Value>().await.unwrap()["logo_url"].as_str().unwrap().to_owned();
    assert_ne!(new_url, url);
    assert_eq!(client().get(app.url(&url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(media::Entity::find().count(&app.db).await.unwrap(), 1);
    // Unknown or malformed media names are plain 404s.
    assert_eq!(client().get(app.url("/media/not-a-file.png")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let wrong_ext = new_url.replace(".png", ".jpg");
    assert_eq!(client().get(app.url(&wrong_ext)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
});

db_test!(async fn only_the_brand_and_its_applicant_change_its_logo(app) {
    let t = two_brands(&app).await;
    let upload = |client: reqwest::Client| {
        let app = &app;
        async move { upload_logo(app, &client, "brand-b", logo_form(png(80, 80), "l.png", "image/png")).await.status() }
    };
    assert_eq!(upload(t.ann.clone()).await, StatusCode::NOT_FOUND, "another brand's owner");
    assert_eq!(upload(t.shopper.clone()).await, StatusCode::NOT_FOUND, "a shopper");
    assert_eq!(upload(client()).await, StatusCode::UNAUTHORIZED, "anonymous");
    assert_eq!(upload(t.sid.clone()).await, StatusCode::FORBIDDEN, "staff");
    assert_eq!(media::Entity::find().count(&app.db).await.unwrap(), 0, "nothing was stored");

    // B's own system with a write token may.
    let by_token = reqwest::Client::new()
        .post(app.url("/api/v1/brands/brand-b/logo"))
        .bearer_auth(&t.b_token)
        .multipart(logo_form(png(80, 80), "l.png", "image/png"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), StatusCode::OK);
    // But B's token is not A's.
    let cross = reqwest::Client::new()
        .post(app.url("/api/v1/brands/brand-a/logo"))
        .bearer_auth(&t.b_token)
        .multipart(logo_form(png(80, 80), "l.png", "image/png"))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::NOT_FOUND);

    // An applicant adds a logo while the application is under review, and only to their own.
    apply(&app, &t.shopper, "brand-c").await;
    let own = upload_logo(&app, &t.shopper, "brand-c", logo_form(png(80, 80), "c.png", "image/png")).await;
    assert_eq!(own.status(), StatusCode::OK);
    let not_theirs = upload_logo(&app, &t.shopper, "brand-b", logo_form(png(80, 80), "c.png", "image/png")).await;
    assert_eq!(not_theirs.status(), StatusCode::NOT_FOUND);
    let mine: Value = get(&t.shopper, app.url("/api/v1/me/brands")).await.json().await.unwrap();
    assert!(mine[0]["logo_url"].as_str().unwrap().starts_with("/media/"));
});

db_test!(async fn the_logo_form_redirects_back_with_the_outcome(app) {
    let t = two_brands(&app).await;
    let post = |form: multipart::Form| {
        t.bo.post(app.url("/brand/brand-b/logo")).header(header::ORIGIN, app.origin()).multipart(form).send()
    };
    let saved = post(logo_form(png(90, 90), "l.png", "image/png")).await.unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()[header::LOCATION], "/brand/brand-b?logo=saved");
    let refused = post(logo_form(b"GIF89a....".to_vec(), "l.gif", "image/gif")).await.unwrap();
    assert_eq!(refused.headers()[header::LOCATION], "/brand/brand-b?logo_error=wrong_type");
    let empty = post(multipart::Form::new().text("logo", "")).await.unwrap();
    assert_eq!(empty.headers()[header::LOCATION], "/brand/brand-b?logo_error=missing");
    // A form posted from another site is refused before anything is read.
    let forged = t.bo.post(app.url("/brand/brand-b/logo")).header(header::ORIGIN, "https://evil.example").multipart(logo_form(png(90, 90), "l.png", "image/png")).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
});
