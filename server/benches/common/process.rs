//! A server under test as its own process, pinned to its own core, and the CPU it (and its
//! database) spends: so a benchmark measures the server, not the load client sharing its
//! cores.

use std::{
    collections::HashMap,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;

/// Pins every thread of process `pid` to CPU `core` (`taskset`); false when that is not
/// possible here (no `taskset`, one core).
pub fn pin(pid: u32, core: usize) -> bool {
    cores() > core
        && Command::new("taskset")
            .args(["-a", "-cp", &core.to_string(), &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Lets every thread of process `pid` run on any core again.
pub fn unpin(pid: u32) {
    let all = format!("0-{}", cores().saturating_sub(1));
    let _ = Command::new("taskset")
        .args(["-a", "-cp", &all, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Cores of this machine: the `cpuN` lines of `/proc/stat`. Not
/// `available_parallelism`, which counts only the cores this process may use — one, once the
/// load client has pinned itself.
pub fn cores() -> usize {
    core_jiffies().len().max(1)
}

/// The PostgreSQL server's processes on this machine (the postmaster first).
pub fn postgres_pids() -> Vec<u32> {
    let mut pids: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Some(stat) = read_stat(pid) else { continue };
        if stat.comm == "postgres" {
            pids.push((stat.ppid, pid));
        }
    }
    let ours: std::collections::HashSet<u32> = pids.iter().map(|(_, pid)| *pid).collect();
    // The postmaster is the one whose parent is not a postgres process.
    pids.sort_by_key(|(ppid, pid)| (ours.contains(ppid), *pid));
    pids.into_iter().map(|(_, pid)| pid).collect()
}

struct Stat {
    comm: String,
    ppid: u32,
    /// utime + stime, in clock ticks.
    own: u64,
    /// cutime + cstime: children that exited and were waited for.
    children: u64,
}

fn read_stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // Fields after the name, from 0: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    Some(Stat {
        comm,
        ppid: num(1)? as u32,
        own: num(11)? + num(12)?,
        children: num(13)? + num(14)?,
    })
}

/// Clock ticks per second (`getconf CLK_TCK`, almost always 100).
fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU time of the server and of its database (when it is a separate PostgreSQL), and how busy
/// each core of the box was, at one moment.
#[derive(Clone)]
pub struct CpuSnapshot {
    at: Instant,
    server: u64,
    database: u64,
    /// (busy, total) jiffies of each core, from `/proc/stat`.
    cores: Vec<(u64, u64)>,
}

impl CpuSnapshot {
    /// Now, for server `server_pid` and (PostgreSQL) `database_pids`, the postmaster first.
    pub fn take(server_pid: u32, database_pids: &[u32]) -> CpuSnapshot {
        let server = read_stat(server_pid).map_or(0, |s| s.own);
        // Backends that exited are in the postmaster's children's time.
        let database = database_pids
            .iter()
            .enumerate()
            .filter_map(|(i, pid)| {
                read_stat(*pid).map(|s| s.own + if i == 0 { s.children } else { 0 })
            })
            .sum();
        CpuSnapshot {
            at: Instant::now(),
            server,
            database,
            cores: core_jiffies(),
        }
    }

    /// What was spent from `self` to `later`.
    pub fn until(&self, later: &CpuSnapshot) -> CpuUse {
        let ticks = ticks_per_second();
        let busy: Vec<f64> = self
            .cores
            .iter()
            .zip(&later.cores)
            .map(|((busy0, total0), (busy1, total1))| {
                let total = total1.saturating_sub(*total0).max(1);
                busy1.saturating_sub(*busy0) as f64 / total as f64
            })
            .collect();
        CpuUse {
            wall: later.at - self.at,
            server: Duration::from_secs_f64(
                later.server.saturating_sub(self.server) as f64 / ticks,
            ),
            database: Duration::from_secs_f64(
                later.database.saturating_sub(self.database) as f64 / ticks,
            ),
            core_busy: busy,
        }
    }
}

/// CPU spent over an interval.
#[derive(Debug, Clone)]
pub struct CpuUse {
    pub wall: Duration,
    pub server: Duration,
    pub database: Duration,
    /// Share (0–1) of each core's time that was busy.
    pub core_busy: Vec<f64>,
}

impl CpuUse {
    /// The server's and the database's CPU per request, in microseconds.
    pub fn per_request_us(&self, requests: usize) -> f64 {
        (self.server + self.database).as_secs_f64() * 1e6 / requests.max(1) as f64
    }

    /// Share (0–1) of the whole box that was busy.
    pub fn box_busy(&self) -> f64 {
        self.core_busy.iter().sum::<f64>() / self.core_busy.len().max(1) as f64
    }

    /// The same interval with `later` added (a run and the chores it left behind).
    pub fn plus(&self, later: &CpuUse) -> CpuUse {
        let wall = self.wall + later.wall;
        let weight = |a: f64, b: f64| {
            (a * self.wall.as_secs_f64() + b * later.wall.as_secs_f64())
                / wall.as_secs_f64().max(1e-9)
        };
        CpuUse {
            wall,
            server: self.server + later.server,
            database: self.database + later.database,
            core_busy: self
                .core_busy
                .iter()
                .zip(&later.core_busy)
                .map(|(a, b)| weight(*a, *b))
                .collect(),
        }
    }
}

/// (busy, total) jiffies per core (`cpuN` lines of `/proc/stat`); busy leaves out idle and
/// iowait.
fn core_jiffies() -> Vec<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .map(|line| {
            let v: Vec<u64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|f| f.parse().ok())
                .collect();
            let total: u64 = v.iter().take(8).sum();
            let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
            (total - idle, total)
        })
        .collect()
}

/// A server running as its own process.
pub struct ServerProcess {
    child: Child,
    pub base: String,
    pub pid: u32,
}

impl ServerProcess {
    /// Starts `command` (which serves on `port`), pinned to `core` when possible, and waits
    /// until `GET /healthz` answers.
    pub async fn start(
        mut command: Command,
        port: u16,
        core: Option<usize>,
    ) -> anyhow::Result<ServerProcess> {
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the server")?;
        let pid = child.id();
        if let Some(core) = core {
            pin(pid, core);
        }
        let base = format!("http://127.0.0.1:{port}");
        let mut server = ServerProcess { child, base, pid };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if reqwest::get(format!("{}/healthz", server.base))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                // Threads started after the pin inherit it; pin again to be sure of all.
                if let Some(core) = core {
                    pin(pid, core);
                }
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("the server exited before answering: {status}");
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not answer within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server with SIGTERM and waits for it.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The environment a `gala` process of a benchmark runs with: its database, address, a quiet
/// log, mail into a temporary folder, and `extra` settings.
pub fn gala_command(
    bin: &Path,
    database_url: &str,
    port: u16,
    extra: &HashMap<&str, String>,
) -> Command {
    let mut command = Command::new(bin);
    command
        .env("GALA_DATABASE_URL", database_url)
        .env("GALA_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "GALA_LOG",
            std::env::var("GALA_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .env(
            "GALA_MAIL_OUTBOX_DIR",
            std::env::temp_dir().join("gala-bench-outbox"),
        )
        .env(
            "GALA_DEMO_SIGN_INS",
            std::env::temp_dir().join("gala-bench-sign-ins.txt"),
        )
        .env("GALA_SHUTDOWN_GRACE_SECS", "2");
    for (key, value) in extra {
        command.env(key, value);
    }
    command
}
