//! Writing planned listings: new ones many per transaction in a few multi-row INSERTs (their
//! first stock through the ledger), listings that update existing ones one by one through the
//! catalog's services.

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{brand, listing, sku};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::audit::{self, AuditEntry, ClientContext};
use crate::brands::BrandScope;
use crate::catalog::stock::ledger::{self, Movement};
use crate::catalog::{index, listings, markdown, stock, ListingStatus};
use crate::core::{bulk, time, txn::begin_write, AppError};
use crate::state::AppState;

use super::csv::Row;
use super::owner::Owner;
use super::plan::{check_publishable, plan, Plan, Problems};

/// Listings per transaction when they are new (the fast path; see [`Batch::import`]).
pub(super) const CHUNK_LISTINGS: usize = 250;

/// Counts of a run so far.
#[derive(Default)]
pub(super) struct Progress {
    pub(super) processed: usize,
    pub(super) created: i32,
    pub(super) updated: i32,
    pub(super) refused: i32,
    pub(super) report: Vec<(u64, String, String)>,
}

impl Progress {
    /// Counts a listing's rows as refused, with the reasons for the report.
    fn refuse(&mut self, group: &[&Row], problems: Problems) {
        self.refused += group.len() as i32;
        self.report.extend(problems);
    }
}

/// One job's run: what it needs to import chunk after chunk.
pub(super) struct Batch<'a> {
    pub(super) state: &'a AppState,
    pub(super) client: &'a ClientContext,
    pub(super) scope: &'a BrandScope,
    pub(super) brand_live: bool,
    /// The job and its worker: every chunk's transaction first checks the job is still
    /// this worker's ([`Owner::hold`]).
    pub(super) owner: Owner,
    /// Set when a chunk found the job taken over by another worker: this one stops.
    pub(super) taken_over: bool,
    /// The brand's locations by lower-cased name, created as the file names them.
    pub(super) locations: HashMap<String, Uuid>,
    /// SKU codes of listings this job created, so a later listing with one of them updates
    /// that listing (as a re-import would) instead of colliding with it.
    pub(super) codes_in_job: HashSet<String>,
}

impl Batch<'_> {
    /// Imports a chunk of listings. New listings (none of their SKU codes exist yet) take the
    /// fast path: all of them in one transaction with a few multi-row INSERTs. Listings that
    /// update existing ones take the services one by one, as does every new listing of the
    /// chunk if the fast path's transaction fails — so a listing the database refuses is
    /// found and reported, and the others still land.
    pub(super) async fn import(
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
                Err(_) if self.taken_over => return Ok(()),
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
                Err(_) if self.taken_over => return Ok(()),
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
        if !self.still_ours(&txn).await.map_err(internal)? {
            return Err(Problems::new());
        }
        let codes: Vec<String> = plan.input.variants.iter().map(|v| v.code.clone()).collect();
        let owners: BTreeMap<Uuid, ()> = scope
            .find::<sku::Entity>()
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
            stock::changes::set_on_hand_in(
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
        if let Some(status) = plan.status.filter(|s| *s != listing.status) {
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
            for location in stock::locations::locations(&self.state.db, self.scope).await? {
                let id = Uuid::parse_str(&location.id).map_err(AppError::internal)?;
                self.locations.insert(location.name.to_lowercase(), id);
            }
        }
        if let Some(id) = self.locations.get(&key) {
            return Ok(*id);
        }
        let created =
            stock::locations::create_location(self.state, self.client, self.scope, name).await?;
        let id = Uuid::parse_str(&created.id).map_err(AppError::internal)?;
        self.locations.insert(key, id);
        Ok(id)
    }

    /// Whether the job is still this worker's, checked first in the chunk's transaction `txn`
    /// (which then holds the job's row: see [`Owner::hold`]); records [`Batch::taken_over`]
    /// when it is not.
    async fn still_ours(&mut self, txn: &impl sea_orm::ConnectionTrait) -> Result<bool, AppError> {
        let ours = self.owner.hold(txn).await?;
        self.taken_over |= !ours;
        Ok(ours)
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
        if !self.still_ours(&txn).await? {
            return Err(AppError::internal(
                "the import was taken over by another worker",
            ));
        }
        let brand_name = brand::Entity::find_by_id(scope.brand_id())
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?
            .display_name;
        let sqlite = txn.get_database_backend() == sea_orm::DbBackend::Sqlite;
        let mut next_key = if sqlite {
            index::next_search_key(&txn).await?
        } else {
            0
        };
        let now = time::now();
        let actor = Some(scope.account_id());
        let (mut listings, mut skus, mut opening, mut audits) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut indexed = Vec::new();
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
                opening.push(Movement {
                    brand_id: scope.brand_id(),
                    sku_id,
                    location_id,
                    kind: stock::MovementKind::Adjust,
                    on_hand_delta: on_hand,
                    reserved_delta: 0,
                    reason: "CSV import".to_owned(),
                    actor,
                    reference: None,
                });
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
                status,
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
            audits.push(AuditEntry {
                actor,
                action: "listing.created",
                subject: Some(id.to_string()),
                detail: Some(
                    json!({ "title": row.title, "brand": scope.slug(), "import": self.owner.id }),
                ),
            });
            indexed.push(row.clone());
            listings.push(row.into_active_model().reset_all());
        }
        bulk::insert_all(&txn, listings).await?;
        bulk::insert_all(&txn, skus).await?;
        ledger::open(&txn, &opening).await?;
        audit::record_all(&txn, now, audits).await?;
        let index_rows: Vec<index::IndexRow> = indexed
            .iter()
            .filter_map(|row| {
                Some(index::IndexRow {
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
        index::insert_index_rows(&txn, &index_rows).await?;
        txn.commit().await?;
        Ok(())
    }
}
