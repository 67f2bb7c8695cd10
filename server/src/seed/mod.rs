//! `gala seed`: a small, idempotent demo data set so a fresh install has something to show,
//! and (with `--brands`/`--listings`) a synthetic catalog of any size for benchmarks. Each
//! capability adds its part here as it lands.

pub mod catalog;
pub mod people;
pub mod presale;
pub mod promotions;
pub mod shows;

use chrono::{Datelike, Duration, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use app::festival::{save_festival, Festival};

/// The demo catalog: enough brands and listings to fill the storefront's pages.
pub const DEMO_CATALOG: catalog::CatalogSize = catalog::CatalogSize {
    brands: 24,
    listings: 480,
};

/// Writes the demo data (the festival and a catalog of `size`); running it twice leaves the
/// same data. `progress` hears about the catalog's listings as they land.
pub async fn demo(
    db: &DatabaseConnection,
    size: catalog::CatalogSize,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<()> {
    let festival = next_singles_day(Utc::now());
    save_festival(db, &festival)
        .await
        .map_err(|err| anyhow::anyhow!("seeding the festival: {err}"))?;
    tracing::info!(festival = %festival.name, starts_at = %festival.starts_at, "seeded the demo festival");
    match catalog::generate(db, size, progress).await? {
        Some(report) => tracing::info!(
            brands = report.brands,
            listings = report.listings,
            skus = report.skus,
            seconds = report.seconds,
            listings_per_second = (report.listings as f64 / report.seconds.max(1e-9)) as u64,
            "seeded the catalog"
        ),
        None => tracing::info!("the catalog was already seeded"),
    }
    shows::demo_show(db).await?;
    promotions::demo_promotions(db, festival.ends_at + Duration::days(1)).await?;
    presale::demo_presale(db, festival.starts_at, festival.ends_at).await?;
    Ok(())
}

/// The next 11.11 festival after `now`: it runs for 24 hours from midnight China Standard Time
/// (UTC+8), as Tmall's does.
fn next_singles_day(now: chrono::DateTime<Utc>) -> Festival {
    let start_in_year = |year: i32| {
        Utc.with_ymd_and_hms(year, 11, 10, 16, 0, 0)
            .single()
            .expect("a valid fixed date")
    };
    let mut starts_at = start_in_year(now.year());
    if starts_at + Duration::hours(24) <= now {
        starts_at = start_in_year(now.year() + 1);
    }
    Festival {
        name: format!("Gala 11.11 Global Shopping Festival {}", starts_at.year()),
        starts_at,
        ends_at: starts_at + Duration::hours(24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_this_years_festival_the_demo_festival_is_next_year() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        let f = next_singles_day(now);
        assert_eq!(
            f.starts_at,
            Utc.with_ymd_and_hms(2027, 11, 10, 16, 0, 0).unwrap()
        );
        assert_eq!(f.ends_at - f.starts_at, Duration::hours(24));
    }

    #[test]
    fn during_the_festival_the_current_one_is_kept() {
        let now = Utc.with_ymd_and_hms(2026, 11, 11, 3, 0, 0).unwrap();
        assert_eq!(
            next_singles_day(now).starts_at,
            Utc.with_ymd_and_hms(2026, 11, 10, 16, 0, 0).unwrap()
        );
    }
}
