//! The real `gala` binary as a separate server process over a test's database: a node to
//! kill (crash tests) or a second node beside the test's own (cross-node tests).

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use super::client;

/// Starts `gala serve` on `port` over `database_url` and waits until it answers. The caller
/// owns the process: it kills and waits for it.
#[allow(clippy::zombie_processes)] // waited for on failure here, by the caller otherwise
pub async fn serve(database_url: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gala"))
        .arg("serve")
        .env("GALA_DATABASE_URL", database_url)
        .env("GALA_ADDR", format!("127.0.0.1:{port}"))
        .env("GALA_LOG", "warn")
        .env("GALA_SITE_ROOT", super::workspace_root().join("public"))
        .env(
            "GALA_MAIL_OUTBOX_DIR",
            std::env::temp_dir().join("gala-node-outbox"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = format!("http://127.0.0.1:{port}/healthz");
    loop {
        if let Ok(r) = client().get(&health).send().await {
            if r.status().is_success() {
                return child;
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gala serve did not come up");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A second `gala serve` node beside the test's own, over the same database; stopped when
/// dropped (also when the test fails).
pub struct SecondNode {
    child: Child,
    port: u16,
}

impl SecondNode {
    /// Starts the node on a free port and waits until it answers.
    pub async fn start(database_url: &str) -> SecondNode {
        let port = super::smtp::free_port();
        SecondNode {
            child: serve(database_url, port).await,
            port,
        }
    }

    /// The full URL of `path` on this node.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for SecondNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
