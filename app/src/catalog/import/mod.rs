//! Bulk import and export of listings, variants and stock as CSV (one row per variant; more
//! rows with the same SKU add stock at other locations).
//!
//! An upload becomes a `catalog_import` job; a background worker (any node) claims it and
//! processes it listing by listing: each listing's rows are checked as a whole first, so a
//! listing lands completely or its rows are reported with the reason per row — good rows land,
//! refused rows are listed in a downloadable report. Listings are matched by SKU code, so
//! importing the same file twice updates rather than duplicates. Progress is saved as it goes;
//! a job whose worker stopped (a restart, a crash) is picked up again from the start, which the
//! matching by SKU makes safe.
//!
//! - [`csv`]: reading the file; [`plan`]: a listing from its rows, checked as a whole;
//! - [`write`]: new listings in bulk, updates one by one; [`job`]: the queue and its worker;
//! - [`export`]: the catalog back out as CSV.

mod csv;
mod export;
mod job;
mod owner;
mod plan;
mod write;

pub use self::csv::{check, spreadsheet_safe, FILE_FIELD, MAX_ROWS};
pub use self::export::Export;
pub use self::job::{error_report, job, recent, run_next, start};
