//! Server functions behind the show pages: the brand's planning and producer console, the
//! admin's review, and the viewer's one-tap buying, chat and reactions.

use leptos::prelude::*;

use super::{
    BuyOutcome, ChatMessage, LookInput, Moderation, OneTapStatus, ShowDetail, ShowFigures,
    ShowInput, ShowState, ShowSummary,
};
use crate::checkout::{AddressInput, CardInput};
use crate::core::AppError;

#[cfg(feature = "ssr")]
use crate::{auth::request::RequestContext, auth::BrandRole};

/// The request and its caller as host of brand `slug`'s shows (at least `min`), or with no
/// slug, of the platform's galas (admins).
#[cfg(feature = "ssr")]
async fn host_request(
    slug: Option<String>,
    min: BrandRole,
) -> Result<(RequestContext, super::ShowHost), AppError> {
    let request = RequestContext::load().await?;
    let host = super::ShowHost::resolve(&request, slug.as_deref(), min).await?;
    Ok((request, host))
}

/// Brand `slug`'s shows; with no slug, the platform's galas (admins). Every planning and
/// producing function below takes `slug` the same way.
#[server(prefix = "/api/fn", endpoint = "shows/brand")]
pub async fn host_shows(slug: Option<String>) -> Result<Vec<ShowSummary>, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::service::list_for_host(&request.state.db, &host).await
}

/// One of the host's shows with its whole run-sheet.
#[server(prefix = "/api/fn", endpoint = "shows/get")]
pub async fn get_show(slug: Option<String>, id: String) -> Result<ShowDetail, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::service::detail(&request.state.db, &host, &id).await
}

/// Plans a new show (a draft).
#[server(prefix = "/api/fn", endpoint = "shows/create")]
pub async fn create_show(slug: Option<String>, input: ShowInput) -> Result<ShowDetail, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::service::create(&request.state.db, &host, &input).await
}

/// Changes a draft's details.
#[server(prefix = "/api/fn", endpoint = "shows/update")]
pub async fn update_show(
    slug: Option<String>,
    id: String,
    input: ShowInput,
) -> Result<ShowDetail, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::service::update(&request.state.db, &host, &id, &input).await
}

/// Adds a look to a draft's run-sheet.
#[server(prefix = "/api/fn", endpoint = "shows/add-look")]
pub async fn add_show_look(
    slug: Option<String>,
    id: String,
    look: LookInput,
) -> Result<ShowDetail, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::service::add_look(&request.state.db, &host, &id, &look).await
}

/// Takes a look off a draft's run-sheet.
#[server(prefix = "/api/fn", endpoint = "shows/remove-look")]
pub async fn remove_show_look(
    slug: Option<String>,
    id: String,
    look_id: String,
) -> Result<ShowDetail, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::service::remove_look(&request.state, &host, &id, &look_id).await
}

/// Sends a show to the platform's review (managers).
#[server(prefix = "/api/fn", endpoint = "shows/submit")]
pub async fn submit_show(slug: Option<String>, id: String) -> Result<ShowDetail, AppError> {
    let (request, host) = host_request(slug, BrandRole::Manager).await?;
    super::service::submit(&request.state.db, &host, &id).await
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
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    let state = &request.state;
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

/// Removes a chat message, muting or banning its author.
#[server(prefix = "/api/fn", endpoint = "shows/moderate")]
pub async fn moderate_chat(
    slug: Option<String>,
    id: String,
    message_id: i64,
    action: Moderation,
) -> Result<(), AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::live::moderate(&request.state, &host, &id, message_id, action).await
}

/// The producer's live figures, with takings.
#[server(prefix = "/api/fn", endpoint = "shows/figures")]
pub async fn producer_figures(slug: Option<String>, id: String) -> Result<ShowFigures, AppError> {
    let (request, host) = host_request(slug, BrandRole::Staff).await?;
    super::live::figures(&request.state.db, &host, &id).await
}

