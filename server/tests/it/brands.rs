//! Brands as tenants: applying, the admin review life cycle with mails and audit, suspension,
//! and isolation between brands — on SQLite and PostgreSQL.

use crate::support;

use entity::{audit_event, brand_membership};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{
        admin, application, apply, decide, get, invite_token, live_brand, verified, PASSWORD,
    },
    client,
};

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
    assert_eq!(owner.role, entity::values::BrandRole::Owner);
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

db_test!(async fn owners_invite_people_who_join_with_the_mailed_link_once(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let token = invite_token(&app, &owner, "lune", "Max@Gala.test", "manager").await;
    assert!(app.last_mail_to("max@gala.test").await.subject.contains("Join Brand lune"));
    // Max has no account yet: he signs up (unverified), signs in and accepts.
    app.sign_up("Max", "max@gala.test", PASSWORD).await;
    let max = client();
    app.sign_in_with(&max, "max@gala.test", PASSWORD).await;
    // Someone else cannot use Max's invitation.
    let eve = verified(&app, "Eve", "eve@gala.test").await;
    let stolen = app.post_json_with(&eve, "/api/v1/invites/accept", json!({ "token": token })).await;
    assert_eq!(stolen.status(), StatusCode::CONFLICT);
    let joined = app.post_json_with(&max, "/api/v1/invites/accept", json!({ "token": token })).await;
    assert_eq!(joined.status(), StatusCode::OK);
    assert_eq!(joined.json::<Value>().await.unwrap()["role"], "manager");
    let again = app.post_json_with(&max, "/api/v1/invites/accept", json!({ "token": token })).await;
    assert_eq!(again.json::<Value>().await.unwrap()["error"]["code"], "invalid_token");
    // The link proved the inbox: Max is verified and sees the dashboard.
    let me: Value = get(&max, app.url("/api/v1/auth/me")).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);
    assert_eq!(get(&max, app.url("/api/v1/brands/lune")).await.status(), StatusCode::OK);
    let team: Value = get(&owner, app.url("/api/v1/brands/lune/team")).await.json().await.unwrap();
    assert_eq!(team["members"].as_array().unwrap().len(), 2);
    assert!(team["invites"].as_array().unwrap().is_empty());
});

db_test!(async fn staff_cannot_do_owner_only_actions(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let token = invite_token(&app, &owner, "lune", "sam@gala.test", "staff").await;
    let sam = verified(&app, "Sam", "sam@gala.test").await;
    app.post_json_with(&sam, "/api/v1/invites/accept", json!({ "token": token })).await;
    assert_eq!(get(&sam, app.url("/api/v1/brands/lune")).await.status(), StatusCode::OK, "staff see the dashboard");
    let invite = app.post_json_with(&sam, "/api/v1/brands/lune/invites", json!({ "email": "x@gala.test", "role": "staff" })).await;
    assert_eq!(invite.status(), StatusCode::FORBIDDEN);
    assert_eq!(get(&sam, app.url("/api/v1/brands/lune/team")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(get(&sam, app.url("/api/v1/brands/lune/api-tokens")).await.status(), StatusCode::FORBIDDEN);
    let token = app.post_json_with(&sam, "/api/v1/brands/lune/api-tokens", json!({ "name": "mine", "scope": "write" })).await;
    assert_eq!(token.status(), StatusCode::FORBIDDEN);
});

db_test!(async fn a_brand_always_keeps_an_owner(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let me: Value = get(&owner, app.url("/api/v1/auth/me")).await.json().await.unwrap();
    let owner_id = me["id"].as_str().unwrap().to_owned();
    let demote = app.client_put_json(&owner, &format!("/api/v1/brands/lune/members/{owner_id}"), json!({ "role": "manager" })).await;
    assert_eq!(demote.status(), StatusCode::CONFLICT);
    let leave = owner.delete(app.url(&format!("/api/v1/brands/lune/members/{owner_id}"))).header("content-type", "application/json").send().await.unwrap();
    assert_eq!(leave.status(), StatusCode::CONFLICT);

    // With a second owner, the first may step down.
    let token = invite_token(&app, &owner, "lune", "max@gala.test", "manager").await;
    let max = verified(&app, "Max", "max@gala.test").await;
    app.post_json_with(&max, "/api/v1/invites/accept", json!({ "token": token })).await;
    let max_id = get(&max, app.url("/api/v1/auth/me")).await.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let promote = app.client_put_json(&owner, &format!("/api/v1/brands/lune/members/{max_id}"), json!({ "role": "owner" })).await;
    assert_eq!(promote.status(), StatusCode::NO_CONTENT);
    let step_down = app.client_put_json(&owner, &format!("/api/v1/brands/lune/members/{owner_id}"), json!({ "role": "staff" })).await;
    assert_eq!(step_down.status(), StatusCode::NO_CONTENT);
    let event = audit_event::Entity::find().filter(audit_event::Column::Action.eq("brand.role_changed")).all(&app.db).await.unwrap();
    assert_eq!(event.len(), 2, "role changes are audited");
});

db_test!(async fn api_tokens_are_shown_once_scoped_to_their_brand_and_revocable(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let other = verified(&app, "Otto", "otto@gala.test").await;
    let b = apply(&app, &other, "brand-b").await;
    decide(&app, &admin, b["id"].as_str().unwrap(), json!({ "decision": "approve" })).await;

    let created = app.post_json_with(&owner, "/api/v1/brands/lune/api-tokens", json!({ "name": "ERP sync", "scope": "read" })).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("gala_"));
    let listed = get(&owner, app.url("/api/v1/brands/lune/api-tokens")).await.text().await.unwrap();
    assert!(!listed.contains(&token), "the secret is never shown again");
    let stored = entity::brand_api_token::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_ne!(stored.token_hash, token, "only a hash is stored");

    let bearer = |url: String| reqwest::Client::new().get(url).bearer_auth(&token);
    assert_eq!(bearer(app.url("/api/v1/brands/lune")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(bearer(app.url("/api/v1/brands/brand-b")).send().await.unwrap().status(), StatusCode::NOT_FOUND, "not another brand's data");
    assert_eq!(bearer(app.url("/api/v1/brands/lune/team")).send().await.unwrap().status(), StatusCode::FORBIDDEN, "tokens don't manage teams");
    let forged = reqwest::Client::new().get(app.url("/api/v1/brands/lune")).bearer_auth("gala_forged").send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    let id = created["info"]["id"].as_str().unwrap();
    let revoked = owner.delete(app.url(&format!("/api/v1/brands/lune/api-tokens/{id}"))).header("content-type", "application/json").send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(bearer(app.url("/api/v1/brands/lune")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "revoked tokens stop working");
    // Another brand's owner cannot revoke or list lune's tokens.
    assert_eq!(get(&other, app.url("/api/v1/brands/lune/api-tokens")).await.status(), StatusCode::NOT_FOUND);
});
