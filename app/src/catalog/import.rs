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

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{brand, catalog_import, listing, sku, stock_level, stock_location};
use sea_orm::{
    sea_query::{Condition, Expr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    listings, stock, ImportJob, ImportProblem, ImportStatus, ListingInput, ListingOption,
    ListingStatus, VariantInput, CSV_COLUMNS,
};
use crate::auth::{audit::ClientContext, BrandRole};
use crate::brands::{BrandScope, BrandStatus};
use crate::core::{money, state::AppState, time, AppError};

/// The form (and API) field the CSV is uploaded in.
pub const FILE_FIELD: &str = "file";
/// Rows one file may hold.
pub const MAX_ROWS: usize = 200_000;
/// Columns a file must have.
const REQUIRED: &[&str] = &[
    "listing_ref",
    "title",
    "category",
    "currency",
    "sku",
    "price",
];
/// A running job with no sign of life for this long is taken over by another worker.
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// How often progress is saved.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// One data row: its line in the file and its values in [`CSV_COLUMNS`] order.
struct Row {
    line: u64,
    values: Vec<String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        CSV_COLUMNS
            .iter()
            .position(|c| *c == column)
            .map_or("", |i| self.values[i].trim())
    }
}

/// Reads the file: the header must name the required columns; other columns are ignored.
fn parse(content: &str) -> Result<Vec<Row>, ImportProblem> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(content.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| ImportProblem::NotCsv)?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportProblem::MissingColumns);
    }
    let index: Vec<Option<usize>> = CSV_COLUMNS
        .iter()
        .map(|c| headers.iter().position(|h| h == c))
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| ImportProblem::NotCsv)?;
        if rows.len() == MAX_ROWS {
            return Err(ImportProblem::TooManyRows);
        }
        let line = record.position().map_or(0, |p| p.line());
        let values = index
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).unwrap_or("").to_owned())
            .collect();
        rows.push(Row { line, values });
    }
    if rows.is_empty() {
        return Err(ImportProblem::NoRows);
    }
    Ok(rows)
}

