//! The producer's console actions while a show is on air. Each one changes the show and
//! appends its event in one transaction, then the hub streams it to every viewer.

use crate::state::AppState;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{show, show_look};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use super::public::{self, status_of};
use super::{
    events, DropMomentsInput, Moderation, ShowDetail, ShowEvent, ShowFigures, ShowHost, ShowStatus,
};
use crate::catalog::gates::{self, GateOwner};
use crate::catalog::stock::pools;
use crate::core::{time::now, txn::begin_write, AppError};

fn must_be(show: &show::Model, status: ShowStatus, message: &str) -> Result<(), AppError> {
    if status_of(show) == status {
        Ok(())
    } else {
        Err(AppError::Conflict {
            message: message.to_owned(),
        })
    }
}

const NOT_LIVE: &str = "The show is not on air.";

/// Commits `txn` and streams what it recorded.
async fn publish(
    state: &AppState,
    txn: sea_orm::DatabaseTransaction,
    show_id: Uuid,
) -> Result<ShowDetail, AppError> {
    txn.commit().await?;
    state.shows.published(show_id).await;
    let show = show::Entity::find_by_id(show_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    public::detail_of(&state.db, show).await
}

/// Takes an approved show on air.
pub async fn go_live(state: &AppState, host: &ShowHost, id: &str) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    must_be(
        &show,
        ShowStatus::Approved,
        "Only an approved show can go live.",
    )?;
    let now = now();
    let mut active = show.into_active_model();
    active.status = Set(ShowStatus::Live);
    active.live_at = Set(Some(now));
    active.updated_at = Set(now);
    let show = active.update(&txn).await?;
    let event = ShowEvent::Status {
        status: ShowStatus::Live,
        live_at: show.live_at,
        ended_at: None,
    };
    events::record(&txn, show.id, &event, None).await?;
    publish(state, txn, show.id).await
}

async fn scoped_look(
    db: &impl ConnectionTrait,
    show: &show::Model,
    look_id: &str,
) -> Result<show_look::Model, AppError> {
    let look_id = Uuid::parse_str(look_id.trim()).map_err(|_| AppError::NotFound)?;
    show_look::Entity::find_by_id(look_id)
        .filter(show_look::Column::ShowId.eq(show.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Opens `look`'s buy window now, for `flash_secs` (none: until closed), and records it.
async fn open_window(
    db: &impl ConnectionTrait,
    look: show_look::Model,
    flash_secs: Option<i32>,
    reveal: bool,
) -> Result<show_look::Model, AppError> {
    let now = now();
    let closes_at = flash_secs.map(|s| now + TimeDelta::seconds(i64::from(s)));
    let mut active = look.into_active_model();
    if reveal {
        active.revealed_at = Set(Some(now));
    }
    active.window_opens_at = Set(Some(now));
    active.window_closes_at = Set(closes_at);
    let look = active.update(db).await?;
    gates::set_window(db, GateOwner::ShowLook(look.id), Some(now), closes_at).await?;
    Ok(look)
}

/// After a flash window's deadline, tells viewers it closed (the deadline itself is enforced
/// by every purchase; this is only the announcement).
fn announce_close_at(state: &AppState, show_id: Uuid, look_id: Uuid, closes_at: DateTime<Utc>) {
    let state = state.clone();
    tokio::spawn(async move {
        let wait = (closes_at - now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait).await;
        let announce = async {
            let txn = begin_write(&state.db).await?;
            let look = show_look::Entity::find_by_id(look_id).one(&txn).await?;
            if look.is_some_and(|l| l.window_closes_at == Some(closes_at)) {
                let event = ShowEvent::Window {
                    look_id: look_id.to_string(),
                    opens_at: None,
                    closes_at: Some(closes_at),
                };
                events::record(&txn, show_id, &event, None).await?;
                txn.commit().await?;
                state.shows.published(show_id).await;
            }
            Ok::<(), AppError>(())
        };
        if let Err(error) = announce.await {
            tracing::warn!(%show_id, %error, "flash window close not announced");
        }
    });
}

/// Sets the moments look `look_id` carries when it drops: one of the host's approved coupons
/// for viewers to claim, and a red-envelope "find the cat" moment. Set in the console before
/// the look drops (a drop's moments reach viewers with it), until the show ends.
pub async fn set_drop_moments(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    look_id: &str,
    input: &DropMomentsInput,
) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    if status_of(&show) == ShowStatus::Ended {
        return Err(AppError::Conflict {
            message: "The show has ended.".into(),
        });
    }
    let look = scoped_look(&txn, &show, look_id).await?;
    if look.revealed_at.is_some() {
        return Err(AppError::Conflict {
            message: "This look has dropped: its moments went out with it.".into(),
        });
    }
    let coupon = match input
        .coupon_promotion_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(chosen) => {
            // Only the host's own approved coupons: a brand hands out its coupons, a gala the
            // platform's.
            let choices =
                crate::promotions::offers::attachable(&txn, state.clock.now(), host.brand_id())
                    .await?;
            let found = choices
                .iter()
                .find(|c| c.promotion_id == chosen)
                .and_then(|c| Uuid::parse_str(&c.promotion_id).ok());
            Some(found.ok_or_else(|| {
                AppError::field(
                    "coupon_promotion_id",
                    "Choose one of your approved coupons that has not ended.",
                )
            })?)
        }
        None => None,
    };
    let mut active = look.into_active_model();
    active.coupon_lineage_id = Set(coupon);
    active.envelope_moment = Set(input.envelope_moment);
    active.update(&txn).await?;
    publish(state, txn, show.id).await
}

/// Reveals a look (a "drop"): its products appear on every viewer's screen with the buy
/// window open (for the look's flash length, if it has one).
pub async fn reveal(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    look_id: &str,
) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    must_be(&show, ShowStatus::Live, NOT_LIVE)?;
    let look = scoped_look(&txn, &show, look_id).await?;
    if look.revealed_at.is_some() {
        return Err(AppError::Conflict {
            message: "This look has already dropped.".into(),
        });
    }
    let flash = look.flash_secs;
    let look = open_window(&txn, look, flash, true).await?;
    let (look_id, closes_at) = (look.id, look.window_closes_at);
    let view = public::look_views(&txn, vec![look])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    events::record(&txn, show.id, &ShowEvent::Drop { look: view }, None).await?;
    let detail = publish(state, txn, show.id).await?;
    if let Some(closes_at) = closes_at {
        announce_close_at(state, show.id, look_id, closes_at);
    }
    Ok(detail)
}

