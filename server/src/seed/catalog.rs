//! A synthetic catalog: brands, listings with variants, a warehouse per brand and stock with
//! its ledger — realistic enough for the storefront to look alive and for search benchmarks to
//! mean something (`gala seed --brands 140000 --listings 15000000`).
//!
//! Rows go in as multi-row INSERTs, a few thousand per transaction. The generator is seeded,
//! so a given size always produces the same catalog. Stock is written as a `receive` movement
//! plus the matching level, so the ledger reconciles like any other stock.

use app::core::txn::begin_write;
use std::time::Instant;

use anyhow::Context;
use app::catalog::stock::{
    ledger::{self, Movement},
    MovementKind,
};
use app::{brands::BrandStatus, catalog::ListingStatus};
use entity::{account, brand, listing, sku, stock_location};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sea_orm::{
    sea_query::{Query, SimpleExpr},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement, Value,
};
use uuid::Uuid;

/// How big a catalog to make.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSize {
    pub brands: u64,
    pub listings: u64,
}

/// Listings per transaction (each with its variants, stock and search rows).
const BATCH: u64 = 2_000;
/// Rows per INSERT statement (SQLite allows 32,766 bound values per statement).
const ROWS_PER_STATEMENT: usize = 500;
/// The account that "applied" for the synthetic brands; it cannot sign in (nobody knows its
/// random password).
const SEED_ACCOUNT: &str = "catalog-seed@gala.invalid";

const BRAND_FIRST: &[&str] = &[
    "Maison",
    "Atelier",
    "Studio",
    "House of",
    "Casa",
    "Lotus",
    "Jade",
    "Silk Road",
    "Aurora",
    "Nordic",
    "Golden",
    "Red",
    "Peony",
    "Orchid",
    "Cedar",
    "Harbour",
    "Lantern",
    "Willow",
];
const BRAND_SECOND: &[&str] = &[
    "Lune", "Soleil", "Ming", "Hana", "Kumo", "Mira", "Vela", "Orion", "Koi", "Bamboo", "Luxe",
    "Nova", "Tang", "Yun", "Feng", "Lin", "Shan", "Zhen", "Bloom", "Pearl",
];
const ADJECTIVES: &[&str] = &[
    "Moonlight",
    "Classic",
    "Limited",
    "Festival",
    "Runway",
    "Everyday",
    "Signature",
    "Vintage",
    "Modern",
    "Lightweight",
    "Premium",
    "Organic",
    "Handmade",
    "Midnight",
    "Crimson",
    "Ivory",
    "Emerald",
    "Golden",
    "Cloud",
    "Urban",
];
const MATERIALS: &[&str] = &[
    "silk",
    "cashmere",
    "linen",
    "cotton",
    "leather",
    "denim",
    "velvet",
    "wool",
    "bamboo",
    "ceramic",
    "porcelain",
    "jade",
    "titanium",
    "carbon",
    "oak",
    "walnut",
];
/// Product nouns per category, in `CATEGORIES` order.
const PRODUCTS: &[&[&str]] = &[
    &[
        "dress", "scarf", "coat", "shirt", "skirt", "jacket", "qipao", "sneakers",
    ],
    &[
        "serum",
        "lipstick",
        "face mask",
        "cleanser",
        "perfume",
        "eye cream",
    ],
    &[
        "earbuds",
        "smartwatch",
        "phone case",
        "power bank",
        "speaker",
        "drone",
    ],
    &["teapot", "pillow", "lamp", "vase", "blanket", "bowl set"],
    &[
        "tea",
        "mooncakes",
        "rice wine",
        "dried fruit",
        "chocolate",
        "honey",
    ],
    &[
        "yoga mat",
        "running shoes",
        "jersey",
        "racket",
        "water bottle",
    ],
    &[
        "plush toy",
        "building blocks",
        "school bag",
        "storybook",
        "kite",
    ],
    &["handbag", "watch", "wallet", "sunglasses", "bracelet"],
    &["vitamins", "massage gun", "thermometer", "herbal tea"],
    &[
        "tent",
        "hiking boots",
        "backpack",
        "camp stove",
        "rain jacket",
    ],
];
const SIZES: &[&str] = &["S", "M", "L", "XL"];
const COLOURS: &[&str] = &["Ivory", "Black", "Crimson", "Jade", "Navy", "Gold"];

