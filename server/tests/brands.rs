//! Brands as tenants: applying, the admin review life cycle with mails and audit, suspension,
//! and isolation between brands — on SQLite and PostgreSQL.

mod support;

use entity::{audit_event, brand_membership};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use support::{client, TestApp};

const PASSWORD: &str = "runway-drop-2027";

/// A signed-in client of a new account with a verified email.
async fn verified(app: &TestApp, name: &str, email: &str) -> reqwest::Client {
    let token = app.sign_up(name, email, PASSWORD).await;
    let verified = app.post_json("/api/v1/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(verified.status(), StatusCode::OK);
    let client = client();
    app.sign_in_with(&client, email, PASSWORD).await;
    client
}

/// A signed-in platform admin (made as `gala admin create` does).
async fn admin(app: &TestApp) -> reqwest::Client {
    app::auth::service::create_platform_admin(&app.db, "admin@gala.test", "Ada Admin", "platform-admin-pass-1").await.unwrap();
    let client = client();
    app.sign_in_with(&client, "admin@gala.test", "platform-admin-pass-1").await;
    client
}

fn application(slug: &str) -> Value {
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

async fn apply(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    let response = app.post_json_with(client, "/api/v1/brands/applications", application(slug)).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn decide(app: &TestApp, admin: &reqwest::Client, id: &str, body: Value) -> reqwest::Response {
    app.post_json_with(admin, &format!("/api/v1/admin/brands/{id}/decision"), body).await
}

async fn get(client: &reqwest::Client, url: String) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

db_test!(async fn only_verified_accounts_can_apply(app) {
    let anonymous = app.post_json_with(&client(), "/api/v1/brands/applications", application("lune")).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.sign_up("Una", "una@gala.test", PASSWORD).await;
    let unverified = client();
    app.sign_in_with(&unverified, "una@gala.test", PASSWORD).await;
    let refused = app.post_json_with(&unverified, "/api/v1/brands/applications", application("lune")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["code"], "email_not_verified");
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    let brand = apply(&app, &mia, "lune").await;
    assert_eq!(brand["status"], "pending");
});

db_test!(async fn applications_are_validated_and_slugs_are_unique(app) {
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    let bad = app.post_json_with(&mia, "/api/v1/brands/applications", json!({
        "legal_name": "", "display_name": "B", "slug": "Not A Slug", "country": "China", "category": "guns",
        "contact_email": "x", "description": "short", "licence_number": "",
    })).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.json::<Value>().await.unwrap()["error"]["fields"];
    for field in ["legal_name", "display_name", "slug", "country", "category", "contact_email", "description", "licence_number"] {
        assert!(fields[field].is_array(), "{field} missing in {fields}");
    }
    apply(&app, &mia, "lune").await;
    let lee = verified(&app, "Lee", "lee@gala.test").await;
    let taken = app.post_json_with(&lee, "/api/v1/brands/applications", application("lune")).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.json::<Value>().await.unwrap()["error"]["fields"]["slug"][0].as_str().unwrap().contains("taken"));
});

db_test!(async fn the_review_queue_is_for_admins_oldest_first_filtered_and_paged(app) {
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    for i in 0..21 {
        apply(&app, &mia, &format!("brand-{i:02}")).await;
    }
    apply(&app, &mia, "lune-beauty").await;
    let queue = app.url("/api/v1/admin/brand-applications");
    assert_eq!(get(&client(), queue.clone()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get(&mia, queue.clone()).await.status(), StatusCode::FORBIDDEN);

    let admin = admin(&app).await;
    let first: Value = get(&admin, queue.clone()).await.json().await.unwrap();
    let slugs: Vec<&str> = first["items"].as_array().unwrap().iter().map(|b| b["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), 20);
    assert_eq!(slugs[0], "brand-00", "oldest first");
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second: Value = get(&admin, format!("{queue}?after={cursor}")).await.json().await.unwrap();
    let rest: Vec<&str> = second["items"].as_array().unwrap().iter().map(|b| b["slug"].as_str().unwrap()).collect();
    assert_eq!(rest, ["brand-20", "lune-beauty"]);
    assert!(second["next_cursor"].is_null());

    let found: Value = get(&admin, format!("{queue}?q=LUNE")).await.json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let bad_cursor = get(&admin, format!("{queue}?after=nonsense")).await;
    assert_eq!(bad_cursor.status(), StatusCode::BAD_REQUEST);
});

db_test!(async fn approval_makes_the_applicant_owner_mails_them_and_is_audited(app) {
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    let brand = apply(&app, &mia, "lune").await;
    let id = brand["id"].as_str().unwrap();
    assert_eq!(get(&client(), app.url("/api/v1/public/brands/lune")).await.status(), StatusCode::NOT_FOUND, "not public before approval");

    let admin = admin(&app).await;
    let approved = decide(&app, &admin, id, json!({ "decision": "approve" })).await;
    assert_eq!(approved.status(), StatusCode::OK);
    assert_eq!(approved.json::<Value>().await.unwrap()["status"], "approved");

    let owner = brand_membership::Entity::find().one(&app.db).await.unwrap().expect("a membership");
    assert_eq!(owner.role, "owner");
    assert!(app.last_mail_to("mia@gala.test").await.subject.contains("approved"));
    let event = audit_event::Entity::find().filter(audit_event::Column::Action.eq("brand.approved")).one(&app.db).await.unwrap().expect("audited");
    assert_eq!(event.subject.as_deref(), Some("lune"));
    assert!(event.actor_account_id.is_some(), "the admin's id is recorded");

    let team: Value = get(&mia, app.url("/api/v1/brands/lune")).await.json().await.unwrap();
    assert_eq!(team["status"], "approved");
    let public: Value = get(&client(), app.url("/api/v1/public/brands/lune")).await.json().await.unwrap();
    assert_eq!(public["display_name"], "Brand lune");
    assert!(public.get("licence_number").is_none(), "shoppers see only public fields");

    let again = decide(&app, &admin, id, json!({ "decision": "approve" })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
});

db_test!(async fn rejections_and_change_requests_need_a_reason_and_can_be_resubmitted(app) {
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    let admin = admin(&app).await;
    let first = apply(&app, &mia, "lune").await;
    let no_reason = decide(&app, &admin, first["id"].as_str().unwrap(), json!({ "decision": "reject" })).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let changes = decide(&app, &admin, first["id"].as_str().unwrap(), json!({ "decision": "request_changes", "reason": "Upload a clearer licence number." })).await;
    assert_eq!(changes.json::<Value>().await.unwrap()["status"], "changes_requested");
    let mail = app.last_mail_to("mia@gala.test").await;
    assert!(mail.text_body.contains("Upload a clearer licence number."));

    let mut edited = application("lune");
    edited["licence_number"] = json!("91310000-XYZ-2");
    let resubmitted = app.client_put_json(&mia, "/api/v1/brands/applications/lune", edited).await;
    assert_eq!(resubmitted.status(), StatusCode::OK);
    assert_eq!(resubmitted.json::<Value>().await.unwrap()["status"], "pending");

    let rejected = decide(&app, &admin, first["id"].as_str().unwrap(), json!({ "decision": "reject", "reason": "Licence could not be verified." })).await;
    assert_eq!(rejected.json::<Value>().await.unwrap()["status"], "rejected");
    assert!(app.last_mail_to("mia@gala.test").await.text_body.contains("Licence could not be verified."));
    let resubmit_rejected = app.client_put_json(&mia, "/api/v1/brands/applications/lune", application("lune")).await;
    assert_eq!(resubmit_rejected.status(), StatusCode::CONFLICT);
});

db_test!(async fn a_suspended_brand_disappears_for_shoppers_until_reinstated(app) {
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    let admin = admin(&app).await;
    let brand = apply(&app, &mia, "lune").await;
    let id = brand["id"].as_str().unwrap();
    decide(&app, &admin, id, json!({ "decision": "approve" })).await;
    let suspended = app.post_json_with(&admin, &format!("/api/v1/admin/brands/{id}/suspend"), json!({ "reason": "Counterfeit reports under review." })).await;
    assert_eq!(suspended.json::<Value>().await.unwrap()["status"], "suspended");
    assert_eq!(get(&client(), app.url("/api/v1/public/brands/lune")).await.status(), StatusCode::NOT_FOUND);
    let team: Value = get(&mia, app.url("/api/v1/brands/lune")).await.json().await.unwrap();
    assert_eq!(team["status"], "suspended", "the team still sees why");
    let not_by_owner = app.post_json_with(&mia, &format!("/api/v1/admin/brands/{id}/reinstate"), json!({})).await;
    assert_eq!(not_by_owner.status(), StatusCode::FORBIDDEN);
    let reinstated = app.post_json_with(&admin, &format!("/api/v1/admin/brands/{id}/reinstate"), json!({})).await;
    assert_eq!(reinstated.json::<Value>().await.unwrap()["status"], "approved");
    assert_eq!(get(&client(), app.url("/api/v1/public/brands/lune")).await.status(), StatusCode::OK);
});

db_test!(async fn nobody_outside_a_brand_reads_its_team_data(app) {
    let admin = admin(&app).await;
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    let lee = verified(&app, "Lee", "lee@gala.test").await;
    let a = apply(&app, &mia, "brand-a").await;
    let b = apply(&app, &lee, "brand-b").await;
    for brand in [&a, &b] {
        decide(&app, &admin, brand["id"].as_str().unwrap(), json!({ "decision": "approve" })).await;
    }
    let shopper = verified(&app, "Sam", "sam@gala.test").await;
    // The owner of A, a shopper and an anonymous visitor cannot read B's team view.
    assert_eq!(get(&mia, app.url("/api/v1/brands/brand-b")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&shopper, app.url("/api/v1/brands/brand-b")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&client(), app.url("/api/v1/brands/brand-b")).await.status(), StatusCode::UNAUTHORIZED);
    // A brand that does not exist looks the same as one you are not in.
    assert_eq!(get(&mia, app.url("/api/v1/brands/no-such-brand")).await.status(), StatusCode::NOT_FOUND);
    // Each owner sees their own; admins see both.
    assert_eq!(get(&mia, app.url("/api/v1/brands/brand-a")).await.status(), StatusCode::OK);
    assert_eq!(get(&admin, app.url("/api/v1/brands/brand-b")).await.status(), StatusCode::OK);
    // "My brands" lists only one's own.
    let mine: Value = get(&mia, app.url("/api/v1/me/brands")).await.json().await.unwrap();
    let slugs: Vec<&str> = mine.as_array().unwrap().iter().map(|b| b["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["brand-a"]);
    assert_eq!(mine[0]["role"], "owner");
    // Only the applicant can resubmit, and only their own application.
    let hijack = app.client_put_json(&mia, "/api/v1/brands/applications/brand-b", application("brand-b")).await;
    assert_eq!(hijack.status(), StatusCode::NOT_FOUND);
});
