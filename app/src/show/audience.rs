//! What viewers do during a show: buy in one tap (through the shared checkout engine),
//! chat (moderated, rate-limited) and react.

use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{show, show_chat_ban, show_look, show_look_item};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::catalog::stock::StockPool;

use super::chat_writer::ChatPost;
use super::public::{public_show, status_of};
use super::{
    ChatMessage, OneTapStatus, ShowStatus, MAX_CHAT_CHARS, MIN_CHAT_INTERVAL_SECS, WINDOW_CLOSED,
};
use crate::auth::{Account, Caller};
use crate::checkout::{
    wallet, AddressInput, CardInput, DeliveryOption, OrderChannel, OrderLineInput, OrderView,
    PaymentInput, PlaceOrderInput, Placing,
};
use crate::core::{time::now, AppError};

/// Words no show's chat accepts, whatever the brand's own list says.
const PLATFORM_BLOCKED_WORDS: &[&str] = &["fuck", "shit", "cunt", "nigger", "faggot"];

/// Where `account` stands for one-tap buying.
pub async fn one_tap_status(
    db: &impl ConnectionTrait,
    account: Option<&Account>,
) -> Result<OneTapStatus, AppError> {
    let Some(account) = account.map(|a| a.id) else {
        return Ok(OneTapStatus::default());
    };
    let card = wallet::latest_card(db, account).await?;
    let address = wallet::address(db, account).await?;
    Ok(OneTapStatus {
        signed_in: true,
        ready: card.is_some() && address.is_some(),
        card: card.map(|c| {
            format!(
                "{} •••• {}",
                crate::core::ui::capitalise(&c.card_brand),
                c.card_last4
            )
        }),
        address: address.map(|a| format!("{}, {}, {}", a.name, a.line1, a.city)),
    })
}

/// Saves the signed-in viewer's address and card (with the payment provider) for one tap.
pub async fn set_up_one_tap(
    state: &AppState,
    user: &Account,
    address: &AddressInput,
    card: &CardInput,
) -> Result<OneTapStatus, AppError> {
    wallet::set_up_one_tap(
        &state.db,
        state.checkout.provider().as_ref(),
        user.id,
        address,
        card,
    )
    .await?;
    one_tap_status(&state.db, Some(user)).await
}

