//! Accounts, sessions and their refusals, through the JSON API and the page server functions,
//! on SQLite and PostgreSQL.

use crate::support;

use entity::{audit_event, auth_token};
use reqwest::{header, StatusCode};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use support::{client, set_cookie, token_in, Backend, TestApp};

const PASSWORD: &str = "runway-drop-2027";

async fn body(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

async fn me_status(app: &TestApp, client: &reqwest::Client) -> StatusCode {
    client
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap()
        .status()
}

db_test!(async fn a_new_account_verifies_its_email_and_signs_in(app) {
    let token = app.sign_up("Mia Wong", "Mia.Wong@Gala.test", PASSWORD).await;
    let mail = app.last_mail_to("mia.wong@gala.test").await;
    assert_eq!(mail.subject, "Verify your email for Gala");
    assert!(mail.html_body.contains("/verify-email?token="), "HTML body has the link too");

    assert_eq!(me_status(&app, &app.client).await, StatusCode::UNAUTHORIZED);
    app.sign_in_with(&app.client, "mia.wong@gala.test", PASSWORD).await;
    let me = body(app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap()).await;
    assert_eq!(me["email"], "mia.wong@gala.test");
    assert_eq!(me["email_verified"], false, "unverified accounts can sign in and browse");

    let verified = app.post_json("/api/v1/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(verified.status(), StatusCode::OK);
    let me = body(app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap()).await;
    assert_eq!(me["email_verified"], true);
});

db_test!(async fn sign_up_refuses_bad_input_field_by_field(app) {
    let response = app
        .post_json("/api/v1/auth/signup", json!({ "display_name": " ", "email": "not-an-email", "password": "password" }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = &body(response).await["error"];
    assert_eq!(error["code"], "validation");
    assert!(error["fields"]["display_name"][0].as_str().unwrap().contains("name"));
    assert!(error["fields"]["email"][0].as_str().unwrap().contains("valid email"));
    assert!(error["fields"]["password"][0].as_str().unwrap().contains("too common"));

    let short = app.post_json("/api/v1/auth/signup", json!({ "display_name": "A", "email": "a@gala.test", "password": "short" })).await;
    assert!(body(short).await["error"]["fields"]["password"][0].as_str().unwrap().contains("at least 8"));

    let malformed = app.client.post(app.url("/api/v1/auth/signup")).header(header::CONTENT_TYPE, "application/json").body("{").send().await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body(malformed).await["error"]["code"], "bad_request");
    let missing = app.post_json("/api/v1/auth/signup", json!({ "email": "a@gala.test" })).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(async fn signing_up_twice_reveals_nothing_and_mails_the_owner(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let again = app.post_json("/api/v1/auth/signup", json!({ "display_name": "Eve", "email": "MIA@gala.test", "password": "another-pass-99" })).await;
    assert_eq!(again.status(), StatusCode::ACCEPTED, "same answer as a new sign-up");
    let mails = app.mails_to("mia@gala.test").await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].subject, "You already have a Gala account");
    let accounts = entity::account::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].display_name, "Mia", "the existing account is untouched");
});

db_test!(async fn wrong_passwords_and_unknown_emails_get_the_same_answer(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let wrong = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": "wrong-password-1" })).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&wrong, "gala_session").is_none(), "no session for a failed sign-in");
    let wrong = body(wrong).await;
    let unknown = body(app.post_json("/api/v1/auth/signin", json!({ "email": "nobody@gala.test", "password": "wrong-password-1" })).await).await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"]["code"], "invalid_credentials");
});

db_test!(async fn the_session_id_changes_at_every_sign_in(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let first = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    let first_cookie = set_cookie(&first, "gala_session").expect("a session cookie");
    let second = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    let second_cookie = set_cookie(&second, "gala_session").expect("a new session cookie");
    let value = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(value(&first_cookie), value(&second_cookie));
    // The first id no longer opens a session.
    let replay = reqwest::Client::new()
        .get(app.url("/api/v1/auth/me"))
        .header(header::COOKIE, value(&first_cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
});

db_test!(async fn session_cookies_are_http_only_and_same_site_lax(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let response = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    let cookie = set_cookie(&response, "gala_session").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_when_gala_is_served_over_https() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.public_url = "https://gala.example".into()
    })
    .await
    .unwrap();
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let response = app
        .post_json(
            "/api/v1/auth/signin",
            json!({ "email": "mia@gala.test", "password": PASSWORD }),
        )
        .await;
    let cookie = set_cookie(&response, "gala_session").unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(app
        .last_mail_to("mia@gala.test")
        .await
        .text_body
        .contains("https://gala.example/verify-email?token="));
}

db_test!(async fn signing_out_ends_the_session_on_the_server(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let response = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    let cookie = set_cookie(&response, "gala_session").unwrap().split(';').next().unwrap().to_owned();
    let signed_out = app.client.post(app.url("/api/v1/auth/signout")).header(header::CONTENT_TYPE, "application/json").send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    // Replaying the old cookie does not bring the session back.
    let replay = reqwest::Client::new().get(app.url("/api/v1/auth/me")).header(header::COOKIE, cookie).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    let sessions = entity::auth_session::Entity::find().all(&app.db).await.unwrap();
    assert!(sessions.iter().all(|s| s.account_id.is_none()), "no signed-in session row left");
});

db_test!(async fn sign_out_everywhere_ends_every_device(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let (phone, laptop) = (client(), client());
    app.sign_in_with(&phone, "mia@gala.test", PASSWORD).await;
    app.sign_in_with(&laptop, "mia@gala.test", PASSWORD).await;
    let response = app.post_json_with(&phone, "/api/v1/auth/signout-everywhere", json!({})).await;
    assert_eq!(body(response).await["sessions_ended"], 2);
    assert_eq!(me_status(&app, &phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &laptop).await, StatusCode::UNAUTHORIZED);
});

db_test!(async fn repeated_failures_are_throttled_with_retry_after(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    for attempt in 1..=5 {
        let response = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": format!("wrong-{attempt}-xx") })).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {attempt} is free");
    }
    // The fifth failure started a back-off: even the right password waits.
    let blocked = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = blocked.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "short first back-off: {retry_after}");
    assert_eq!(body(blocked).await["error"]["code"], "rate_limited");
    // Another account from the same address is not locked out by Mia's failures.
    app.sign_up("Lee", "lee@gala.test", PASSWORD).await;
    app.sign_in_with(&client(), "lee@gala.test", PASSWORD).await;

    // Once the back-off has passed, a wrong password fails again (doubling the wait)...
    app.state.clock.advance(chrono::Duration::seconds(retry_after as i64));
    let sixth = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": "wrong-6-xx" })).await;
    assert_eq!(sixth.status(), StatusCode::UNAUTHORIZED);
    let blocked = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    let retry_after: u64 = blocked.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((2..=3).contains(&retry_after), "the wait doubled: {retry_after}");
    // ...and after that wait the owner gets in, which clears the count.
    app.state.clock.advance(chrono::Duration::seconds(retry_after as i64));
    app.sign_in_with(&client(), "mia@gala.test", PASSWORD).await;
    for attempt in 1..=4 {
        let response = app.post_json("/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": format!("again-{attempt}-xx") })).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "free again after a success");
    }
});