/// What a run made.
#[derive(Debug, Default)]
pub struct CatalogReport {
    pub brands: u64,
    pub listings: u64,
    pub skus: u64,
    pub seconds: f64,
}

/// Makes a catalog of `size` unless one is already there (the first synthetic brand exists).
/// `progress(done, total)` is called after every batch of listings.
pub async fn generate(
    db: &DatabaseConnection,
    size: CatalogSize,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<Option<CatalogReport>> {
    let started = Instant::now();
    let first_slug = brand_slug(0, &mut StdRng::seed_from_u64(0));
    if brand::Entity::find()
        .filter(brand::Column::Slug.eq(first_slug))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let applicant = seed_account(db).await?;
    let brands = insert_brands(db, size.brands.max(1), applicant).await?;
    // Search row ids continue after whatever is indexed already (SQLite; see catalog::search).
    let first_search_key: i64 = if db.get_database_backend() == DbBackend::Sqlite {
        app::catalog::index::next_search_key(db)
            .await
            .map_err(|e| anyhow::anyhow!("reading the search index: {e}"))?
            - 1
    } else {
        0
    };
    let mut report = CatalogReport {
        brands: brands.len() as u64,
        ..Default::default()
    };
    let mut rng = StdRng::seed_from_u64(11_11);
    // A big load goes in without the secondary indexes, which are rebuilt once at the end:
    // sorting once beats updating B-trees at random for every row.
    let dropped = if size.listings >= BULK_LOAD_FROM {
        drop_secondary_indexes(db).await?
    } else {
        Vec::new()
    };
    let mut done = 0;
    while done < size.listings {
        let count = BATCH.min(size.listings - done);
        let batch = ListingBatch {
            first: done,
            count,
            total: size.listings,
            first_search_key,
        };
        report.skus += insert_listings(db, &brands, &batch, applicant, &mut rng).await?;
        done += count;
        progress(done, size.listings);
    }
    report.listings = done;
    recreate_indexes(db, dropped).await?;
    if size.listings >= BULK_LOAD_FROM {
        match db.get_database_backend() {
            // Merge the FTS5 segments written batch by batch into one b-tree per term.
            DbBackend::Sqlite => {
                db.execute_unprepared("INSERT INTO listing_fts (listing_fts) VALUES ('optimize')")
                    .await?;
            }
            // Fresh statistics: without them the planner guesses that a common word matches
            // 5,000 rows and sorts all 340,000 "silk" matches (4.4 s at 2M) instead of
            // walking the newest listings (1.5 ms). Autovacuum would get there, later.
            _ => {
                db.execute_unprepared("ANALYZE").await?;
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(Some(report))
}

/// Catalogs at least this big are bulk-loaded (see [`drop_secondary_indexes`]).
const BULK_LOAD_FROM: u64 = 200_000;
/// The tables a catalog seed writes, whose secondary indexes a bulk load drops.
const BULK_TABLES: &[&str] = &["listing", "sku", "stock_level", "stock_movement"];

/// Drops the secondary (non-primary-key) indexes of the catalog tables and returns the
/// statements that recreate them. Only for a seed into a database nobody is using.
async fn drop_secondary_indexes(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let backend = db.get_database_backend();
    let tables = BULK_TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let (list, name_column, sql_column) = match backend {
        // `sql IS NULL` marks SQLite's own indexes (primary keys, UNIQUE constraints).
        DbBackend::Sqlite => (
            format!(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name IN ({tables}) AND sql IS NOT NULL"
            ),
            "name",
            "sql",
        ),
        _ => (
            format!(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i \
                 WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ),
            "indexname",
            "indexdef",
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, list))
        .await?;
    let mut recreate = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get("", name_column)?;
        recreate.push(row.try_get::<String>("", sql_column)?);
        db.execute_unprepared(&format!("DROP INDEX \"{name}\""))
            .await?;
    }
    Ok(recreate)
}

/// Runs the statements [`drop_secondary_indexes`] returned.
async fn recreate_indexes(db: &DatabaseConnection, statements: Vec<String>) -> anyhow::Result<()> {
    if statements.is_empty() {
        return Ok(());
    }
    let txn = begin_write(db).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Index builds sort in memory when they may.
        txn.execute_unprepared("SET LOCAL maintenance_work_mem = '1GB'")
            .await?;
    }
    for statement in statements {
        txn.execute_unprepared(&statement)
            .await
            .with_context(|| format!("recreating an index: {statement}"))?;
    }
    txn.commit().await?;
    Ok(())
}

async fn seed_account(db: &DatabaseConnection) -> anyhow::Result<Uuid> {
    if let Some(existing) = account::Entity::find()
        .filter(account::Column::Email.eq(SEED_ACCOUNT))
        .one(db)
        .await?
    {
        return Ok(existing.id);
    }
    let secret = app::auth::tokens::new_secret();
    let hash = app::auth::password::hash_password(secret)
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let now = app::core::time::now();
    let id = Uuid::now_v7();
    insert_rows(
        db,
        account::Entity,
        &[
            account::Column::Id,
            account::Column::Email,
            account::Column::DisplayName,
            account::Column::PasswordHash,
            account::Column::IsPlatformAdmin,
            account::Column::CreatedAt,
            account::Column::UpdatedAt,
        ],
        vec![vec![
            id.into(),
            SEED_ACCOUNT.into(),
            "Catalog seed".into(),
            hash.into(),
            false.into(),
            now.into(),
            now.into(),
        ]],
    )
    .await?;
    Ok(id)
}

fn brand_name(i: u64, rng: &mut StdRng) -> String {
    let first = BRAND_FIRST[rng.random_range(0..BRAND_FIRST.len())];
    let second = BRAND_SECOND[rng.random_range(0..BRAND_SECOND.len())];
    if i < (BRAND_FIRST.len() * BRAND_SECOND.len()) as u64 {
        format!("{first} {second}")
    } else {
        format!("{first} {second} {i}")
    }
}

fn brand_slug(i: u64, rng: &mut StdRng) -> String {
    let name = brand_name(i, rng).to_lowercase().replace(' ', "-");
    format!("{name}-{i}")
}

/// A brand ready to hold listings.
struct SeedBrand {
    id: Uuid,
    name: String,
    category: usize,
    location: Uuid,
}

async fn insert_brands(
    db: &DatabaseConnection,
    count: u64,
    applicant: Uuid,
) -> anyhow::Result<Vec<SeedBrand>> {
    let now = app::core::time::now();
    let mut brands = Vec::with_capacity(count as usize);
    for i in 0..count {
        // The same stream per brand index, so slugs are stable for a given size.
        let mut rng = StdRng::seed_from_u64(i);
        let slug = brand_slug(i, &mut rng);
        let mut rng = StdRng::seed_from_u64(i);
        brands.push((
            SeedBrand {
                id: Uuid::now_v7(),
                name: brand_name(i, &mut rng),
                category: (i as usize) % app::brands::CATEGORIES.len(),
                location: Uuid::now_v7(),
            },
            slug,
        ));
    }
    for chunk in brands.chunks(2_000) {
        let txn = begin_write(db).await?;
        let rows = chunk
            .iter()
            .map(|(b, slug)| {
                vec![
                    b.id.into(),
                    slug.clone().into(),
                    format!("{} Trading Co., Ltd.", b.name).into(),
                    b.name.chars().take(80).collect::<String>().into(),
                    "CN".into(),
                    app::brands::CATEGORIES[b.category].into(),
                    format!("hello@{slug}.example").into(),
                    format!(
                        "{} brings its {} collection to the festival.",
                        b.name,
                        app::brands::CATEGORIES[b.category]
                    )
                    .into(),
                    "91310000MA1FL0000X".into(),
                    BrandStatus::Approved.into(),
                    applicant.into(),
                    now.into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        insert_rows(
            &txn,
            brand::Entity,
            &[
                brand::Column::Id,
                brand::Column::Slug,
                brand::Column::LegalName,
                brand::Column::DisplayName,
                brand::Column::Country,
                brand::Column::Category,
                brand::Column::ContactEmail,
                brand::Column::Description,
                brand::Column::LicenceNumber,
                brand::Column::Status,
                brand::Column::ApplicantAccountId,
                brand::Column::SubmittedAt,
                brand::Column::CreatedAt,
                brand::Column::UpdatedAt,
            ],
            rows,
        )
        .await?;
        let locations = chunk
            .iter()
            .map(|(b, _)| {
                vec![
                    b.location.into(),
                    b.id.into(),
                    app::catalog::stock::DEFAULT_LOCATION.into(),
                    "warehouse".into(),
                    now.into(),
                ]
            })
            .collect();
        insert_rows(
            &txn,
            stock_location::Entity,
            &[
                stock_location::Column::Id,
                stock_location::Column::BrandId,
                stock_location::Column::Name,
                stock_location::Column::Kind,
                stock_location::Column::CreatedAt,
            ],
            locations,
        )
        .await?;
        txn.commit().await?;
    }
    Ok(brands.into_iter().map(|(b, _)| b).collect())
}

/// Which listings a batch makes: `count` numbered from `first` of `total`.
struct ListingBatch {
    first: u64,
    count: u64,
    total: u64,
    /// Search row id of listing 0 minus one (SQLite).
    first_search_key: i64,
}

/// Inserts a batch of listings with 1–4 variants each, their stock and (on SQLite) their
/// search rows, in one transaction; returns the number of variants. Listing `n` is published
/// `total - n` minutes before now, so the catalog spans its size in minutes and the last
/// listing made is the newest.
async fn insert_listings(
    db: &DatabaseConnection,
    brands: &[SeedBrand],
    batch: &ListingBatch,
    applicant: Uuid,
    rng: &mut StdRng,
) -> anyhow::Result<u64> {
    let now = app::core::time::now();
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let (first, count) = (batch.first, batch.count);
    let mut listings = Vec::with_capacity(count as usize);
    let mut skus = Vec::new();
    let mut opening = Vec::new();
    let mut search_rows = Vec::new();
    for n in first..first + count {
        let brand = &brands[(n % brands.len() as u64) as usize];
        // Most listings are in the brand's own category, some elsewhere.
        let category = if rng.random_bool(0.8) {
            brand.category
        } else {
            rng.random_range(0..PRODUCTS.len())
        };
        let noun = PRODUCTS[category][rng.random_range(0..PRODUCTS[category].len())];
        let title = format!(
            "{} {} {}",
            ADJECTIVES[rng.random_range(0..ADJECTIVES.len())],
            MATERIALS[rng.random_range(0..MATERIALS.len())],
            noun
        );
        let description = format!(
            "{title} by {}. Designed for the 11.11 festival: {} finish, {} details, ships in 48 hours.",
            brand.name,
            MATERIALS[rng.random_range(0..MATERIALS.len())],
            ADJECTIVES[rng.random_range(0..ADJECTIVES.len())].to_lowercase()
        );
        // Prices from ¥9.90 to about ¥9,900, most under ¥500.
        let base: i64 = (990.0 * 10f64.powf(rng.random_range(0.0..3.0))) as i64 / 10 * 10;
        let (option_name, values): (&str, &[&str]) = if category == 0 {
            ("Size", SIZES)
        } else {
            ("Colour", COLOURS)
        };
        let variant_count = rng.random_range(1..=4usize).min(values.len());
        let id = Uuid::now_v7();
        let published_at = now - chrono::Duration::minutes((batch.total - n) as i64);
        let search_key = sqlite.then(|| batch.first_search_key + n as i64 + 1);
        let mut available = 0i64;
        let mut max_price = base;
        for (v, value) in values.iter().enumerate().take(variant_count) {
            let sku_id = Uuid::now_v7();
            let price = base + (v as i64) * 1_000;
            max_price = max_price.max(price);
            let compare_at: Option<i64> = rng.random_bool(0.3).then(|| price * 13 / 10);
            skus.push(vec![
                sku_id.into(),
                brand.id.into(),
                id.into(),
                format!("SKU-{n}-{v}").into(),
                serde_json::to_string(&[value])?.into(),
                price.into(),
                compare_at.into(),
                "CNY".into(),
                rng.random_range(50..3_000i32).into(),
                Value::String(None),
                (v as i32).into(),
                now.into(),
                now.into(),
            ]);
            let units: i64 = if rng.random_bool(0.1) {
                0
            } else {
                rng.random_range(1..200)
            };
            if units > 0 {
                available += units;
                opening.push(Movement {
                    brand_id: brand.id,
                    sku_id,
                    location_id: brand.location,
                    kind: MovementKind::Receive,
                    on_hand_delta: units,
                    reserved_delta: 0,
                    reason: "seeded stock".into(),
                    actor: Some(applicant),
                    reference: None,
                });
            }
        }
        let options =
            serde_json::json!([{ "name": option_name, "values": &values[..variant_count] }]);
        listings.push(vec![
            id.into(),
            brand.id.into(),
            brand.name.clone().into(),
            title.clone().into(),
            description.clone().into(),
            format!("<p>{description}</p>").into(),
            app::brands::CATEGORIES[category].into(),
            ListingStatus::Published.into(),
            true.into(),
            options.to_string().into(),
            "CNY".into(),
            base.into(),
            max_price.into(),
            available.into(),
            published_at.into(),
            published_at.into(),
            published_at.into(),
            search_key.into(),
        ]);
        if let Some(key) = search_key {
            search_rows.push((key, id, title, brand, description, category, available));
        }
    }
    let txn = begin_write(db).await?;
    insert_rows(
        &txn,
        listing::Entity,
        &[
            listing::Column::Id,
            listing::Column::BrandId,
            listing::Column::BrandName,
            listing::Column::Title,
            listing::Column::DescriptionMd,
            listing::Column::DescriptionHtml,
            listing::Column::Category,
            listing::Column::Status,
            listing::Column::Visible,
            listing::Column::Options,
            listing::Column::Currency,
            listing::Column::PriceMinMinor,
            listing::Column::PriceMaxMinor,
            listing::Column::Available,
            listing::Column::CreatedAt,
            listing::Column::UpdatedAt,
            listing::Column::PublishedAt,
            listing::Column::SearchKey,
        ],
        listings,
    )
    .await?;
    let sku_count = skus.len() as u64;
    insert_rows(
        &txn,
        sku::Entity,
        &[
            sku::Column::Id,
            sku::Column::BrandId,
            sku::Column::ListingId,
            sku::Column::Code,
            sku::Column::OptionValues,
            sku::Column::PriceMinor,
            sku::Column::CompareAtMinor,
            sku::Column::Currency,
            sku::Column::WeightGrams,
            sku::Column::Barcode,
            sku::Column::Position,
            sku::Column::CreatedAt,
            sku::Column::UpdatedAt,
        ],
        skus,
    )
    .await?;
    ledger::open(&txn, &opening)
        .await
        .map_err(|e| anyhow::anyhow!("opening the seeded stock: {e}"))?;
    if sqlite {
        let rows: Vec<_> = search_rows
            .iter()
            .map(
                |(key, id, title, brand, description, category, available)| {
                    app::catalog::index::IndexRow {
                        key: *key,
                        listing_id: *id,
                        title,
                        brand: &brand.name,
                        description,
                        category: app::brands::CATEGORIES[*category],
                        brand_id: brand.id,
                        available: *available,
                    }
                },
            )
            .collect();
        app::catalog::index::insert_index_rows(&txn, &rows)
            .await
            .map_err(|e| anyhow::anyhow!("indexing for search: {e}"))?;
    }
    txn.commit().await?;
    Ok(sku_count)
}

/// Multi-row INSERTs of `rows` into `entity`'s table, a few hundred rows per statement.
async fn insert_rows<E: EntityTrait>(
    db: &impl ConnectionTrait,
    entity: E,
    columns: &[E::Column],
    rows: Vec<Vec<Value>>,
) -> anyhow::Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert
            .into_table(entity.table_ref())
            .columns(columns.iter().copied());
        for row in chunk {
            insert.values_panic(row.iter().cloned().map(SimpleExpr::from));
        }
        db.execute(&insert)
            .await
            .with_context(|| format!("inserting into {}", entity.table_name()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_slugs_are_valid_and_stable() {
        let a = brand_slug(7, &mut StdRng::seed_from_u64(7));
        let b = brand_slug(7, &mut StdRng::seed_from_u64(7));
        assert_eq!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{a}"
        );
        assert!(a.len() <= 40);
    }
}