/// The look of `show_id` that offers `sku_id`, if it has dropped.
async fn dropped_look(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    sku_id: Uuid,
) -> Result<Option<show_look::Model>, AppError> {
    let looks: Vec<Uuid> = show_look_item::Entity::find()
        .select_only()
        .column(show_look_item::Column::LookId)
        .filter(show_look_item::Column::SkuId.eq(sku_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(show_look::Entity::find()
        .filter(show_look::Column::Id.is_in(looks))
        .filter(show_look::Column::ShowId.eq(show_id))
        .filter(show_look::Column::RevealedAt.is_not_null())
        .one(db)
        .await?)
}

/// One tap: one unit of `sku` from `show_id`'s open drop, paid with the viewer's saved card
/// and sent to their saved address, through the shared checkout engine. `tap_key` (one per
/// tap, from the page) makes a retried tap return the first answer.
pub async fn buy(
    state: &AppState,
    caller: &Caller,
    show_id: &str,
    sku: &str,
    tap_key: &str,
) -> Result<OrderView, AppError> {
    let account = caller.signed_in()?.id;
    let show_id = Uuid::parse_str(show_id.trim()).map_err(|_| AppError::NotFound)?;
    let sku_id =
        Uuid::parse_str(sku.trim()).map_err(|_| AppError::field("sku", "Unknown product."))?;
    let show = public_show(&state.db, show_id).await?;
    if status_of(&show) != ShowStatus::Live {
        return Err(AppError::Conflict {
            message: "The show is not on air.".into(),
        });
    }
    let look = dropped_look(&state.db, show_id, sku_id)
        .await?
        .ok_or_else(|| AppError::field("sku", "This product is not part of the show's drops."))?;
    let now = state.clock.now();
    let open = look.window_opens_at.is_some_and(|at| at <= now)
        && look.window_closes_at.is_none_or(|at| at > now);
    if !open {
        return Err(AppError::Conflict {
            message: WINDOW_CLOSED.into(),
        });
    }
    let card = wallet::latest_card(&state.db, account).await?;
    let address = wallet::address(&state.db, account).await?;
    let (Some(card), Some(address)) = (card, address) else {
        return Err(AppError::field(
            "one_tap",
            "Save an address and a card for one-tap buying first.",
        ));
    };
    let input = PlaceOrderInput {
        lines: vec![OrderLineInput {
            sku: sku_id.to_string(),
            quantity: 1,
        }],
        email: None,
        shipping_address: Some(address),
        delivery: DeliveryOption::Standard,
        payment: PaymentInput {
            card: None,
            saved_method: Some(card.id.to_string()),
            save_card: false,
        },
        coupon: None,
        envelope: None,
    };
    let placing = Placing {
        channel: OrderChannel::Show,
        // The drop's own stock, where the look set some aside.
        pool: StockPool::Show(show_id),
        key: Some(tap_key),
        presale: None,
    };
    crate::checkout::place(state, caller, placing, &input).await
}

/// Mutes `account` in `show_id`'s chat until `until` (none: bans for the show).
pub(super) async fn silence(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    account: Uuid,
    until: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    show_chat_ban::Entity::insert(show_chat_ban::ActiveModel {
        show_id: Set(show_id),
        account_id: Set(account),
        until: Set(until),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            show_chat_ban::Column::ShowId,
            show_chat_ban::Column::AccountId,
        ])
        .update_columns([
            show_chat_ban::Column::Until,
            show_chat_ban::Column::CreatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Chat text as it is filtered and stored: NFKC-normalised (full-width and other look-alike
/// compatibility forms become plain letters) with invisible characters taken out — zero-width
/// spaces and joiners, the word joiner, the byte-order mark, soft hyphens and bidirectional
/// controls — so "b\u{200B}ad" or "ｂａｄ" are "bad" to the word filter, and no message can
/// reorder the text shown after it.
pub(super) fn normalise_chat(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc()
        .filter(|c| {
            !matches!(
                c,
                '\u{00AD}'
                    | '\u{061C}'
                    | '\u{180E}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{FEFF}'
            )
        })
        .collect()
}

/// The first blocked word `text` (normalised: [`normalise_chat`]) contains, ignoring case,
/// from the platform's list or the show's.
fn blocked_word<'a>(text: &str, show_words: &'a str) -> Option<&'a str> {
    let lower = text.to_lowercase();
    PLATFORM_BLOCKED_WORDS
        .iter()
        .copied()
        .chain(show_words.lines().map(str::trim))
        .filter(|w| !w.is_empty())
        .find(|w| lower.contains(&normalise_chat(w).to_lowercase()))
}

/// Posts a chat message: signed-in viewers with a verified email (a ban or slow mode is not
/// dodged with a fresh account), of a live show, not muted or banned, within the slow mode and
/// the platform's rate limit (one compare-and-set per viewer and show, so parallel posts pass
/// one at a time), at most [`MAX_CHAT_CHARS`] on one line, no blocked word. The text is
/// normalised ([`normalise_chat`]) and always rendered as text, never as HTML.
pub async fn chat(
    state: &AppState,
    user: Option<&Account>,
    show_id: &str,
    text: &str,
) -> Result<ChatMessage, AppError> {
    let user = crate::auth::require_signed_in(user)?;
    if !user.email_verified {
        return Err(AppError::EmailNotVerified);
    }
    let account = user.id;
    let show_id = Uuid::parse_str(show_id.trim()).map_err(|_| AppError::NotFound)?;
    let text = normalise_chat(text);
    let text = text.trim();
    if text.is_empty()
        || text.chars().count() > MAX_CHAT_CHARS
        || text.chars().any(char::is_control)
    {
        return Err(AppError::field(
            "text",
            format!("Write 1 to {MAX_CHAT_CHARS} characters on one line."),
        ));
    }
    let show: show::Model = public_show(&state.db, show_id).await?;
    if status_of(&show) != ShowStatus::Live {
        return Err(AppError::Conflict {
            message: "The chat opens when the show goes live.".into(),
        });
    }
    if blocked_word(text, &show.blocked_words).is_some() {
        return Err(AppError::field(
            "text",
            "Your message contains a word this chat doesn't allow.",
        ));
    }
    let now = now();
    let ban = show_chat_ban::Entity::find_by_id((show_id, account))
        .one(&state.db)
        .await?;
    match ban.map(|b| b.until) {
        Some(None) => return Err(AppError::Forbidden),
        Some(Some(until)) if until > now => {
            return Err(AppError::RateLimited {
                retry_after_secs: (until - now).num_seconds().max(1) as u64,
            })
        }
        _ => {}
    }
    // Numbered, slow-mode counted and stored by the node's chat writer, in a batch with
    // whatever else was posted meanwhile (see `chat_writer`).
    state
        .shows
        .post_chat(ChatPost {
            show_id,
            author_id: account,
            author: user.display_name.clone(),
            text: text.to_owned(),
            interval_secs: Ord::max(i64::from(show.slow_mode_secs), MIN_CHAT_INTERVAL_SECS),
            at: now,
        })
        .await
}

/// A reaction (a heart) from any viewer of a live show.
pub async fn react(state: &AppState, show_id: &str) -> Result<(), AppError> {
    let show_id = Uuid::parse_str(show_id.trim()).map_err(|_| AppError::NotFound)?;
    let show = public_show(&state.db, show_id).await?;
    if status_of(&show) != ShowStatus::Live {
        return Err(AppError::Conflict {
            message: "Reactions open when the show goes live.".into(),
        });
    }
    state.shows.react(show_id).await
}