/// Shows waiting for review (platform admins).
#[server(prefix = "/api/fn", endpoint = "admin/shows")]
pub async fn show_review_queue() -> Result<Vec<ShowSummary>, AppError> {
    let request = RequestContext::load().await?;
    crate::auth::require_platform_admin(request.user().await?)?;
    super::service::review_queue(&request.state.db).await
}

/// An admin approves a show or asks for changes (with a note).
#[server(prefix = "/api/fn", endpoint = "admin/show-decision")]
pub async fn decide_show(
    id: String,
    approve: bool,
    note: Option<String>,
) -> Result<ShowSummary, AppError> {
    let request = RequestContext::load().await?;
    crate::auth::require_platform_admin(request.user().await?)?;
    super::service::decide(&request.state.db, &id, approve, note).await
}

/// Live, upcoming and replayable shows.
#[server(prefix = "/api/fn", endpoint = "shows/public")]
pub async fn public_shows() -> Result<Vec<ShowSummary>, AppError> {
    let request = RequestContext::load().await?;
    super::service::public_list(&request.state.db).await
}

/// A public show's state, for the first render of its page.
#[server(prefix = "/api/fn", endpoint = "shows/state")]
pub async fn load_show(id: String) -> Result<ShowState, AppError> {
    let request = RequestContext::load().await?;
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    Ok((*request.state.shows.snapshot(id).await?).clone())
}

/// Whether the viewer can buy in one tap, and with what.
#[server(prefix = "/api/fn", endpoint = "shows/one-tap")]
pub async fn one_tap() -> Result<OneTapStatus, AppError> {
    let request = RequestContext::load().await?;
    super::audience::one_tap_status(&request.state.db, request.user().await?.as_ref()).await
}

/// Saves the viewer's address and card for one tap.
#[server(prefix = "/api/fn", endpoint = "shows/set-up-one-tap")]
pub async fn set_up_one_tap(
    address: AddressInput,
    card: CardInput,
) -> Result<OneTapStatus, AppError> {
    let request = RequestContext::load().await?;
    let user = request.user().await?.ok_or(AppError::Unauthorized)?;
    super::audience::set_up_one_tap(&request.state, &user, &address, &card).await
}

/// One tap: buys one unit of `sku` from the show's open drop.
#[server(prefix = "/api/fn", endpoint = "shows/buy")]
pub async fn tap_to_buy(id: String, sku: String, key: String) -> Result<BuyOutcome, AppError> {
    let request = RequestContext::load().await?;
    let user = request.user().await?;
    let placed = super::audience::buy(&request.state, user.as_ref(), &id, &sku, &key).await;
    Ok(match placed {
        Ok(order) => BuyOutcome::Bought {
            order_id: order.id,
            number: order.number,
        },
        Err(AppError::SoldOut) => BuyOutcome::SoldOut,
        Err(AppError::LimitReached { limit }) => BuyOutcome::LimitReached { limit },
        Err(AppError::PaymentDeclined { message }) => BuyOutcome::Declined { message },
        Err(AppError::RateLimited { retry_after_secs }) => BuyOutcome::Busy { retry_after_secs },
        Err(AppError::Conflict { message }) if message == super::audience::WINDOW_CLOSED => {
            BuyOutcome::WindowClosed
        }
        Err(error) => return Err(error),
    })
}

/// Posts a chat message.
#[server(prefix = "/api/fn", endpoint = "shows/chat")]
pub async fn send_chat(id: String, text: String) -> Result<ChatMessage, AppError> {
    let request = RequestContext::load().await?;
    let user = request.user().await?;
    super::audience::chat(&request.state, user.as_ref(), &id, &text).await
}

/// Sends a heart.
#[server(prefix = "/api/fn", endpoint = "shows/react")]
pub async fn send_reaction(id: String) -> Result<(), AppError> {
    let request = RequestContext::load().await?;
    super::audience::react(&request.state, &id).await
}
