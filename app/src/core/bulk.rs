//! Bulk writes: many rows per INSERT, for imports and other batch work.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Iterable};

use super::AppError;

/// Bound values per statement: SQLite allows 32,766 (PostgreSQL 65,535).
const MAX_VALUES: usize = 30_000;

/// Inserts `models` in multi-row INSERTs whose row counts are powers of two (256, 32, 4...),
/// within the bound-value limit. The statements' text then repeats from one call to the next,
/// so the driver's prepared-statement cache serves them instead of the database parsing a
/// new statement of a few hundred rows every time (checkout writes one batch per commit).
pub async fn insert_all<A>(db: &impl ConnectionTrait, models: Vec<A>) -> Result<(), AppError>
where
    A: ActiveModelTrait + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let most = prev_power_of_two((MAX_VALUES / columns).max(1));
    let mut left = models.len();
    let mut models = models.into_iter();
    while left > 0 {
        let rows = prev_power_of_two(left.min(most));
        let chunk: Vec<A> = models.by_ref().take(rows).collect();
        left -= rows;
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The largest power of two ≤ `n` (n ≥ 1).
fn prev_power_of_two(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::prev_power_of_two;

    #[test]
    fn chunk_sizes_are_powers_of_two() {
        assert_eq!(prev_power_of_two(1), 1);
        assert_eq!(prev_power_of_two(300), 256);
        assert_eq!(prev_power_of_two(256), 256);
        assert_eq!(prev_power_of_two(1763), 1024);
    }
}
