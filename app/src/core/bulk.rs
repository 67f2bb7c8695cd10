//! Bulk writes: many rows per INSERT, for imports and other batch work.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Iterable};

use super::AppError;

/// Bound values per statement: SQLite allows 32,766 (PostgreSQL 65,535).
const MAX_VALUES: usize = 30_000;

/// Inserts `models` with as few multi-row INSERTs as the bound-value limit allows.
pub async fn insert_all<A>(db: &impl ConnectionTrait, models: Vec<A>) -> Result<(), AppError>
where
    A: ActiveModelTrait + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (MAX_VALUES / columns).max(1);
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<A> = models.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
