//! The Gala process: configuration, start-up, the HTTP router, background work and the `gala`
//! command line. The product itself (pages, server functions, services) lives in the `app`
//! crate; this crate wires it to the outside world.
//!
//! - [`api`]: the `/api/v1` JSON API.
//! - [`config`]: settings from `GALA_*` environment variables and flags.
//! - [`db`]: connecting to SQLite or PostgreSQL and running migrations.
//! - [`startup`]: [`startup::Application`], which binds, serves and shuts down gracefully.
//! - [`router`]: every route the process answers.
//! - [`http`]: cross-cutting HTTP pieces (health, metrics, static files, fallbacks).
//! - [`telemetry`]: logs with request ids.
//! - [`seed`]: demo data for `gala seed`.
//! - [`cli`]: `gala serve | migrate | seed`.

/// mimalloc instead of the system allocator: under checkout load glibc's malloc took about a
/// quarter of all CPU time (arena contention between threads, `malloc_consolidate`); every
/// binary linking this crate (`gala`, tests, benches) uses it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod api;
pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod router;
pub mod seed;
pub mod startup;
pub mod telemetry;
