//! The owner of a running import job: the worker whose token is in the job's `worker`
//! column. Every write of a running job is fenced by it (see `job` and `write`).

use entity::catalog_import;
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::catalog::ImportStatus;
use crate::core::AppError;

/// A running job and the token of the worker that owns it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Owner {
    pub(super) id: Uuid,
    pub(super) worker: Uuid,
}

impl Owner {
    /// Only this owner's running job.
    pub(super) fn fence<Q: QueryFilter>(self, query: Q) -> Q {
        query
            .filter(catalog_import::Column::Id.eq(self.id))
            .filter(catalog_import::Column::Worker.eq(self.worker))
            .filter(catalog_import::Column::Status.eq(ImportStatus::Running.as_str()))
    }

    /// Takes the job's row inside `txn`, the transaction that writes a chunk, if the job is
    /// still this owner's; `false` when it is not (write nothing). The row then stays locked
    /// until the chunk commits: another worker's take-over waits for it (PostgreSQL's row
    /// lock; SQLite has one writer), and once taken over, this worker writes no further chunk
    /// — so two workers never write the same listings at once. The heartbeat is left to the
    /// timer (`job::beat`): writing chunks is no proof that the worker is not stuck between them.
    pub(super) async fn hold(self, txn: &impl ConnectionTrait) -> Result<bool, AppError> {
        let held = self
            .fence(catalog_import::Entity::update_many())
            .col_expr(
                catalog_import::Column::Worker,
                Expr::col(catalog_import::Column::Worker).into(),
            )
            .exec(txn)
            .await?;
        Ok(held.rows_affected == 1)
    }
}
