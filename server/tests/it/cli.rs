//! The `gala` binary as an operator uses it: migrate, seed, serve, and stop on SIGTERM.

use crate::support;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn gala(db_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gala"));
    command
        .env("GALA_DATABASE_URL", db_url)
        .env("GALA_LOG", "warn")
        .env("GALA_SITE_ROOT", support::workspace_root().join("public"));
    command
}

#[test]
fn migrate_then_seed_twice_succeeds_on_a_new_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("nested/gala.db").display()
    );
    assert!(gala(&url).arg("migrate").status().unwrap().success());
    assert!(
        dir.path().join("nested/gala.db").exists(),
        "the data folder is created"
    );
    let sign_ins = dir.path().join("data/demo-sign-ins.txt");
    let seeded = gala(&url)
        .arg("seed")
        .env("GALA_DEMO_SIGN_INS", &sign_ins)
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let printed = String::from_utf8_lossy(&seeded.stdout);
    let written = std::fs::read_to_string(&sign_ins).expect("the sign-ins file is written");
    for email in [
        "shopper@demo.gala.test",
        "owner@demo.gala.test",
        "admin@demo.gala.test",
    ] {
        assert!(
            printed.contains(email) && written.contains(email),
            "{email} in {printed}"
        );
    }
    assert!(
        gala(&url)
            .arg("seed")
            .env("GALA_DEMO_SIGN_INS", &sign_ins)
            .status()
            .unwrap()
            .success(),
        "seeding again is harmless"
    );
    let status = gala(&url).args(["migrate", "--status"]).output().unwrap();
    assert!(status.status.success());
}

#[test]
fn a_bad_database_url_fails_with_a_clear_message_and_no_secret() {
    let output = gala("postgres://gala:hunter2@127.0.0.1:1/nowhere")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("connecting to postgres://gala:***@127.0.0.1:1/nowhere"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "password leaked: {stderr}");
}

#[test]
fn serve_answers_and_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("gala.db").display());
    let port = free_port();
    let mut child = gala(&url)
        .arg("serve")
        .env("GALA_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let healthy = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            break answer.starts_with("HTTP/1.1 200");
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::yield_now();
    };
    assert!(healthy, "server answered /healthz");
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "gala did not exit after SIGTERM");
        std::thread::park_timeout(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
}

/// An order whose body is still arriving when SIGTERM comes is finished, answered and kept;
/// only then does the server exit (and it takes no new connection meanwhile).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_order_in_flight_finish_and_keeps_it() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("gala.db").display());
    assert!(gala(&url).arg("migrate").status().unwrap().success());
    let seeded = gala(&url)
        .arg("seed")
        .env("GALA_DEMO_SIGN_INS", dir.path().join("sign-ins.txt"))
        .status();
    assert!(seeded.unwrap().success());
    let port = free_port();
    let mut child = gala(&url)
        .arg("serve")
        .env("GALA_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "the server never answered");
        tokio::task::yield_now().await;
    }
    // A demo SKU with stock.
    let found: serde_json::Value = reqwest::get(format!("{base}/api/v1/listings?in_stock=true"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listing = found["items"][0]["id"].as_str().unwrap();
    let detail: serde_json::Value = reqwest::get(format!("{base}/api/v1/listings/{listing}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sku = detail["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["available"].as_i64().unwrap() > 0)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Headers and half the body, then SIGTERM.
    let body = support::checkout::order(&sku, 1, "late@example.com", support::checkout::SUCCESS)
        .to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut request = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let headers = format!("POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    request.write_all(headers.as_bytes()).await.unwrap();
    request.write_all(head.as_bytes()).await.unwrap();
    request.flush().await.unwrap();
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    // The server has heard it once it takes no new connection.
    let deadline = Instant::now() + Duration::from_secs(15);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_ok()
    {
        assert!(
            Instant::now() < deadline,
            "still accepting connections after SIGTERM"
        );
        tokio::task::yield_now().await;
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );

    // The rest of the body: the order is placed and answered in full.
    request.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = String::new();
    request.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let (_, json) = answer.split_once("\r\n\r\n").unwrap();
    let order: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(order["status"], "paid");

    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "gala did not exit after its last request"
        );
        tokio::task::yield_now().await;
    };
    assert!(status.success(), "exit status {status}");
    // The acknowledged order is in the database after the exit.
    use sea_orm::EntityTrait;
    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    let id = uuid::Uuid::parse_str(order["id"].as_str().unwrap()).unwrap();
    let kept = entity::shop_order::Entity::find_by_id(id)
        .one(&db)
        .await
        .unwrap()
        .expect("the order was kept");
    assert_eq!(kept.status, entity::values::OrderStatus::Paid);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn admin_create_reads_the_password_from_stdin_and_makes_a_verified_admin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("gala.db").display());
    let mut child = gala(&url)
        .args([
            "admin",
            "create",
            "--email",
            "Root@Gala.test",
            "--name",
            "Rui Admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"platform-admin-pass-1\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Platform admin root@gala.test is ready")
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sea_orm::EntityTrait;
        let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
        let admin = entity::account::Entity::find()
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin.email, "root@gala.test");
        assert!(admin.is_platform_admin);
        assert!(admin.email_verified_at.is_some());
        assert!(admin.password_hash.starts_with("$argon2id$"));
    });

    let weak = {
        let mut child = gala(&url)
            .args(["admin", "create", "--email", "two@gala.test"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"password\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too common"));
}
