//! Brand fixtures shared by the brand test files: verified accounts, a platform admin,
//! applications, approvals and invitations, all made through the public API.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{client, TestApp};

/// The password every fixture account uses.
pub const PASSWORD: &str = "runway-drop-2027";

/// A signed-in client of a new account with a verified email.
pub async fn verified(app: &TestApp, name: &str, email: &str) -> reqwest::Client {
    let token = app.sign_up(name, email, PASSWORD).await;
    let verified = app
        .post_json("/api/v1/auth/verify-email", json!({ "token": token }))
        .await;
    assert_eq!(verified.status(), StatusCode::OK);
    let client = client();
    app.sign_in_with(&client, email, PASSWORD).await;
    client
}

/// A signed-in platform admin (made as `gala admin create` does).
pub async fn admin(app: &TestApp) -> reqwest::Client {
    app::auth::service::create_platform_admin(
        &app.db,
        "admin@gala.test",
        "Ada Admin",
        "platform-admin-pass-1",
    )
    .await
    .unwrap();
    let client = client();
    app.sign_in_with(&client, "admin@gala.test", "platform-admin-pass-1")
        .await;
    client
}

pub fn application(slug: &str) -> Value {
    json!({
        "legal_name": format!("{slug} Trading Ltd"),
        "display_name": format!("Brand {slug}"),
        "slug": slug,
        "country": "CN",
        "category": "fashion",
        "contact_email": format!("team@{slug}.test"),
        "description": "Runway-ready clothing for the festival, designed in Shanghai.",
        "licence_number": "91310000-ABC",
    })
}

pub async fn apply(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    let response = app
        .post_json_with(client, "/api/v1/brands/applications", application(slug))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

pub async fn decide(
    app: &TestApp,
    admin: &reqwest::Client,
    id: &str,
    body: Value,
) -> reqwest::Response {
    app.post_json_with(admin, &format!("/api/v1/admin/brands/{id}/decision"), body)
        .await
}

pub async fn get(client: &reqwest::Client, url: String) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

/// An approved brand `slug` owned by a new verified account; returns (admin, owner) clients.
pub async fn live_brand(
    app: &TestApp,
    slug: &str,
    owner_email: &str,
) -> (reqwest::Client, reqwest::Client) {
    let admin = admin(app).await;
    let owner = verified(app, "Olive Owner", owner_email).await;
    let brand = apply(app, &owner, slug).await;
    let approved = decide(
        app,
        &admin,
        brand["id"].as_str().unwrap(),
        json!({ "decision": "approve" }),
    )
    .await;
    assert_eq!(approved.status(), StatusCode::OK);
    (admin, owner)
}

pub async fn invite_token(
    app: &TestApp,
    owner: &reqwest::Client,
    slug: &str,
    email: &str,
    role: &str,
) -> String {
    let response = app
        .post_json_with(
            owner,
            &format!("/api/v1/brands/{slug}/invites"),
            json!({ "email": email, "role": role }),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    super::token_in(
        &app.last_mail_to(&email.to_lowercase()).await.text_body,
        "/invites/accept?token=",
    )
}

/// A new verified account `email` that joined `slug` with `role` through an invitation from
/// `owner`; returns its signed-in client.
pub async fn member(
    app: &TestApp,
    owner: &reqwest::Client,
    slug: &str,
    name: &str,
    email: &str,
    role: &str,
) -> reqwest::Client {
    let token = invite_token(app, owner, slug, email, role).await;
    let client = verified(app, name, email).await;
    let joined = app
        .post_json_with(&client, "/api/v1/invites/accept", json!({ "token": token }))
        .await;
    assert_eq!(joined.status(), StatusCode::OK);
    client
}
