//! Structured logs. Every request runs in a span carrying its `x-request-id`, so an error logged
//! anywhere below can be matched to the response the client saw.

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Installs the global log subscriber. `GALA_LOG` (EnvFilter syntax) sets levels; `GALA_LOG_FORMAT=json`
/// switches to JSON lines for log collectors. Safe to call more than once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_env("GALA_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    let json = std::env::var("GALA_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if json {
        registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init()
    } else {
        registry.with(fmt::layer().compact()).try_init()
    };
}
