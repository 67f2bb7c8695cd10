//! Mail goes out through a real SMTP server process, and a down server loses nothing.

use crate::support;

use entity::mail_outbox;
use sea_orm::EntityTrait;
use support::{
    smtp::{free_port, SmtpSink},
    Backend, TestApp,
};

const PASSWORD: &str = "runway-drop-2027";

async fn app_with_smtp(backend: Backend, port: u16) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| {
        config.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        config.mail.retry_base_ms = 100;
    })
    .await
}

/// Runs `test` once on SQLite and once on PostgreSQL (when reachable; required in CI).
macro_rules! on_both_databases {
    ($name:ident, $test:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$test(super::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$test(super::Backend::Postgres).await
            }
        }
    };
}

on_both_databases!(
    verification_mail_is_delivered_over_smtp_with_text_and_html,
    delivered_over_smtp
);
on_both_databases!(
    mail_queued_while_smtp_is_down_is_delivered_when_it_returns,
    survives_smtp_outage
);

async fn delivered_over_smtp(backend: Backend) {
    let files = tempfile::tempdir().unwrap();
    let port = free_port();
    let sink = SmtpSink::start(port, files.path().join("inbox"));
    let Some(app) = app_with_smtp(backend, port).await else {
        return;
    };
    app.sign_up("Mia Wong", "mia@gala.test", PASSWORD).await;
    let message = sink.wait_for("To: mia@gala.test").await;
    assert!(
        message.contains("Subject: Verify your email for Gala"),
        "{message}"
    );
    assert!(
        message.contains("From: Gala <no-reply@gala.test>"),
        "{message}"
    );
    assert!(message.contains("multipart/alternative"), "{message}");
    assert!(
        message.contains("text/plain") && message.contains("text/html"),
        "{message}"
    );
    assert!(message.contains("/verify-email?token="), "{message}");
}

async fn survives_smtp_outage(backend: Backend) {
    let files = tempfile::tempdir().unwrap();
    let port = free_port();
    // The SMTP server is up, then goes down before the mail is queued.
    SmtpSink::start(port, files.path().join("before")).stop();
    let Some(app) = app_with_smtp(backend, port).await else {
        return;
    };
    app.sign_up("Mia Wong", "mia@gala.test", PASSWORD).await;

    // Wait until the sender has tried and failed at least once.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let row = app.last_mail_to("mia@gala.test").await;
        if row.attempts >= 1 && row.last_error.is_some() {
            assert_eq!(
                row.status,
                entity::values::MailStatus::Pending,
                "a failed mail stays queued"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sender never tried"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let sink = SmtpSink::start(port, files.path().join("after"));
    let message = sink.wait_for("To: mia@gala.test").await;
    assert!(message.contains("Verify your email for Gala"));
    // And the outbox knows it was sent.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rows = mail_outbox::Entity::find().all(&app.db).await.unwrap();
        if rows
            .iter()
            .all(|r| r.status == entity::values::MailStatus::Sent && r.sent_at.is_some())
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "outbox not marked sent: {rows:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

db_test!(async fn without_smtp_mail_is_written_to_the_outbox_folder(app) {
    app.sign_up("Mia Wong", "mia@gala.test", PASSWORD).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let message = loop {
        let found = std::fs::read_dir(&app.outbox_dir).ok().and_then(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| std::fs::read_to_string(e.path()).unwrap())
                .find(|m| m.contains("mia@gala.test"))
        });
        if let Some(message) = found {
            break message;
        }
        assert!(std::time::Instant::now() < deadline, "no .eml file in {}", app.outbox_dir.display());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(message.contains("Subject: Verify your email for Gala"));
});