/// Opens (or re-opens) a dropped look's buy window, for `flash_secs` or until closed.
pub async fn open(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    look_id: &str,
    flash_secs: Option<i32>,
) -> Result<ShowDetail, AppError> {
    if flash_secs.is_some_and(|s| !super::FLASH_SECS.contains(&s)) {
        return Err(AppError::field(
            "flash_secs",
            "A flash window lasts 10 to 300 seconds.",
        ));
    }
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    must_be(&show, ShowStatus::Live, NOT_LIVE)?;
    let look = scoped_look(&txn, &show, look_id).await?;
    if look.revealed_at.is_none() {
        return Err(AppError::Conflict {
            message: "Drop the look before opening its window.".into(),
        });
    }
    let look = open_window(&txn, look, flash_secs, false).await?;
    let event = ShowEvent::Window {
        look_id: look.id.to_string(),
        opens_at: look.window_opens_at,
        closes_at: look.window_closes_at,
    };
    events::record(&txn, show.id, &event, None).await?;
    let detail = publish(state, txn, show.id).await?;
    if let Some(closes_at) = look.window_closes_at {
        announce_close_at(state, show.id, look.id, closes_at);
    }
    Ok(detail)
}

/// Closes the buy windows of `looks` that are open now; answers the events to record.
async fn close_windows(
    db: &impl ConnectionTrait,
    looks: Vec<show_look::Model>,
) -> Result<Vec<ShowEvent>, AppError> {
    let now = now();
    let mut closed = Vec::new();
    for look in looks {
        let open = look.window_opens_at.is_some_and(|at| at <= now)
            && look.window_closes_at.is_none_or(|at| at > now);
        if !open {
            continue;
        }
        let opens_at = look.window_opens_at;
        let mut active = look.into_active_model();
        active.window_closes_at = Set(Some(now));
        let look = active.update(db).await?;
        gates::set_window(db, GateOwner::ShowLook(look.id), opens_at, Some(now)).await?;
        closed.push(ShowEvent::Window {
            look_id: look.id.to_string(),
            opens_at,
            closes_at: Some(now),
        });
    }
    Ok(closed)
}

/// Closes a look's buy window now.
pub async fn close(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    look_id: &str,
) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    must_be(&show, ShowStatus::Live, NOT_LIVE)?;
    let look = scoped_look(&txn, &show, look_id).await?;
    let closed = close_windows(&txn, vec![look]).await?;
    if closed.is_empty() {
        return Err(AppError::Conflict {
            message: "This look's window is not open.".into(),
        });
    }
    for event in &closed {
        events::record(&txn, show.id, event, None).await?;
    }
    publish(state, txn, show.id).await
}

