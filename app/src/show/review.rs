//! Shows as platform admins review them: the queue of submitted shows, and approving one or
//! sending it back with a note.

use entity::show;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::public::{status_of, summaries};
use super::{ShowStatus, ShowSummary};
use crate::core::{time::now, AppError};

/// Shows waiting for an admin's review, oldest first.
pub async fn review_queue(db: &impl ConnectionTrait) -> Result<Vec<ShowSummary>, AppError> {
    let shows = show::Entity::find()
        .filter(show::Column::Status.eq(ShowStatus::Submitted))
        .order_by_asc(show::Column::UpdatedAt)
        .all(db)
        .await?;
    summaries(db, shows).await
}

/// An admin approves a submitted show, or sends it back with a note.
pub async fn decide(
    db: &impl ConnectionTrait,
    id: &str,
    approve: bool,
    note: Option<String>,
) -> Result<ShowSummary, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let show = show::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if status_of(&show) != ShowStatus::Submitted {
        return Err(AppError::Conflict {
            message: "This show is not waiting for a review.".into(),
        });
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if !approve && note.is_none() {
        return Err(AppError::field("note", "Tell the brand what to change."));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 1_000) {
        return Err(AppError::field("note", "Use at most 1,000 characters."));
    }
    let mut active = show.into_active_model();
    active.status = Set(if approve {
        ShowStatus::Approved
    } else {
        ShowStatus::Rejected
    });
    active.review_note = Set(note);
    active.updated_at = Set(now());
    let row = active.update(db).await?;
    summaries(db, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}
