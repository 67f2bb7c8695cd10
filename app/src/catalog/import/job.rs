//! The import job: an upload becomes a `catalog_import` row, claimed by a background worker
//! on any node (a stalled worker's job is taken over), processed chunk by chunk with its
//! progress saved as it goes, and finished with a report of refused rows.
//!
//! A running job belongs to the worker whose token is in its `worker` column. The worker
//! beats a heartbeat on a timer (not between chunks, which can be slow), and every write of
//! progress or of the outcome is conditional on the token: a worker whose job was taken over
//! after it went silent finds out at its next write or beat and stops, writing nothing.

use std::collections::{HashMap, HashSet};

use entity::{brand, catalog_import};
use sea_orm::{
    sea_query::{Condition, Expr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{audit::ClientContext, BrandRole};
use crate::brands::{BrandScope, BrandStatus};
use crate::catalog::{ImportJob, ImportStatus};
use crate::core::{time, AppError};
use crate::state::AppState;

use super::csv::{parse, spreadsheet_safe};
use super::owner::Owner;
use super::plan::group_by_listing;
use super::write::{Batch, Progress, CHUNK_LISTINGS};

/// A running job with no sign of life for this long is taken over by another worker.
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// How often progress is saved.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// How often a running job's worker says it is alive, whatever it is doing.
const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

fn job_info(row: &catalog_import::Model) -> ImportJob {
    ImportJob {
        id: row.id.to_string(),
        file_name: row.file_name.clone(),
        status: row.status,
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
        status: ImportStatus::Queued,
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
        worker: None,
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
    scope
        .narrow(catalog_import::Entity::find_by_id(id))
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
    Ok(scope
        .find::<catalog_import::Entity>()
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
        .add(catalog_import::Column::Status.eq(ImportStatus::Queued))
        .add(
            Condition::all()
                .add(catalog_import::Column::Status.eq(ImportStatus::Running))
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
    let worker = Uuid::new_v4();
    let claimed = catalog_import::Entity::update_many()
        .col_expr(
            catalog_import::Column::Status,
            Expr::value(ImportStatus::Running.as_str()),
        )
        .col_expr(catalog_import::Column::Worker, Expr::value(worker))
        .col_expr(catalog_import::Column::HeartbeatAt, Expr::value(now))
        .col_expr(catalog_import::Column::StartedAt, Expr::value(now))
        .filter(catalog_import::Column::Id.eq(candidate.id))
        .filter(claimable)
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 1 {
        let owner = Owner {
            id: candidate.id,
            worker,
        };
        let heartbeat = tokio::spawn(beat(state.db.clone(), owner));
        let ran = run(state, candidate, owner, &heartbeat, stop).await;
        heartbeat.abort();
        ran?;
    }
    Ok(true)
}

/// Beats `owner`'s heartbeat every [`HEARTBEAT_EVERY`] until the job is no longer theirs (it
/// ends: the worker sees it finished and stops).
async fn beat(db: sea_orm::DatabaseConnection, owner: Owner) {
    let mut every = tokio::time::interval(HEARTBEAT_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        let beat = owner
            .fence(catalog_import::Entity::update_many())
            .col_expr(
                catalog_import::Column::HeartbeatAt,
                Expr::value(time::now()),
            )
            .exec(&db)
            .await;
        match beat {
            Ok(done) if done.rows_affected == 0 => return,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "import heartbeat not saved"),
        }
    }
}

async fn run(
    state: &AppState,
    job: catalog_import::Model,
    owner: Owner,
    heartbeat: &tokio::task::JoinHandle<()>,
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
                    owner,
                    "The person who uploaded the file can no longer manage listings of this brand.",
                )
                .await
            }
        };
    let rows = match parse(&job.content) {
        Ok(rows) => rows,
        Err(_) => return finish_failed(state, owner, "The file could not be read.").await,
    };
    let brand_live = brand::Entity::find_by_id(job.brand_id)
        .one(&state.db)
        .await?
        .map(|b| b.status)
        .is_some_and(BrandStatus::is_live);
    let client = ClientContext { addr: None };
    let mut progress = Progress::default();
    let mut saved_at = std::time::Instant::now();
    let mut batch = Batch {
        state,
        client: &client,
        scope: &scope,
        brand_live,
        owner,
        taken_over: false,
        locations: HashMap::new(),
        codes_in_job: HashSet::new(),
    };
    for chunk in group_by_listing(&rows).chunks(CHUNK_LISTINGS) {
        if *stop.borrow() {
            // Left `running`; its heartbeat goes stale and a worker takes it over.
            return Ok(());
        }
        if heartbeat.is_finished() {
            // Taken over by another worker (this one was silent too long): it is theirs now.
            return Ok(());
        }
        batch.import(chunk, &mut progress).await?;
        if batch.taken_over {
            return Ok(());
        }
        progress.processed += chunk.iter().map(Vec::len).sum::<usize>();
        if saved_at.elapsed() >= PROGRESS_EVERY {
            if !save_progress(state, owner, &progress, None).await? {
                return Ok(());
            }
            saved_at = std::time::Instant::now();
        }
    }
    if !save_progress(state, owner, &progress, Some(ImportStatus::Done)).await? {
        return Ok(());
    }
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

/// Saves `owner`'s progress (and its outcome when `finished`); `false` when the job is no
/// longer theirs, so nothing was written.
async fn save_progress(
    state: &AppState,
    owner: Owner,
    progress: &Progress,
    finished: Option<ImportStatus>,
) -> Result<bool, AppError> {
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
    let saved = owner.fence(update).exec(&state.db).await?;
    Ok(saved.rows_affected == 1)
}

async fn finish_failed(state: &AppState, owner: Owner, why: &str) -> Result<(), AppError> {
    owner
        .fence(catalog_import::Entity::update_many())
        .col_expr(
            catalog_import::Column::Status,
            Expr::value(ImportStatus::Failed.as_str()),
        )
        .col_expr(catalog_import::Column::Failure, Expr::value(why))
        .col_expr(catalog_import::Column::FinishedAt, Expr::value(time::now()))
        .exec(&state.db)
        .await?;
    Ok(())
}

fn report_csv(report: &[(u64, String, String)]) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["line", "sku", "reason"]);
    for (line, sku, reason) in report {
        let _ = writer.write_record([
            line.to_string().as_str(),
            &spreadsheet_safe(sku),
            &spreadsheet_safe(reason),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
