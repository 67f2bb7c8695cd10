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
    assert!(gala(&url).arg("seed").status().unwrap().success());
    assert!(
        gala(&url).arg("seed").status().unwrap().success(),
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
