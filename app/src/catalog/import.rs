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

use crate::core::txn::begin_write;
use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{
    audit_event, brand, catalog_import, listing, sku, stock_level, stock_location, stock_movement,
};
use sea_orm::{
    sea_query::{Condition, Expr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    listings, markdown, search, stock, ImportJob, ImportProblem, ImportStatus, ListingInput,
    ListingOption, ListingStatus, VariantInput, CSV_COLUMNS,
};
use crate::auth::{audit::ClientContext, BrandRole};
use crate::brands::{BrandScope, BrandStatus};
use crate::core::{bulk, money, state::AppState, time, AppError};

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
/// Listings per transaction when they are new (the fast path; see [`Batch::import`]).
const CHUNK_LISTINGS: usize = 250;
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

impl Progress {
    /// Counts a listing's rows as refused, with the reasons for the report.
    fn refuse(&mut self, group: &[&Row], problems: Problems) {
        self.refused += group.len() as i32;
        self.report.extend(problems);
    }
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
    let mut batch = Batch {
        state,
        client: &client,
        scope: &scope,
        brand_live,
        job_id: job.id,
        locations: HashMap::new(),
        codes_in_job: HashSet::new(),
    };
    for chunk in group_by_listing(&rows).chunks(CHUNK_LISTINGS) {
        if *stop.borrow() {
            // Left `running`; its heartbeat goes stale and a worker takes it over.
            return Ok(());
        }
        batch.import(chunk, &mut progress).await?;
        progress.processed += chunk.iter().map(Vec::len).sum::<usize>();
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
        let purchase_limit = match row.get("purchase_limit") {
            "" => None,
            text => text.parse().map(Some).unwrap_or_else(|_| {
                problem(row, "purchase_limit must be a whole number, or empty.");
                None
            }),
        };
        variants.push(VariantInput {
            code,
            option_values: values,
            price_minor: price.unwrap_or(0),
            compare_at_minor: compare_at,
            weight_grams: weight,
            barcode: Some(row.get("barcode").to_owned()).filter(|b| !b.is_empty()),
            purchase_limit,
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
    // The service's own checks, once the values could be read at all; it also normalises
    // (trims) what it accepts.
    let (input, checked) = if problems.is_empty() {
        match listings::validate(&input) {
            Ok(normalised) => (normalised, None),
            Err(error) => (input, Some(error)),
        }
    } else {
        (input, None)
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

/// Refuses every row of a listing the file publishes while the brand may not publish.
fn check_publishable(group: &[&Row], plan: &Plan, brand_live: bool) -> Result<(), Problems> {
    if plan.status == Some(ListingStatus::Published) && !brand_live {
        return Err(group
            .iter()
            .map(|r| {
                (
                    r.line,
                    r.get("sku").to_owned(),
                    "status published: the brand must be approved (and not suspended) to publish."
                        .to_owned(),
                )
            })
            .collect());
    }
    Ok(())
}

/// One job's run: what it needs to import chunk after chunk.
struct Batch<'a> {
    state: &'a AppState,
    client: &'a ClientContext,
    scope: &'a BrandScope,
    brand_live: bool,
    job_id: Uuid,
    /// The brand's locations by lower-cased name, created as the file names them.
    locations: HashMap<String, Uuid>,
    /// SKU codes of listings this job created, so a later listing with one of them updates
    /// that listing (as a re-import would) instead of colliding with it.
    codes_in_job: HashSet<String>,
}

impl Batch<'_> {
    /// Imports a chunk of listings. New listings (none of their SKU codes exist yet) take the
    /// fast path: all of them in one transaction with a few multi-row INSERTs. Listings that
    /// update existing ones take the services one by one, as does every new listing of the
    /// chunk if the fast path's transaction fails — so a listing the database refuses is
    /// found and reported, and the others still land.
    async fn import(
        &mut self,
        chunk: &[Vec<&Row>],
        progress: &mut Progress,
    ) -> Result<(), AppError> {
        let mut planned = Vec::with_capacity(chunk.len());
        for group in chunk {
            match plan(group).and_then(|plan| {
                check_publishable(group, &plan, self.brand_live)?;
                Ok(plan)
            }) {
                Ok(plan) => planned.push((group, plan)),
                Err(problems) => progress.refuse(group, problems),
            }
        }
        let codes: Vec<String> = planned
            .iter()
            .flat_map(|(_, plan)| plan.input.variants.iter().map(|v| v.code.clone()))
            .collect();
        let existing: HashSet<String> = sku::Entity::find()
            .select_only()
            .column(sku::Column::Code)
            .filter(sku::Column::BrandId.eq(self.scope.brand_id()))
            .filter(sku::Column::Code.is_in(codes))
            .into_tuple()
            .all(&self.state.db)
            .await?
            .into_iter()
            .collect();
        let mut fresh = Vec::new();
        let mut one_by_one = Vec::new();
        for (group, plan) in planned {
            let known = plan
                .input
                .variants
                .iter()
                .any(|v| existing.contains(&v.code) || self.codes_in_job.contains(&v.code));
            if known {
                one_by_one.push(group);
            } else {
                self.codes_in_job
                    .extend(plan.input.variants.iter().map(|v| v.code.clone()));
                fresh.push((group, plan));
            }
        }
        if !fresh.is_empty() {
            match self.insert_new(&fresh).await {
                Ok(()) => progress.created += fresh.len() as i32,
                Err(error) => {
                    tracing::warn!(%error, "bulk insert of new listings failed; one by one instead");
                    one_by_one.extend(fresh.iter().map(|(group, _)| *group));
                }
            }
        }
        for group in one_by_one {
            match self.import_one(group).await {
                Ok(true) => progress.created += 1,
                Ok(false) => progress.updated += 1,
                Err(problems) => progress.refuse(group, problems),
            }
        }
        Ok(())
    }

    /// Imports one listing's rows through the services, all in one transaction: the listing
    /// lands with its stock and status, or not at all. `Ok(true)` when it was created,
    /// `Ok(false)` when it updated the listing that has its SKU codes.
    async fn import_one(&mut self, group: &[&Row]) -> Result<bool, Problems> {
        let refuse_all = |message: &str| -> Problems {
            group
                .iter()
                .map(|r| (r.line, r.get("sku").to_owned(), message.to_owned()))
                .collect()
        };
        let internal = |_: AppError| refuse_all("This listing could not be saved; try again.");
        let plan = plan(group)?;
        check_publishable(group, &plan, self.brand_live)?;
        let mut stock_at = Vec::with_capacity(plan.stock.len());
        for (code, location, on_hand) in &plan.stock {
            let location = self.location(location).await.map_err(internal)?;
            stock_at.push((code, location.to_string(), *on_hand));
        }
        let (scope, client) = (self.scope, self.client);
        let txn = begin_write(&self.state.db)
            .await
            .map_err(|e| internal(e.into()))?;
        let codes: Vec<String> = plan.input.variants.iter().map(|v| v.code.clone()).collect();
        let owners: BTreeMap<Uuid, ()> = sku::Entity::find()
            .filter(sku::Column::BrandId.eq(scope.brand_id()))
            .filter(sku::Column::Code.is_in(codes))
            .all(&txn)
            .await
            .map_err(|e| internal(e.into()))?
            .into_iter()
            .map(|s| (s.listing_id, ()))
            .collect();
        let result = match owners.len() {
            0 => listings::create_in(&txn, client, scope, &plan.input)
                .await
                .map(|l| (l, true)),
            1 => {
                let id = owners.keys().next().expect("one").to_string();
                listings::update_in(&txn, client, scope, &id, &plan.input)
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
        for (code, location_id, on_hand) in &stock_at {
            stock::set_on_hand_in(
                &txn,
                client,
                scope,
                code,
                location_id,
                *on_hand,
                "CSV import",
            )
            .await
            .map_err(|error| refuse_all(&error.to_string()))?;
        }
        if let Some(status) = plan.status.filter(|s| s.as_str() != listing.status) {
            listings::set_status_in(&txn, client, scope, &listing.id.to_string(), status)
                .await
                .map_err(|error| refuse_all(&error.to_string()))?;
        }
        txn.commit().await.map_err(|e| internal(e.into()))?;
        Ok(created)
    }

    /// The id of the brand's location `name`, created the first time the file names it.
    async fn location(&mut self, name: &str) -> Result<Uuid, AppError> {
        let key = name.to_lowercase();
        if self.locations.is_empty() {
            for location in stock::locations(&self.state.db, self.scope).await? {
                let id = Uuid::parse_str(&location.id).map_err(AppError::internal)?;
                self.locations.insert(location.name.to_lowercase(), id);
            }
        }
        if let Some(id) = self.locations.get(&key) {
            return Ok(*id);
        }
        let created = stock::create_location(self.state, self.client, self.scope, name).await?;
        let id = Uuid::parse_str(&created.id).map_err(AppError::internal)?;
        self.locations.insert(key, id);
        Ok(id)
    }

    /// Writes new listings with their variants, stock (an `adjust` in the ledger per SKU
    /// and location, as a count would) and search rows, in one transaction: what
    /// `listings::create`, `stock::set_on_hand` and `listings::set_status` would write, in
    /// a few statements instead of dozens per listing.
    async fn insert_new(&mut self, fresh: &[(&Vec<&Row>, Plan)]) -> Result<(), AppError> {
        let mut stock_at = Vec::new();
        for (_, plan) in fresh {
            for (code, location, on_hand) in &plan.stock {
                stock_at.push((code.clone(), self.location(location).await?, *on_hand));
            }
        }
        let scope = self.scope;
        let txn = begin_write(&self.state.db).await?;
        let brand_name = brand::Entity::find_by_id(scope.brand_id())
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?
            .display_name;
        let sqlite = txn.get_database_backend() == sea_orm::DbBackend::Sqlite;
        let mut next_key = if sqlite {
            search::next_search_key(&txn).await?
        } else {
            0
        };
        let now = time::now();
        let actor = Some(scope.account_id());
        let (mut listings, mut skus, mut levels, mut movements, mut audits) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut index = Vec::new();
        let mut stock_at = stock_at.into_iter().peekable();
        for (_, plan) in fresh {
            let input = &plan.input;
            let id = Uuid::now_v7();
            let mut sku_ids = HashMap::new();
            for (position, v) in input.variants.iter().enumerate() {
                let option_values =
                    serde_json::to_string(&v.option_values).map_err(AppError::internal)?;
                let row = listings::new_sku(
                    scope.brand_id(),
                    id,
                    &input.currency,
                    position,
                    v,
                    option_values,
                    now,
                );
                sku_ids.insert(v.code.as_str(), row.id);
                skus.push(row.into_active_model().reset_all());
            }
            // A count per SKU and location; a later row for the same pair wins, as it would
            // one row at a time.
            let mut counts: Vec<((Uuid, Uuid), i64)> = Vec::new();
            for _ in 0..plan.stock.len() {
                let (code, location, on_hand) = stock_at.next().expect("one per stock row");
                let key = (sku_ids[code.as_str()], location);
                match counts.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, count)) => *count = on_hand,
                    None => counts.push((key, on_hand)),
                }
            }
            let available: i64 = counts.iter().map(|(_, n)| n).sum();
            for ((sku_id, location_id), on_hand) in counts.into_iter().filter(|(_, n)| *n > 0) {
                levels.push(
                    stock_level::Model {
                        sku_id,
                        location_id,
                        brand_id: scope.brand_id(),
                        on_hand,
                        reserved: 0,
                        updated_at: now,
                    }
                    .into_active_model()
                    .reset_all(),
                );
                movements.push(
                    stock_movement::Model {
                        id: Uuid::now_v7(),
                        brand_id: scope.brand_id(),
                        sku_id,
                        location_id,
                        kind: stock::MovementKind::Adjust.as_str().to_owned(),
                        on_hand_delta: on_hand,
                        reserved_delta: 0,
                        reason: "CSV import".to_owned(),
                        actor_account_id: actor,
                        reference: None,
                        created_at: now,
                    }
                    .into_active_model()
                    .reset_all(),
                );
            }
            let status = plan.status.unwrap_or(ListingStatus::Draft);
            let visible = status == ListingStatus::Published && self.brand_live;
            let search_key = (visible && sqlite).then(|| {
                next_key += 1;
                next_key - 1
            });
            let (min, max) = listings::price_range(input);
            let row = listing::Model {
                id,
                brand_id: scope.brand_id(),
                brand_name: brand_name.clone(),
                title: input.title.clone(),
                description_html: markdown::render(&input.description),
                description_md: input.description.clone(),
                category: input.category.clone(),
                status: status.as_str().to_owned(),
                visible,
                options: serde_json::to_string(&input.options).map_err(AppError::internal)?,
                currency: input.currency.clone(),
                price_min_minor: min,
                price_max_minor: max,
                available,
                cover_url: None,
                created_at: now,
                updated_at: now,
                published_at: (status == ListingStatus::Published).then_some(now),
                search_key,
            };
            audits.push(audit_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                occurred_at: Set(now),
                actor_account_id: Set(actor),
                action: Set("listing.created".to_owned()),
                subject: Set(Some(id.to_string())),
                client_addr: Set(None),
                detail: Set(Some(
                    json!({ "title": row.title, "brand": scope.slug(), "import": self.job_id })
                        .to_string(),
                )),
            });
            index.push(row.clone());
            listings.push(row.into_active_model().reset_all());
        }
        bulk::insert_all(&txn, listings).await?;
        bulk::insert_all(&txn, skus).await?;
        bulk::insert_all(&txn, levels).await?;
        bulk::insert_all(&txn, movements).await?;
        bulk::insert_all(&txn, audits).await?;
        let index_rows: Vec<search::IndexRow> = index
            .iter()
            .filter_map(|row| {
                Some(search::IndexRow {
                    key: row.search_key?,
                    listing_id: row.id,
                    title: &row.title,
                    brand: &row.brand_name,
                    description: &row.description_md,
                    category: &row.category,
                    brand_id: row.brand_id,
                    available: row.available,
                })
            })
            .collect();
        search::insert_index_rows(&txn, &index_rows).await?;
        txn.commit().await?;
        Ok(())
    }
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
                        s.purchase_limit.map(|l| l.to_string()).unwrap_or_default(),
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
