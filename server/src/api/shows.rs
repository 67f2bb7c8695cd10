//! `/api/v1/shows`: live shows for viewers and other sites — the public list, a show's state,
//! its live event stream (server-sent events), one-tap buying, chat and reactions — and a
//! brand's drop moments (`/api/v1/brands/{slug}/shows/…`).

use app::state::AppState;
use std::convert::Infallible;

use app::{
    auth::BrandRole,
    auth::{Caller, ClientAddr},
    brands::Need,
    checkout::OrderView,
    core::AppError,
    show::{
        self, audience, hub::Frame, ChatMessage, DropMomentsInput, Envelope, ShowDetail, ShowHost,
        ShowState, ShowSummary,
    },
};
use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use futures_util::stream::{self, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{idempotency_key, ApiJson};

/// Events a reconnecting viewer may have missed and still get one by one, read from the log;
/// past that (or for an id the log never had), a fresh snapshot — cached by the hub for all
/// arrivals — is cheaper, so a reconnect costs at most this many rows.
const REPLAY_LIMIT: i64 = 100;

/// Who opens a stream: the person is their session (its cookie, hashed: it is a credential)
/// or, without one, their address; see [`show::hub::Viewer`]. A loopback client is this
/// machine itself (a benchmark, or a local proxy not listed in `GALA_TRUSTED_PROXIES`, behind
/// which every client would share one address): it is not capped, and each of its streams
/// without a session counts as a viewer.
fn viewer(headers: &HeaderMap, address: Option<&ClientAddr>) -> show::hub::Viewer {
    let address = address
        .filter(|ClientAddr(ip)| !ip.is_loopback())
        .map(|ClientAddr(ip)| ip.to_string());
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(name, _)| *name == crate::router::SESSION_COOKIE)
        .map(|(_, value)| format!("session:{}", app::auth::tokens::digest(value)));
    let person = session
        .or_else(|| address.as_ref().map(|a| format!("address:{a}")))
        .unwrap_or_else(|| format!("stream:{}", Uuid::new_v4()));
    show::hub::Viewer { person, address }
}

/// The show routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_shows))
        .routes(routes!(get_show))
        .routes(routes!(show_events))
        .routes(routes!(buy))
        .routes(routes!(chat))
        .routes(routes!(react))
        .routes(routes!(set_drop_moments))
}

fn show_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/shows", tag = "shows",
    responses((status = 200, description = "Live shows first, then upcoming ones, then replays.", body = Vec<ShowSummary>)))]
/// Shows shoppers can watch.
async fn list_shows(State(state): State<AppState>) -> Result<Json<Vec<ShowSummary>>, AppError> {
    Ok(Json(show::public::public_list(&state.db).await?))
}

#[utoipa::path(get, path = "/api/v1/shows/{id}", tag = "shows",
    params(("id" = String, Path, description = "The show's id.")),
    responses((status = 200, description = "The show as a viewer arriving now sees it: revealed looks with units left, pinned product, latest chat, live figures and the last event's number (`seq`).", body = ShowState)))]
/// A public show's current state.
async fn get_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ShowState>, AppError> {
    let snapshot = state.shows.snapshot(show_id(&id)?).await?;
    Ok(Json((*snapshot).clone()))
}

#[utoipa::path(get, path = "/api/v1/shows/{id}/events", tag = "shows",
    params(
        ("id" = String, Path, description = "The show's id."),
        ("Last-Event-ID" = Option<i64>, Header, description = "Sent by browsers when they reconnect: the events after it are replayed first, so nothing is missed or repeated."),
    ),
    responses((status = 200, description = "A `text/event-stream`. Each event's data is a JSON object with `type` (`snapshot`, `status`, `drop`, `window`, `pin`, `chat`, `chat_removed`, `settings`, `stats`) and `seq` (the SSE id; none for `stats`). A new connection starts with a `snapshot`.", content_type = "text/event-stream", body = Envelope)))]
