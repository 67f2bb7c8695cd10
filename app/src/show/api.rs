//! Server functions behind the show pages: the brand's planning and producer console, the
//! admin's review, and the viewer's one-tap buying, chat and reactions.

use leptos::prelude::*;

use super::{
    BuyOutcome, ChatMessage, DropMomentsInput, LookInput, Moderation, OneTapStatus, ShowDetail,
    ShowFigures, ShowInput, ShowState, ShowSummary,
};
use crate::checkout::{AddressInput, CardInput};
use crate::core::AppError;
use crate::promotions::PromotionView;

#[cfg(feature = "ssr")]
use crate::{auth::BrandRole, brands::Need, state::AppState};

/// The state and the caller as host of brand `slug`'s shows (as `need` asks), or with no
/// slug, of the platform's galas (admins).
#[cfg(feature = "ssr")]
async fn host_request(
    slug: Option<String>,
    need: Need,
) -> Result<(AppState, super::ShowHost), AppError> {
    let (state, caller) = crate::state::request().await?;
    let host = super::ShowHost::resolve(&state.db, &caller, slug.as_deref(), need).await?;
    Ok((state, host))
}

/// Brand `slug`'s shows; with no slug, the platform's galas (admins). Every planning and
/// producing function below takes `slug` the same way.
#[server(prefix = "/api/fn", endpoint = "shows/brand")]
pub async fn host_shows(slug: Option<String>) -> Result<Vec<ShowSummary>, AppError> {
    let (state, host) = host_request(slug, Need::read(BrandRole::Staff)).await?;
    super::planning::list_for_host(&state.db, &host).await
}

/// One of the host's shows with its whole run-sheet.
#[server(prefix = "/api/fn", endpoint = "shows/get")]
pub async fn get_show(slug: Option<String>, id: String) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::read(BrandRole::Staff)).await?;
    super::public::detail(&state.db, &host, &id).await
}

/// Plans a new show (a draft).
#[server(prefix = "/api/fn", endpoint = "shows/create")]
pub async fn create_show(slug: Option<String>, input: ShowInput) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Staff)).await?;
    super::planning::create(&state.db, &host, &input).await
}

/// Changes a draft's details.
#[server(prefix = "/api/fn", endpoint = "shows/update")]
pub async fn update_show(
    slug: Option<String>,
    id: String,
    input: ShowInput,
) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Staff)).await?;
    super::planning::update(&state.db, &host, &id, &input).await
}

/// Adds a look to a draft's run-sheet (managers: a look puts its SKU behind the show's sale
/// gate, taking it off the storefront until the show lets go).
#[server(prefix = "/api/fn", endpoint = "shows/add-look")]
pub async fn add_show_look(
    slug: Option<String>,
    id: String,
    look: LookInput,
) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Manager)).await?;
    super::planning::add_look(&state.db, &host, &id, &look).await
}

/// Takes a look off a draft's run-sheet (managers), restoring its SKU's own sale rule.
#[server(prefix = "/api/fn", endpoint = "shows/remove-look")]
pub async fn remove_show_look(
    slug: Option<String>,
    id: String,
    look_id: String,
) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Manager)).await?;
    super::planning::remove_look(&state, &host, &id, &look_id).await
}

/// Deletes a show that has not gone on air; its SKUs and drop stock are given back.
#[server(prefix = "/api/fn", endpoint = "shows/delete")]
pub async fn delete_show(slug: Option<String>, id: String) -> Result<(), AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Staff)).await?;
    super::planning::delete(&state, &host, &id).await
}

/// Sends a show to the platform's review (managers).
#[server(prefix = "/api/fn", endpoint = "shows/submit")]
pub async fn submit_show(slug: Option<String>, id: String) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Manager)).await?;
    super::planning::submit(&state.db, &host, &id).await
}

/// What the producer can do on air.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProducerAction {
    GoLive,
    /// Reveal `look_id` (a drop).
    Reveal,
    /// Open `look_id`'s window (for `flash_secs`, if given).
    Open,
    /// Close `look_id`'s window.
    Close,
    /// Pin `sku_id` (none: unpin).
    Pin,
    /// Set the chat's slow mode to `flash_secs` seconds.
    SlowMode,
    End,
}

/// One click in the producer console.
#[server(prefix = "/api/fn", endpoint = "shows/produce")]
pub async fn produce_show(
    slug: Option<String>,
    id: String,
    action: ProducerAction,
    look_id: Option<String>,
    sku_id: Option<String>,
    flash_secs: Option<i32>,
) -> Result<ShowDetail, AppError> {
    use super::live;
    let (state, host) = host_request(slug, Need::write(BrandRole::Staff)).await?;
    let state = &state;
    let look = || {
        look_id
            .clone()
            .ok_or(AppError::field("look_id", "Choose a look."))
    };
    match action {
        ProducerAction::GoLive => live::go_live(state, &host, &id).await,
        ProducerAction::Reveal => live::reveal(state, &host, &id, &look()?).await,
        ProducerAction::Open => live::open(state, &host, &id, &look()?, flash_secs).await,
        ProducerAction::Close => live::close(state, &host, &id, &look()?).await,
        ProducerAction::Pin => live::pin(state, &host, &id, sku_id).await,
        ProducerAction::SlowMode => {
            live::slow_mode(state, &host, &id, flash_secs.unwrap_or(0)).await
        }
        ProducerAction::End => live::end(state, &host, &id).await,
    }
}

