//! Catalog imports as a brand runs them: upload a CSV, poll the job until it has finished.

use std::time::{Duration, Instant};

use reqwest::{header, multipart, StatusCode};
use serde_json::Value;

use super::{brands::get, TestApp};

/// Uploads `csv` as brand `slug`'s catalog import; answers the server's response.
pub async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    csv: &str,
) -> reqwest::Response {
    let part = multipart::Part::text(csv.to_owned())
        .file_name("catalog.csv")
        .mime_str("text/csv")
        .unwrap();
    client
        .post(app.url(&format!("/api/v1/brands/{slug}/imports")))
        .header(header::ORIGIN, app.origin())
        .multipart(multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

/// Waits (polling, as the import page does) until the job has finished.
pub async fn finished(app: &TestApp, client: &reqwest::Client, slug: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job: Value = get(
            client,
            app.url(&format!("/api/v1/brands/{slug}/imports/{id}")),
        )
        .await
        .json()
        .await
        .unwrap();
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "the import did not finish: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Uploads `csv` and waits for its import job to finish; answers the finished job.
pub async fn import(app: &TestApp, client: &reqwest::Client, slug: &str, csv: &str) -> Value {
    let started = upload(app, client, slug, csv).await;
    assert_eq!(
        started.status(),
        StatusCode::ACCEPTED,
        "{}",
        started.text().await.unwrap()
    );
    let job: Value = started.json().await.unwrap();
    finished(app, client, slug, job["id"].as_str().unwrap()).await
}