db_test!(async fn verification_links_work_once_and_expire(app) {
    let token = app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let first = app.post_json("/api/v1/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(first.status(), StatusCode::OK);
    let reused = app.post_json("/api/v1/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body(reused).await["error"]["code"], "invalid_token");
    let forged = app.post_json("/api/v1/auth/verify-email", json!({ "token": "not-a-real-token" })).await;
    assert_eq!(body(forged).await["error"]["code"], "invalid_token");

    let expiring = app.sign_up("Lee", "lee@gala.test", PASSWORD).await;
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)))
        .filter(auth_token::Column::UsedAt.is_null())
        .exec(&app.db)
        .await
        .unwrap();
    let expired = app.post_json("/api/v1/auth/verify-email", json!({ "token": expiring })).await;
    assert_eq!(body(expired).await["error"]["code"], "invalid_token");
});

db_test!(async fn a_password_reset_ends_every_session_and_works_once(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let laptop = client();
    app.sign_in_with(&laptop, "mia@gala.test", PASSWORD).await;

    // Unknown addresses get the same answer, and no mail.
    let unknown = app.post_json("/api/v1/auth/password/forgot", json!({ "email": "nobody@gala.test" })).await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    assert!(app.mails_to("nobody@gala.test").await.is_empty());

    let known = app.post_json("/api/v1/auth/password/forgot", json!({ "email": "mia@gala.test" })).await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    let mail = app.last_mail_to("mia@gala.test").await;
    assert_eq!(mail.subject, "Reset your Gala password");
    let token = token_in(&mail.text_body, "/reset-password?token=");

    // A weak password is refused without spending the link.
    let weak = app.post_json("/api/v1/auth/password/reset", json!({ "token": token, "password": "password" })).await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let reset = app.post_json("/api/v1/auth/password/reset", json!({ "token": token, "password": "new-runway-pass-1" })).await;
    assert_eq!(reset.status(), StatusCode::OK);
    let reused = app.post_json("/api/v1/auth/password/reset", json!({ "token": token, "password": "other-runway-pass-2" })).await;
    assert_eq!(body(reused).await["error"]["code"], "invalid_token");

    assert_eq!(me_status(&app, &laptop).await, StatusCode::UNAUTHORIZED, "the laptop was signed out");
    let old = app.post_json_with(&client(), "/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": PASSWORD })).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.sign_in_with(&client(), "mia@gala.test", "new-runway-pass-1").await;
    assert_eq!(app.last_mail_to("mia@gala.test").await.subject, "Your Gala password was changed");
});