/// Sets the moments a look's drop carries (a coupon, a red-envelope moment), before it drops.
#[server(prefix = "/api/fn", endpoint = "shows/drop-moments")]
pub async fn set_drop_moments(
    slug: Option<String>,
    id: String,
    look_id: String,
    moments: DropMomentsInput,
) -> Result<ShowDetail, AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Staff)).await?;
    super::live::set_drop_moments(&state, &host, &id, &look_id, &moments).await
}

/// The coupons a show's drops can hand out: the host's approved coupons that have not ended.
#[server(prefix = "/api/fn", endpoint = "shows/drop-coupons")]
pub async fn drop_coupon_choices(slug: Option<String>) -> Result<Vec<PromotionView>, AppError> {
    let (state, host) = host_request(slug, Need::read(BrandRole::Staff)).await?;
    crate::promotions::offers::attachable(&state.db, state.clock.now(), host.brand_id()).await
}

/// Removes a chat message, muting or banning its author.
#[server(prefix = "/api/fn", endpoint = "shows/moderate")]
pub async fn moderate_chat(
    slug: Option<String>,
    id: String,
    message_id: i64,
    action: Moderation,
) -> Result<(), AppError> {
    let (state, host) = host_request(slug, Need::write(BrandRole::Staff)).await?;
    super::live::moderate(&state, &host, &id, message_id, action).await
}

/// The producer's live figures, with takings.
#[server(prefix = "/api/fn", endpoint = "shows/figures")]
pub async fn producer_figures(slug: Option<String>, id: String) -> Result<ShowFigures, AppError> {
    let (state, host) = host_request(slug, Need::read(BrandRole::Staff)).await?;
    super::live::figures(&state.db, &host, &id).await
}

/// Shows waiting for review (platform admins).
#[server(prefix = "/api/fn", endpoint = "admin/shows")]
pub async fn show_review_queue() -> Result<Vec<ShowSummary>, AppError> {
    let (state, caller) = crate::state::request().await?;
    caller.platform_admin()?;
    super::review::review_queue(&state.db).await
}

/// An admin approves a show or asks for changes (with a note).
#[server(prefix = "/api/fn", endpoint = "admin/show-decision")]
pub async fn decide_show(
    id: String,
    approve: bool,
    note: Option<String>,
) -> Result<ShowSummary, AppError> {
    let (state, caller) = crate::state::request().await?;
    caller.platform_admin()?;
    super::review::decide(&state.db, &id, approve, note).await
}

/// Live, upcoming and replayable shows.
#[server(prefix = "/api/fn", endpoint = "shows/public")]
pub async fn public_shows() -> Result<Vec<ShowSummary>, AppError> {
    let state = crate::state::app_state()?;
    super::public::public_list(&state.db).await
}

/// A public show's state, for the first render of its page.
#[server(prefix = "/api/fn", endpoint = "shows/state")]
pub async fn load_show(id: String) -> Result<ShowState, AppError> {
    let state = crate::state::app_state()?;
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    Ok((*state.shows.snapshot(id).await?).clone())
}

/// Whether the viewer can buy in one tap, and with what.
#[server(prefix = "/api/fn", endpoint = "shows/one-tap")]
pub async fn one_tap() -> Result<OneTapStatus, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::audience::one_tap_status(&state.db, caller.account()).await
}

/// Saves the viewer's address and card for one tap.
#[server(prefix = "/api/fn", endpoint = "shows/set-up-one-tap")]
pub async fn set_up_one_tap(
    address: AddressInput,
    card: CardInput,
) -> Result<OneTapStatus, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::audience::set_up_one_tap(&state, caller.signed_in()?, &address, &card).await
}

/// One tap: buys one unit of `sku` from the show's open drop. Posted by a drop card's plain
/// form (the page's wasm not running yet), it answers with a redirect: to the order when it
/// is bought, otherwise back to the show with the refusal for that card to show.
#[server(prefix = "/api/fn", endpoint = "shows/buy")]
pub async fn tap_to_buy(id: String, sku: String, key: String) -> Result<BuyOutcome, AppError> {
    let (state, caller) = crate::state::request().await?;
    let plain_form = crate::core::links::is_plain_form_post();
    let order = match super::audience::buy(&state, &caller, &id, &sku, &key).await {
        Ok(order) => order,
        Err(refusal) if plain_form => {
            // Back to the show, naming the card that was tapped (ids that do not parse were
            // refused already, and are never put in an address).
            if let (Ok(show), Ok(sku)) = (
                uuid::Uuid::parse_str(id.trim()),
                uuid::Uuid::parse_str(sku.trim()),
            ) {
                let show_page = format!("/show/{show}?tapped={sku}");
                crate::core::links::redirect_with_error::<TapToBuy>(&show_page, &refusal);
            }
            return Err(refusal);
        }
        Err(refusal) => return BuyOutcome::from_refusal(refusal),
    };
    if plain_form {
        leptos_axum::redirect(&format!("/orders/{}", order.id));
    }
    let discounts = crate::checkout::discounts(
        order
            .brands
            .iter()
            .flat_map(|b| b.lines.iter())
            .flat_map(|l| l.adjustments.iter()),
    );
    Ok(BuyOutcome::Bought {
        order_id: order.id,
        number: order.number,
        total_minor: order.total_minor,
        currency: order.currency,
        discounts,
    })
}

/// Posts a chat message.
#[server(prefix = "/api/fn", endpoint = "shows/chat")]
pub async fn send_chat(id: String, text: String) -> Result<ChatMessage, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::audience::chat(&state, caller.account(), &id, &text).await
}

/// Sends a heart.
#[server(prefix = "/api/fn", endpoint = "shows/react")]
pub async fn send_reaction(id: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    super::audience::react(&state, &id).await
}
