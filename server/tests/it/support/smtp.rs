//! A real SMTP server process (Python's aiosmtpd, see `smtp_sink.py`) that saves what it
//! receives, so mail tests read exactly what was delivered over the wire.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    time::{Duration, Instant},
};

/// A running SMTP server on 127.0.0.1 (at the port it was started on), saving messages into
/// `dir`.
pub struct SmtpSink {
    pub dir: PathBuf,
    child: Child,
    _stdin: ChildStdin,
}

impl SmtpSink {
    /// Starts the server and waits until it listens.
    pub fn start(port: u16, dir: PathBuf) -> SmtpSink {
        std::fs::create_dir_all(&dir).unwrap();
        let python = std::env::var("GALA_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/smtp_sink.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the SMTP server with {python}: {e} (run .ci/test, which installs aiosmtpd)"));
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "SMTP server did not start (is aiosmtpd installed for {python}?)"
        );
        SmtpSink {
            dir,
            child,
            _stdin: stdin,
        }
    }

    /// Stops the server (the port is free again afterwards).
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits (up to 30 s) until a message mentioning `needle` arrives, and returns it.
    pub async fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(message) = self.messages().into_iter().find(|m| m.contains(needle)) {
                return message;
            }
            assert!(
                Instant::now() < deadline,
                "no message containing {needle:?} arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