db_test!(async fn changing_the_password_checks_the_current_one_and_signs_out_other_devices(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let (phone, laptop) = (client(), client());
    app.sign_in_with(&phone, "mia@gala.test", PASSWORD).await;
    app.sign_in_with(&laptop, "mia@gala.test", PASSWORD).await;
    let wrong = app.post_json_with(&phone, "/api/v1/auth/password/change", json!({ "current_password": "nope-nope-1", "new_password": "new-runway-pass-1" })).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(wrong).await["error"]["fields"]["current_password"].is_array());
    let changed = app.post_json_with(&phone, "/api/v1/auth/password/change", json!({ "current_password": PASSWORD, "new_password": "new-runway-pass-1" })).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(me_status(&app, &phone).await, StatusCode::OK, "this device stays signed in");
    assert_eq!(me_status(&app, &laptop).await, StatusCode::UNAUTHORIZED);
});

db_test!(async fn cross_origin_state_changes_are_refused(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    app.sign_in_with(&app.client, "mia@gala.test", PASSWORD).await;
    let form = [("email", "mia@gala.test"), ("password", PASSWORD)];
    // A page on another site posting to a server function.
    let foreign = app.client.post(app.url("/api/fn/auth/sign-in")).header(header::ORIGIN, "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(body(foreign).await["error"]["code"], "forbidden");
    let foreign_api = app.client.post(app.url("/api/v1/auth/signout-everywhere")).header(header::ORIGIN, "https://evil.example").json(&json!({})).send().await.unwrap();
    assert_eq!(foreign_api.status(), StatusCode::FORBIDDEN);
    let foreign_referer = app.client.post(app.url("/api/fn/auth/sign-out")).header(header::REFERER, "https://evil.example/page").send().await.unwrap();
    assert_eq!(foreign_referer.status(), StatusCode::FORBIDDEN);
    // A form post with cookies and no origin at all.
    let anonymous_origin = app.client.post(app.url("/api/fn/auth/sign-out")).form(&[("x", "1")]).send().await.unwrap();
    assert_eq!(anonymous_origin.status(), StatusCode::FORBIDDEN);
    assert_eq!(me_status(&app, &app.client).await, StatusCode::OK, "still signed in: nothing happened");
    // The same requests from Gala's own pages go through.
    let own = app.client.post(app.url("/api/fn/auth/sign-out")).header(header::ORIGIN, app.origin()).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(me_status(&app, &app.client).await, StatusCode::UNAUTHORIZED);
});

db_test!(async fn page_server_functions_sign_in_with_form_posts(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let wrong = app.client.post(app.url("/api/fn/auth/sign-in")).header(header::ORIGIN, app.origin()).form(&[("email", "mia@gala.test"), ("password", "wrong-password")]).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let ok = app.client.post(app.url("/api/fn/auth/sign-in")).header(header::ORIGIN, app.origin()).form(&[("email", "mia@gala.test"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(body(ok).await["display_name"], "Mia");
    let me = app.client.post(app.url("/api/fn/auth/me")).header(header::ORIGIN, app.origin()).send().await.unwrap();
    assert_eq!(body(me).await["email"], "mia@gala.test");
    let invalid = app.client.post(app.url("/api/fn/auth/sign-up")).header(header::ORIGIN, app.origin()).form(&[("display_name", "X"), ("email", "bad"), ("password", "short")]).send().await.unwrap();
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let invalid = body(invalid).await;
    assert_eq!(invalid["code"], "validation");
    assert!(invalid["fields"]["email"].is_array());
});

db_test!(async fn the_audit_log_records_sign_ins_failures_and_resets(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    app.post_json_with(&client(), "/api/v1/auth/signin", json!({ "email": "mia@gala.test", "password": "wrong-password-9" })).await;
    app.sign_in_with(&client(), "mia@gala.test", PASSWORD).await;
    app.post_json("/api/v1/auth/password/forgot", json!({ "email": "mia@gala.test" })).await;
    let events = audit_event::Entity::find().all(&app.db).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for expected in ["auth.sign_up", "auth.sign_in_failed", "auth.sign_in", "auth.password_reset_requested"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let sign_in = events.iter().find(|e| e.action == "auth.sign_in").unwrap();
    assert_eq!(sign_in.client_addr.as_deref(), Some("127.0.0.1"));
    assert!(sign_in.actor_account_id.is_some());
    assert!(events.iter().all(|e| !e.detail.clone().unwrap_or_default().contains(PASSWORD)), "no secrets in the log");
});

db_test!(async fn a_session_past_its_expiry_is_refused(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    app.sign_in_with(&app.client, "mia@gala.test", PASSWORD).await;
    assert_eq!(me_status(&app, &app.client).await, StatusCode::OK);
    entity::auth_session::Entity::update_many()
        .col_expr(entity::auth_session::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(me_status(&app, &app.client).await, StatusCode::UNAUTHORIZED);
});

db_test!(async fn password_reset_requests_are_throttled_too(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    for _ in 0..5 {
        let response = app.post_json("/api/v1/auth/password/forgot", json!({ "email": "mia@gala.test" })).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let throttled = app.post_json("/api/v1/auth/password/forgot", json!({ "email": "mia@gala.test" })).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().contains_key(header::RETRY_AFTER));
    let resets = app.mails_to("mia@gala.test").await.into_iter().filter(|m| m.subject == "Reset your Gala password").count();
    assert_eq!(resets, 5, "no more reset mail while throttled");
});

db_test!(async fn the_display_name_can_be_changed_on_the_profile(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    app.sign_in_with(&app.client, "mia@gala.test", PASSWORD).await;
    let blank = app.client.post(app.url("/api/fn/auth/profile")).header(header::ORIGIN, app.origin()).form(&[("display_name", "  ")]).send().await.unwrap();
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let renamed = app.client.post(app.url("/api/fn/auth/profile")).header(header::ORIGIN, app.origin()).form(&[("display_name", "Mia Wong")]).send().await.unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let me = body(app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap()).await;
    assert_eq!(me["display_name"], "Mia Wong");
    let anonymous = client().post(app.url("/api/fn/auth/profile")).header(header::ORIGIN, app.origin()).form(&[("display_name", "X")]).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
});