/// The show's live events. Other nodes' changes arrive too (PostgreSQL `LISTEN/NOTIFY`).
///
/// Written by hand rather than with axum's `Sse`: every frame comes from the hub already
/// encoded, so a drop to 50,000 viewers is encoded once, not 50,000 times. The hub's
/// once-a-second figures keep the stream alive.
async fn show_events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    address: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let show_id = show_id(&id)?;
    // Subscribe first: whatever happens from now on reaches this viewer, and the numbers
    // below drop what the first frames already contain.
    let viewer = viewer(&headers, address.as_ref().map(|Extension(a)| a));
    let subscription = state.shows.subscribe(show_id, viewer).await?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let newest = subscription.last_seq().await;
    let missed = match last_seen {
        // Only a gap the log can fill in a few rows is read from it.
        Some(last) if (0..=REPLAY_LIMIT).contains(&(newest - last)) => {
            let missed =
                show::events::after(&state.db, show_id, last, REPLAY_LIMIT as u64 + 1).await?;
            (missed.len() as i64 <= REPLAY_LIMIT).then_some((last, missed))
        }
        _ => None,
    };
    // Browsers reconnect a second after a drop-out (and resume from the last id).
    let mut first = vec![Bytes::from_static(b"retry: 1000\n\n")];
    let seen = match missed {
        Some((last, missed)) => {
            let seen = missed.last().map_or(last, |(seq, _)| *seq);
            first.extend(
                missed
                    .iter()
                    .map(|(seq, json)| Frame::new(Some(*seq), json).wire),
            );
            seen
        }
        None => {
            let snapshot = state.shows.snapshot_frame(show_id).await?;
            let seen = snapshot.seq.unwrap_or_default();
            first.push(snapshot.wire);
            seen
        }
    };
    let live = stream::unfold(
        (subscription, seen),
        |(mut subscription, mut seen)| async move {
            loop {
                match subscription.frames.recv().await {
                    Ok(frame) => {
                        if frame.seq.is_some_and(|seq| seq <= seen) {
                            continue;
                        }
                        if let Some(seq) = frame.seq {
                            seen = seq;
                        }
                        return Some((frame.wire, (subscription, seen)));
                    }
                    // Too slow to keep up: end the stream; the browser reconnects with its last
                    // id and is replayed what it missed from the log.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    let events = stream::iter(first).chain(live).map(Ok::<_, Infallible>);
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(events),
    )
        .into_response())
}

/// One tap's request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct BuyInput {
    /// The SKU's id, from a revealed look's product card.
    sku: String,
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/buy", tag = "shows",
    params(
        ("id" = String, Path, description = "The show's id."),
        ("Idempotency-Key" = String, Header, description = "One per tap (a UUID): a retried tap gets the first answer."),
    ),
    request_body = BuyInput,
    security(("session" = [])),
    responses(
        (status = 201, description = "Bought: one unit, paid with the viewer's saved card, to their saved address.", body = OrderView),
        (status = 401, description = "`unauthorized`: sign in first.", body = app::core::error::ErrorBody),
        (status = 402, description = "`payment_declined`.", body = app::core::error::ErrorBody),
        (status = 409, description = "`sold_out`, `limit_reached`, or `conflict` (the buy window is closed, or the show is not on air).", body = app::core::error::ErrorBody),
        (status = 422, description = "`validation`: unknown product, or one-tap buying not set up (`one_tap`).", body = app::core::error::ErrorBody),
        (status = 429, description = "`rate_limited`: checkout is at capacity; retry after `Retry-After`.", body = app::core::error::ErrorBody),
    ))]
/// One-tap buy of a product from the show's open drop, through the shared checkout engine.
async fn buy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<BuyInput>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?.ok_or_else(|| AppError::BadRequest {
        message: "Send an Idempotency-Key header (one per tap).".into(),
    })?;
    let order = audience::buy(&state, &caller, &id, &input.sku, key).await?;
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

/// A chat message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ChatInput {
    /// 1 to 200 characters on one line.
    text: String,
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/chat", tag = "shows",
    params(("id" = String, Path, description = "The show's id.")),
    request_body = ChatInput,
    security(("session" = [])),
    responses(
        (status = 201, description = "Posted; every viewer gets it as a `chat` event.", body = ChatMessage),
        (status = 403, description = "`forbidden`: banned from this show's chat.", body = app::core::error::ErrorBody),
        (status = 422, description = "`validation`: empty, too long, or a blocked word.", body = app::core::error::ErrorBody),
        (status = 429, description = "`rate_limited`: slow mode, the platform's rate limit, or a mute; retry after `Retry-After`.", body = app::core::error::ErrorBody),
    ))]
/// Posts a chat message.
async fn chat(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ChatInput>,
) -> Result<Response, AppError> {
    let message = audience::chat(&state, caller.account(), &id, &input.text).await?;
    Ok((StatusCode::CREATED, Json(message)).into_response())
}

#[utoipa::path(post, path = "/api/v1/shows/{id}/reactions", tag = "shows",
    params(("id" = String, Path, description = "The show's id.")),
    responses((status = 204, description = "Counted; totals arrive in `stats` events.")))]
/// Sends a heart.
async fn react(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    audience::react(&state, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/brands/{slug}/shows/{id}/looks/{look_id}/moments", tag = "shows",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The show's id."),
        ("look_id" = String, Path, description = "The look's id.")),
    request_body = DropMomentsInput,
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The show, its look carrying the moments when it drops.", body = ShowDetail),
        (status = 404, description = "`not_found`: no such show or look of this brand.", body = app::core::error::ErrorBody),
        (status = 409, description = "`conflict`: the look has dropped, or the show has ended.", body = app::core::error::ErrorBody),
        (status = 422, description = "`validation`: not one of the brand's approved coupons that has not ended.", body = app::core::error::ErrorBody),
    ))]
/// Sets what a look's drop carries: a coupon viewers claim, a red-envelope moment.
async fn set_drop_moments(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id, look_id)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<DropMomentsInput>,
) -> Result<Json<ShowDetail>, AppError> {
    let host = ShowHost::resolve(
        &state.db,
        &caller,
        Some(&slug),
        Need::write(BrandRole::Staff),
    )
    .await?;
    Ok(Json(
        show::live::set_drop_moments(&state, &host, &id, &look_id, &input).await?,
    ))
}