fn job_info(row: &catalog_import::Model) -> ImportJob {
    ImportJob {
        id: row.id.to_string(),
        file_name: row.file_name.clone(),
        status: ImportStatus::parse(&row.status).unwrap_or(ImportStatus::Queued),
        total_rows: row.total_rows,
        processed_rows: row.processed_rows,
        created_listings: row.created_listings,
        updated_listings: row.updated_listings,
        refused_rows: row.refused_rows,
        has_error_report: row.error_report.is_some(),
        failure: row.failure.clone(),
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

/// Checks an uploaded file: its text and rows, or why it is refused.
pub fn check(bytes: Vec<u8>) -> Result<(String, usize), ImportProblem> {
    if bytes.is_empty() {
        return Err(ImportProblem::MissingFile);
    }
    let content = String::from_utf8(bytes).map_err(|_| ImportProblem::NotUtf8)?;
    // Spreadsheets often start UTF-8 files with a byte-order mark.
    let content = content.trim_start_matches('\u{feff}').to_owned();
    let rows = parse(&content)?.len();
    Ok((content, rows))
}

/// Queues a checked file (see [`check`]); a worker picks it up within a second.
pub async fn start(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    file_name: &str,
    (content, rows): (String, usize),
) -> Result<ImportJob, AppError> {
    let now = time::now();
    let row = catalog_import::Model {
        id: Uuid::now_v7(),
        brand_id: scope.brand_id(),
        created_by: scope.account_id(),
        file_name: file_name.chars().take(200).collect(),
        status: ImportStatus::Queued.as_str().into(),
        content,
        total_rows: rows as i32,
        processed_rows: 0,
        created_listings: 0,
        updated_listings: 0,
        refused_rows: 0,
        error_report: None,
        failure: None,
        created_at: now,
        started_at: None,
        finished_at: None,
        heartbeat_at: None,
    };
    row.clone()
        .into_active_model()
        .reset_all()
        .insert(&state.db)
        .await?;
    scope
        .audit(
            &state.db,
            client,
            "catalog.import_queued",
            &row.id.to_string(),
            json!({ "rows": rows }),
        )
        .await?;
    Ok(job_info(&row))
}

/// An import of the scope's brand.
pub async fn job(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<ImportJob, AppError> {
    Ok(job_info(&job_row(db, scope, id).await?))
}

async fn job_row(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<catalog_import::Model, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    catalog_import::Entity::find_by_id(id)
        .filter(catalog_import::Column::BrandId.eq(scope.brand_id()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The refused rows of an import, as CSV (`line,sku,reason`).
pub async fn error_report(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<String, AppError> {
    job_row(db, scope, id)
        .await?
        .error_report
        .ok_or(AppError::NotFound)
}

/// The brand's latest imports, newest first.
pub async fn recent(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<Vec<ImportJob>, AppError> {
    use sea_orm::QuerySelect;
    Ok(catalog_import::Entity::find()
        .filter(catalog_import::Column::BrandId.eq(scope.brand_id()))
        .order_by_desc(catalog_import::Column::CreatedAt)
        .limit(10)
        .all(db)
        .await?
        .iter()
        .map(job_info)
        .collect())
}

/// Claims the oldest waiting (or abandoned) job and runs it to the end, or until `stop` says
/// so. Returns whether there was a job.
pub async fn run_next(
    state: &AppState,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<bool, AppError> {
    let now = time::now();
    let claimable = Condition::any()
        .add(catalog_import::Column::Status.eq(ImportStatus::Queued.as_str()))
        .add(
            Condition::all()
                .add(catalog_import::Column::Status.eq(ImportStatus::Running.as_str()))
                .add(catalog_import::Column::HeartbeatAt.lt(now - STALE_AFTER)),
        );
    let Some(candidate) = catalog_import::Entity::find()
        .filter(claimable.clone())
        .order_by_asc(catalog_import::Column::CreatedAt)
        .one(&state.db)
        .await?
    else {
        return Ok(false);
    };
    // Claimed only if nobody else claimed it meanwhile (several nodes run workers).
    let claimed = catalog_import::Entity::update_many()
        .col_expr(
            catalog_import::Column::Status,
            Expr::value(ImportStatus::Running.as_str()),
        )
        .col_expr(catalog_import::Column::HeartbeatAt, Expr::value(now))
        .col_expr(catalog_import::Column::StartedAt, Expr::value(now))
        .filter(catalog_import::Column::Id.eq(candidate.id))
        .filter(claimable)
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 1 {
        run(state, candidate, stop).await?;
    }
    Ok(true)
}

/// Counts of a run so far.
#[derive(Default)]
struct Progress {
    processed: usize,
    created: i32,
    updated: i32,
    refused: i32,
    report: Vec<(u64, String, String)>,
}

async fn run(
    state: &AppState,
    job: catalog_import::Model,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<(), AppError> {
    let scope =
        match BrandScope::for_member(&state.db, job.brand_id, job.created_by, BrandRole::Manager)
            .await
        {
            Ok(scope) => scope,
            Err(_) => {
                return finish_failed(
                    state,
                    job.id,
                    "The person who uploaded the file can no longer manage listings of this brand.",
                )
                .await
            }
        };
    let rows = match parse(&job.content) {
        Ok(rows) => rows,
        Err(_) => return finish_failed(state, job.id, "The file could not be read.").await,
    };
    let brand_live = brand::Entity::find_by_id(job.brand_id)
        .one(&state.db)
        .await?
        .and_then(|b| BrandStatus::parse(&b.status))
        .is_some_and(BrandStatus::is_live);
    let client = ClientContext { addr: None };
    let mut progress = Progress::default();
    let mut saved_at = std::time::Instant::now();
    for group in group_by_listing(&rows) {
        if *stop.borrow() {
            // Left `running`; its heartbeat goes stale and a worker takes it over.
            return Ok(());
        }
        match import_listing(state, &client, &scope, &group, brand_live).await {
            Ok(true) => progress.created += 1,
            Ok(false) => progress.updated += 1,
            Err(problems) => {
                progress.refused += group.len() as i32;
                progress.report.extend(problems);
            }
        }
        progress.processed += group.len();
        if saved_at.elapsed() >= PROGRESS_EVERY {
            save_progress(state, job.id, &progress, None).await?;
            saved_at = std::time::Instant::now();
        }
    }
    save_progress(state, job.id, &progress, Some(ImportStatus::Done)).await?;
    scope
        .audit(
            &state.db,
            &client,
            "catalog.import_done",
            &job.id.to_string(),
            json!({ "created": progress.created, "updated": progress.updated, "refused_rows": progress.refused }),
        )
        .await
}

async fn save_progress(
    state: &AppState,
    id: Uuid,
    progress: &Progress,
    finished: Option<ImportStatus>,
) -> Result<(), AppError> {
    let now = time::now();
    let mut update = catalog_import::Entity::update_many()
        .col_expr(
            catalog_import::Column::ProcessedRows,
            Expr::value(progress.processed as i32),
        )
        .col_expr(
            catalog_import::Column::CreatedListings,
            Expr::value(progress.created),
        )
        .col_expr(
            catalog_import::Column::UpdatedListings,
            Expr::value(progress.updated),
        )
        .col_expr(
            catalog_import::Column::RefusedRows,
            Expr::value(progress.refused),
        )
        .col_expr(catalog_import::Column::HeartbeatAt, Expr::value(now));
    if let Some(status) = finished {
        let report = (!progress.report.is_empty()).then(|| report_csv(&progress.report));
        update = update
            .col_expr(catalog_import::Column::Status, Expr::value(status.as_str()))
            .col_expr(catalog_import::Column::FinishedAt, Expr::value(now))
            .col_expr(catalog_import::Column::ErrorReport, Expr::value(report));
    }
    update
        .filter(catalog_import::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    Ok(())
}

async fn finish_failed(state: &AppState, id: Uuid, why: &str) -> Result<(), AppError> {
    catalog_import::Entity::update_many()
        .col_expr(
            catalog_import::Column::Status,
            Expr::value(ImportStatus::Failed.as_str()),
        )
        .col_expr(catalog_import::Column::Failure, Expr::value(why))
        .col_expr(catalog_import::Column::FinishedAt, Expr::value(time::now()))
        .filter(catalog_import::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    Ok(())
}

fn report_csv(report: &[(u64, String, String)]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["line", "sku", "reason"]);
    for (line, sku, reason) in report {
        let _ = writer.write_record([line.to_string().as_str(), sku, reason]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Rows grouped by `listing_ref`, in the order listings first appear.
fn group_by_listing(rows: &[Row]) -> Vec<Vec<&Row>> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&Row>> = HashMap::new();
    for row in rows {
        let key = row.get("listing_ref");
        groups.entry(key).or_insert_with(|| {
            order.push(key);
            Vec::new()
        });
        groups.get_mut(key).expect("inserted").push(row);
    }
    order.into_iter().filter_map(|k| groups.remove(k)).collect()
}

/// A listing's rows turned into what the services take, or the problems per row.
struct Plan {
    input: ListingInput,
    status: Option<ListingStatus>,
    /// (SKU code, location name, on hand)
    stock: Vec<(String, String, i64)>,
}

type Problems = Vec<(u64, String, String)>;

fn plan(group: &[&Row]) -> Result<Plan, Problems> {
    let first = group[0];
    let mut problems: Problems = Vec::new();
    let mut problem = |row: &Row, message: &str| {
        problems.push((row.line, row.get("sku").to_owned(), message.to_owned()))
    };
    if first.get("listing_ref").is_empty() {
        for row in group {
            problem(
                row,
                "listing_ref is required: rows with the same listing_ref make one listing.",
            );
        }
        return Err(problems);
    }
    let currency = first.get("currency").to_uppercase();
    let option_names: Vec<String> = (1..=3)
        .map(|i| first.get(&format!("option{i}_name")).to_owned())
        .take_while(|name| !name.is_empty())
        .collect();
    let mut options: Vec<ListingOption> = option_names
        .iter()
        .map(|name| ListingOption {
            name: name.clone(),
            values: Vec::new(),
        })
        .collect();
    let mut variants: Vec<VariantInput> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut seen = HashSet::new();
    let mut stock_rows = Vec::new();
    for row in group {
        let code = row.get("sku").to_owned();
        let location = row.get("location");
        let on_hand = row.get("on_hand");
        if !location.is_empty() || !on_hand.is_empty() {
            match on_hand.parse::<i64>() {
                Ok(n) if (0..=stock::MAX_QUANTITY).contains(&n) && !location.is_empty() => {
                    stock_rows.push((code.clone(), location.to_owned(), n))
                }
                _ => problem(
                    row,
                    "on_hand must be a whole number of zero or more, with its location.",
                ),
            }
        }
        if !seen.insert(code.clone()) {
            continue; // another location's stock for a variant already described
        }
        let values: Vec<String> = (1..=option_names.len())
            .map(|i| row.get(&format!("option{i}_value")).to_owned())
            .collect();
        for (option, value) in options.iter_mut().zip(&values) {
            if !value.is_empty() && !option.values.contains(value) {
                option.values.push(value.clone());
            }
        }
        let price = money::parse_amount(row.get("price"), &currency);
        if price.is_none() {
            problem(
                row,
                "price must be an amount like 129.90 in the listing's currency.",
            );
        }
        let compare_at = match row.get("compare_at_price") {
            "" => None,
            text => match money::parse_amount(text, &currency) {
                Some(amount) => Some(amount),
                None => {
                    problem(
                        row,
                        "compare_at_price must be an amount like 159.00, or empty.",
                    );
                    None
                }
            },
        };
        let weight = match row.get("weight_grams") {
            "" => 0,
            text => text.parse().unwrap_or_else(|_| {
                problem(row, "weight_grams must be a whole number.");
                0
            }),
        };
        variants.push(VariantInput {
            code,
            option_values: values,
            price_minor: price.unwrap_or(0),
            compare_at_minor: compare_at,
            weight_grams: weight,
            barcode: Some(row.get("barcode").to_owned()).filter(|b| !b.is_empty()),
        });
        lines.push(row.line);
    }
    let status = match first.get("status") {
        "" => None,
        text => match ListingStatus::parse(&text.to_lowercase()) {
            Some(status) => Some(status),
            None => {
                problem(first, "status must be draft, published or archived.");
                None
            }
        },
    };
    let input = ListingInput {
        title: first.get("title").to_owned(),
        description: first.get("description").to_owned(),
        category: first.get("category").to_owned(),
        currency,
        options,
        variants,
    };
    // The service's own checks, once the values could be read at all.
    let checked = if problems.is_empty() {
        listings::validate(&input).err()
    } else {
        None
    };
    if let Some(AppError::Validation { fields }) = checked {
        for (field, messages) in fields {
            // `variants.3.price_minor` belongs to the 4th variant's row; the rest to the first.
            let variant = field
                .strip_prefix("variants.")
                .and_then(|rest| rest.split('.').next())
                .and_then(|i| i.parse::<usize>().ok());
            let (line, sku) = match variant {
                Some(i) if i < lines.len() => (lines[i], input.variants[i].code.clone()),
                _ => (first.line, first.get("sku").to_owned()),
            };
            let column = field
                .rsplit('.')
                .next()
                .unwrap_or(&field)
                .replace("_minor", "");
            problems.push((line, sku, format!("{column}: {}", messages.join(" "))));
        }
    }
    if problems.is_empty() {
        Ok(Plan {
            input,
            status,
            stock: stock_rows,
        })
    } else {
        Err(problems)
    }
}

/// Imports one listing's rows; `Ok(true)` when it was created, `Ok(false)` when updated.
async fn import_listing(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    group: &[&Row],
    brand_live: bool,
) -> Result<bool, Problems> {
    let refuse_all = |message: &str| -> Problems {
        group
            .iter()
            .map(|r| (r.line, r.get("sku").to_owned(), message.to_owned()))
            .collect()
    };
    let plan = plan(group)?;
    if plan.status == Some(ListingStatus::Published) && !brand_live {
        return Err(refuse_all(
            "status published: the brand must be approved (and not suspended) to publish.",
        ));
    }
    let internal = |_: AppError| refuse_all("This listing could not be saved; try again.");
    let codes: Vec<String> = plan.input.variants.iter().map(|v| v.code.clone()).collect();
    let owners: BTreeMap<Uuid, ()> = sku::Entity::find()
        .filter(sku::Column::BrandId.eq(scope.brand_id()))
        .filter(sku::Column::Code.is_in(codes))
        .all(&state.db)
        .await
        .map_err(|e| internal(e.into()))?
        .into_iter()
        .map(|s| (s.listing_id, ()))
        .collect();
    let result = match owners.len() {
        0 => listings::create(state, client, scope, &plan.input)
            .await
            .map(|l| (l, true)),
        1 => {
            let id = owners.keys().next().expect("one").to_string();
            listings::update(state, client, scope, &id, &plan.input)
                .await
                .map(|l| (l, false))
        }
        _ => {
            return Err(refuse_all(
                "These SKU codes belong to different listings of your brand.",
            ))
        }
    };
    let (listing, created) = result.map_err(|error| match error {
        AppError::Validation { fields } => fields
            .into_iter()
            .map(|(field, messages)| {
                (
                    group[0].line,
                    group[0].get("sku").to_owned(),
                    format!("{field}: {}", messages.join(" ")),
                )
            })
            .collect(),
        other => refuse_all(&other.to_string()),
    })?;
    for (code, location, on_hand) in &plan.stock {
        let location_id = location_id(state, scope, location)
            .await
            .map_err(internal)?;
        stock::set_on_hand(
            state,
            client,
            scope,
            code,
            &location_id,
            *on_hand,
            "CSV import",
        )
        .await
        .map_err(|error| refuse_all(&error.to_string()))?;
    }
    if let Some(status) = plan.status.filter(|s| *s != listing.status) {
        listings::set_status(state, client, scope, &listing.id, status)
            .await
            .map_err(|error| refuse_all(&error.to_string()))?;
    }
    Ok(created)
}

/// The id of the brand's location `name`, created if it does not exist yet.
async fn location_id(state: &AppState, scope: &BrandScope, name: &str) -> Result<String, AppError> {
    let existing = stock::locations(&state.db, scope).await?;
    if let Some(found) = existing.iter().find(|l| l.name.eq_ignore_ascii_case(name)) {
        return Ok(found.id.clone());
    }
    let client = ClientContext { addr: None };
    Ok(stock::create_location(state, &client, scope, name)
        .await?
        .id)
}

/// The brand's catalog as CSV, in the import format: one row per variant and location with
/// stock (a variant without stock gets one row with empty location).
pub async fn export(db: &impl ConnectionTrait, scope: &BrandScope) -> Result<String, AppError> {
    let listings = listing::Entity::find()
        .filter(listing::Column::BrandId.eq(scope.brand_id()))
        .order_by_asc(listing::Column::CreatedAt)
        .all(db)
        .await?;
    let skus = sku::Entity::find()
        .filter(sku::Column::BrandId.eq(scope.brand_id()))
        .order_by_asc(sku::Column::Position)
        .all(db)
        .await?;
    let locations: HashMap<Uuid, String> = stock_location::Entity::find()
        .filter(stock_location::Column::BrandId.eq(scope.brand_id()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let mut levels: HashMap<Uuid, Vec<stock_level::Model>> = HashMap::new();
    for level in stock_level::Entity::find()
        .filter(stock_level::Column::BrandId.eq(scope.brand_id()))
        .all(db)
        .await?
    {
        levels.entry(level.sku_id).or_default().push(level);
    }
    let mut by_listing: HashMap<Uuid, Vec<&sku::Model>> = HashMap::new();
    for s in &skus {
        by_listing.entry(s.listing_id).or_default().push(s);
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(CSV_COLUMNS)
        .map_err(AppError::internal)?;
    for l in &listings {
        let options: Vec<ListingOption> = serde_json::from_str(&l.options).unwrap_or_default();
        for s in by_listing.get(&l.id).into_iter().flatten() {
            let values: Vec<String> = serde_json::from_str(&s.option_values).unwrap_or_default();
            let option = |i: usize| -> (String, String) {
                (
                    options.get(i).map(|o| o.name.clone()).unwrap_or_default(),
                    values.get(i).cloned().unwrap_or_default(),
                )
            };
            let (o1, o2, o3) = (option(0), option(1), option(2));
            let stock_rows: Vec<(String, String)> = match levels.get(&s.id) {
                Some(levels) if !levels.is_empty() => levels
                    .iter()
                    .map(|lv| {
                        (
                            locations.get(&lv.location_id).cloned().unwrap_or_default(),
                            lv.on_hand.to_string(),
                        )
                    })
                    .collect(),
                _ => vec![(String::new(), String::new())],
            };
            for (location, on_hand) in stock_rows {
                writer
                    .write_record([
                        l.id.to_string(),
                        l.title.clone(),
                        l.description_md.clone(),
                        l.category.clone(),
                        l.currency.clone(),
                        l.status.clone(),
                        o1.0.clone(),
                        o1.1.clone(),
                        o2.0.clone(),
                        o2.1.clone(),
                        o3.0.clone(),
                        o3.1.clone(),
                        s.code.clone(),
                        money::amount_input(s.price_minor, &s.currency),
                        s.compare_at_minor
                            .map(|c| money::amount_input(c, &s.currency))
                            .unwrap_or_default(),
                        s.weight_grams.to_string(),
                        s.barcode.clone().unwrap_or_default(),
                        location,
                        on_hand,
                    ])
                    .map_err(AppError::internal)?;
            }
        }
    }
    String::from_utf8(writer.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "listing_ref,title,category,currency,option1_name,option1_value,sku,price,location,on_hand\n\
        dress,Silk dress,fashion,CNY,Size,S,D-S,1299,Main warehouse,5\n\
        dress,Silk dress,fashion,CNY,Size,M,D-M,1399,Main warehouse,3\n\
        dress,Silk dress,fashion,CNY,Size,M,D-M,1399,Shanghai pop-up,2\n\
        mask,Eye mask,beauty,CNY,,,MASK,abc,,\n";

    #[test]
    fn rows_group_into_listings_with_variants_and_stock() {
        let rows = parse(FILE).unwrap();
        let groups = group_by_listing(&rows);
        assert_eq!(groups.len(), 2);
        let Ok(plan) = plan(&groups[0]) else {
            panic!("the dress is valid")
        };
        assert_eq!(plan.input.variants.len(), 2);
        assert_eq!(plan.input.options[0].values, ["S", "M"]);
        assert_eq!(plan.input.variants[1].price_minor, 139_900);
        assert_eq!(plan.stock.len(), 3);
        let problems = plan_problems(&groups[1]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 5, "reported on the file's line 5");
        assert!(problems[0].2.contains("price"));
    }

    fn plan_problems(group: &[&Row]) -> Problems {
        match plan(group) {
            Ok(_) => panic!("expected problems"),
            Err(problems) => problems,
        }
    }

    #[test]
    fn files_without_required_columns_or_rows_are_refused() {
        assert_eq!(
            parse("title,sku\nx,y\n").err(),
            Some(ImportProblem::MissingColumns)
        );
        let header_only = "listing_ref,title,category,currency,sku,price\n";
        assert_eq!(parse(header_only).err(), Some(ImportProblem::NoRows));
        assert_eq!(check(vec![0xff, 0xfe]).err(), Some(ImportProblem::NotUtf8));
        assert_eq!(check(Vec::new()).err(), Some(ImportProblem::MissingFile));
        let with_bom = format!("\u{feff}{FILE}");
        assert_eq!(check(with_bom.into_bytes()).unwrap().1, 4);
    }
}