/// Pins one of the dropped products above the chat (or unpins, with none).
pub async fn pin(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    sku_id: Option<String>,
) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    must_be(&show, ShowStatus::Live, NOT_LIVE)?;
    let sku_id = match sku_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => {
            let sku_id = Uuid::parse_str(raw).map_err(|_| AppError::NotFound)?;
            if !public::revealed_skus(&txn, show.id)
                .await?
                .contains(&sku_id)
            {
                return Err(AppError::Conflict {
                    message: "Only a product that has dropped can be pinned.".into(),
                });
            }
            Some(sku_id)
        }
        None => None,
    };
    let show_id = show.id;
    let mut active = show.into_active_model();
    active.pinned_sku_id = Set(sku_id);
    active.updated_at = Set(now());
    active.update(&txn).await?;
    let event = ShowEvent::Pin {
        sku_id: sku_id.map(|id| id.to_string()),
    };
    events::record(&txn, show_id, &event, None).await?;
    publish(state, txn, show_id).await
}

/// Sets the chat's slow mode: seconds each viewer waits between messages (0 to 300).
pub async fn slow_mode(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    secs: i32,
) -> Result<ShowDetail, AppError> {
    if !(0..=300).contains(&secs) {
        return Err(AppError::field(
            "slow_mode_secs",
            "Choose 0 to 300 seconds.",
        ));
    }
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    if !matches!(status_of(&show), ShowStatus::Approved | ShowStatus::Live) {
        return Err(AppError::Conflict {
            message: NOT_LIVE.into(),
        });
    }
    let show_id = show.id;
    let mut active = show.into_active_model();
    active.slow_mode_secs = Set(secs);
    active.update(&txn).await?;
    let event = ShowEvent::Settings {
        slow_mode_secs: secs,
    };
    events::record(&txn, show_id, &event, None).await?;
    publish(state, txn, show_id).await
}

/// Ends the show: every open window closes, the drop stock left returns to the open stock,
/// the show lets go of its SKUs' sale gates, and the page becomes a replay.
pub async fn end(state: &AppState, host: &ShowHost, id: &str) -> Result<ShowDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    must_be(&show, ShowStatus::Live, NOT_LIVE)?;
    let looks = show_look::Entity::find()
        .filter(show_look::Column::ShowId.eq(show.id))
        .all(&txn)
        .await?;
    let owners: Vec<GateOwner> = looks.iter().map(|l| GateOwner::ShowLook(l.id)).collect();
    let mut events_to_record = close_windows(&txn, looks).await?;
    let now = now();
    let mut active = show.into_active_model();
    active.status = Set(ShowStatus::Ended);
    active.ended_at = Set(Some(now));
    active.pinned_sku_id = Set(None);
    active.updated_at = Set(now);
    let show = active.update(&txn).await?;
    // Drop stock nobody bought is open stock again, and the show's SKUs are back to their
    // own sale rules (exclusives are on the storefront again).
    let restocked = pools::release(&txn, show.id).await?;
    gates::release(&txn, &owners).await?;
    events_to_record.push(ShowEvent::Status {
        status: ShowStatus::Ended,
        live_at: show.live_at,
        ended_at: show.ended_at,
    });
    for event in &events_to_record {
        events::record(&txn, show.id, event, None).await?;
    }
    let detail = publish(state, txn, show.id).await?;
    state.checkout.restocked(restocked);
    Ok(detail)
}

/// Removes a chat message and, for `Mute` or `Ban`, silences its author in this show.
pub async fn moderate(
    state: &AppState,
    host: &ShowHost,
    id: &str,
    message_id: i64,
    action: Moderation,
) -> Result<(), AppError> {
    let txn = begin_write(&state.db).await?;
    let show = host.show(&txn, id).await?;
    let author = events::remove_chat_message(&txn, show.id, message_id).await?;
    if let (Some(author), Moderation::Mute | Moderation::Ban) = (author, action) {
        let until = match action {
            Moderation::Mute => Some(now() + TimeDelta::minutes(5)),
            _ => None,
        };
        super::audience::silence(&txn, show.id, author, until).await?;
    }
    events::record(
        &txn,
        show.id,
        &ShowEvent::ChatRemoved { id: message_id },
        None,
    )
    .await?;
    txn.commit().await?;
    state.shows.published(show.id).await;
    Ok(())
}

/// The producer's figures: the public ones plus the show's takings.
pub async fn figures(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    id: &str,
) -> Result<ShowFigures, AppError> {
    let show = host.show(db, id).await?;
    if !status_of(&show).public() {
        return Ok(ShowFigures::default());
    }
    let stats = super::presence::stats(db, show.id).await?;
    let sales = public::show_sales(db, &show).await?;
    Ok(ShowFigures {
        gmv_minor: sales.iter().map(|s| s.total_minor).sum(),
        currency: sales
            .first()
            .map(|s| s.currency.clone())
            .unwrap_or_default(),
        stats,
    })
}
