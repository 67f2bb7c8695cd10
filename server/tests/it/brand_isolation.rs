//! Tenant isolation of every brand-scoped server function (the pages' API), and brand logos:
//! upload checks, safe serving, and who may change them — on SQLite and PostgreSQL.
//!
//! The JSON API's isolation is in `brands.rs`; here each `/api/fn/...` endpoint is called the
//! way the pages call it (form-encoded, with the browser's `Origin`) by a member of another
//! brand, a shopper, an anonymous visitor, a revoked API token and a staff member, and must
//! answer 404/401/403 without any of the target brand's data — and change nothing.

use crate::support;

use entity::{brand_api_token, brand_invite, brand_membership, media};
use reqwest::{header, multipart, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{admin, apply, decide, get, member, verified},
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

/// An order id for the order endpoints (that B's orders stay B's, with real orders, is in
/// `fulfilment.rs`; here the guard must answer before any order is looked up).
const SOME_ORDER: &str = "0190a3c4-0000-7000-8000-000000000001";

db_test!(async fn no_server_function_crosses_into_another_brand(app) {
    let t = two_brands(&app).await;
    let sid_id = get(&t.sid, app.url("/api/v1/auth/me")).await.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // (endpoint, form, the smallest role that may call it)
    type Call<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let calls: Vec<Call> = vec![
        ("brands/dashboard", vec![("slug", "brand-b")], "staff"),
        ("brands/team", vec![("slug", "brand-b")], "manager"),
        ("brands/invite", vec![("slug", "brand-b"), ("email", "x@gala.test"), ("role", "manager")], "owner"),
        ("brands/revoke-invite", vec![("slug", "brand-b"), ("invite_id", &t.b_invite_id)], "owner"),
        ("brands/change-role", vec![("slug", "brand-b"), ("account_id", &sid_id), ("role", "owner")], "owner"),
        ("brands/remove-member", vec![("slug", "brand-b"), ("account_id", &t.bo_id)], "owner"),
        ("brands/api-tokens", vec![("slug", "brand-b")], "owner"),
        ("brands/create-api-token", vec![("slug", "brand-b"), ("name", "stolen"), ("scope", "write")], "owner"),
        ("brands/revoke-api-token", vec![("slug", "brand-b"), ("token_id", &t.b_token_id)], "owner"),
        ("fulfilment/orders", vec![("slug", "brand-b"), ("filter[q]", "")], "staff"),
        ("fulfilment/order", vec![("slug", "brand-b"), ("id", SOME_ORDER)], "staff"),
        ("fulfilment/ship", vec![("slug", "brand-b"), ("id", SOME_ORDER), ("input[carrier]", "SF"), ("input[tracking_number]", "1")], "staff"),
        ("fulfilment/cancel", vec![("slug", "brand-b"), ("id", SOME_ORDER)], "manager"),
        ("fulfilment/refund", vec![("slug", "brand-b"), ("id", SOME_ORDER), ("input[restock]", "true")], "manager"),
        ("shows/brand", vec![("slug", "brand-b")], "staff"),
        ("shows/get", vec![("slug", "brand-b"), ("id", SOME_ORDER)], "staff"),
        ("shows/create", vec![("slug", "brand-b"), ("input[title]", "Runway"), ("input[stream_url]", "https://example.com/s.m3u8"), ("input[starts_at]", "2026-11-11T12:00"), ("input[ends_at]", "2026-11-11T14:00")], "staff"),
        ("shows/add-look", vec![("slug", "brand-b"), ("id", SOME_ORDER), ("look[title]", "Look"), ("look[items][0][sku_code]", "B-1")], "staff"),
        ("shows/submit", vec![("slug", "brand-b"), ("id", SOME_ORDER)], "manager"),
        ("shows/produce", vec![("slug", "brand-b"), ("id", SOME_ORDER), ("action", "go_live")], "staff"),
        ("shows/moderate", vec![("slug", "brand-b"), ("id", SOME_ORDER), ("message_id", "1"), ("action", "ban")], "staff"),
        ("shows/figures", vec![("slug", "brand-b"), ("id", SOME_ORDER)], "staff"),
    ];
    let before = b_state(&app).await;
    // The revoked token of another brand: Ann makes one for A and revokes it.
    let a_token: Value = app.post_json_with(&t.ann, "/api/v1/brands/brand-a/api-tokens", json!({ "name": "old", "scope": "write" })).await.json().await.unwrap();
    let revoked = t.ann.delete(app.url(&format!("/api/v1/brands/brand-a/api-tokens/{}", a_token["info"]["id"].as_str().unwrap()))).header(header::ORIGIN, app.origin()).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let revoked_token = reqwest::Client::builder().default_headers({
        let mut headers = header::HeaderMap::new();
        headers.insert(header::AUTHORIZATION, format!("Bearer {}", a_token["token"].as_str().unwrap()).parse().unwrap());
        headers
    }).build().unwrap();

    for (endpoint, form, min_role) in &calls {
        for (who, caller, expected) in [
            ("owner of A", &t.ann, StatusCode::NOT_FOUND),
            ("shopper", &t.shopper, StatusCode::NOT_FOUND),
            ("anonymous", &client(), StatusCode::UNAUTHORIZED),
            ("revoked token", &revoked_token, StatusCode::UNAUTHORIZED),
        ] {
            let (status, body) = call(&app, caller, endpoint, form).await;
            assert_eq!(status, expected, "{who} calling {endpoint}: {body}");
            for secret in B_SECRETS {
                assert!(!body.contains(secret), "{who} calling {endpoint} saw {secret:?}: {body}");
            }
        }
        if *min_role != "staff" {
            let (status, body) = call(&app, &t.sid, endpoint, form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "staff calling {endpoint}: {body}");
        }
    }
    // Ann names her own brand but B's invitation, member or token ids: still nothing.
    for (endpoint, form) in [
        ("brands/revoke-invite", vec![("slug", "brand-a"), ("invite_id", t.b_invite_id.as_str())]),
        ("brands/change-role", vec![("slug", "brand-a"), ("account_id", sid_id.as_str()), ("role", "owner")]),
        ("brands/remove-member", vec![("slug", "brand-a"), ("account_id", t.bo_id.as_str())]),
        ("brands/revoke-api-token", vec![("slug", "brand-a"), ("token_id", t.b_token_id.as_str())]),
    ] {
        let (status, body) = call(&app, &t.ann, endpoint, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint} with B's id under A's slug: {body}");
    }
    assert_eq!(b_state(&app).await, before, "nothing in brand B changed");
    // B's live token still works: the revoke attempts above did nothing.
    let bearer = reqwest::Client::new().get(app.url("/api/v1/brands/brand-b")).bearer_auth(&t.b_token).send().await.unwrap();
    assert_eq!(bearer.status(), StatusCode::OK);

    // The same calls by B's owner succeed (so the sweep tests real endpoints, not typos).
    let (status, body) = call(&app, &t.bo, "brands/team", &[("slug", "brand-b")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("sid@gala.test"));
    let (status, _) = call(&app, &t.bo, "brands/revoke-invite", &[("slug", "brand-b"), ("invite_id", &t.b_invite_id)]).await;
    assert_eq!(status, StatusCode::OK);
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
