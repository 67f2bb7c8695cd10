//! Show types shared by the browser and the server: what producers send, what viewers see,
//! and the events the hub streams.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::promotions::CouponMoment;

pub use entity::values::ShowStatus;

/// A show's details as the brand edits them. Times are UTC, as `YYYY-MM-DDTHH:MM` (what a
/// `datetime-local` field sends) or RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// An `https://` (or `http://`) address of an HLS (`.m3u8`) or MP4 stream, or a path on
    /// this site (`/media/...`).
    pub stream_url: String,
    #[serde(default)]
    pub cover_url: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    /// Words the chat refuses, one per line.
    #[serde(default)]
    pub blocked_words: String,
}

/// One SKU a look reveals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LookItemInput {
    /// The brand's SKU code.
    pub sku_code: String,
    /// Whose SKU it is, by brand slug: needed in the platform's galas, whose looks mix brands
    /// (a brand's own show takes its own SKUs).
    #[serde(default)]
    pub brand: Option<String>,
    /// Units set aside for this drop (moved to the show's stock location when the look is
    /// added); empty: the drop sells the SKU's open stock.
    #[serde(default)]
    pub drop_stock: Option<i64>,
    /// Sold only through the show, while this look's buy window is open.
    #[serde(default)]
    pub exclusive: bool,
    /// Units one viewer may buy (drops often allow 1); empty keeps the SKU's own limit.
    #[serde(default)]
    pub purchase_limit: Option<i32>,
}

/// A look of the run-sheet as the brand edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LookInput {
    pub title: String,
    #[serde(default)]
    pub note: String,
    /// A flash buy window of 10–300 seconds; none: open until the producer closes it.
    #[serde(default)]
    pub flash_secs: Option<i32>,
    /// 1 to [`MAX_LOOK_ITEMS`] SKUs.
    pub items: Vec<LookItemInput>,
}

/// The moments a look's drop carries, as the producer sets them before it drops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DropMomentsInput {
    /// One of the host's approved coupons (its promotion id) viewers can claim during the
    /// drop; none: no coupon moment.
    #[serde(default)]
    pub coupon_promotion_id: Option<String>,
    /// A red-envelope "find the cat" moment, played once per viewer.
    #[serde(default)]
    pub envelope_moment: bool,
}

/// SKUs one look may reveal.
pub const MAX_LOOK_ITEMS: usize = 6;
/// Most units one look's item may set aside for its drop.
pub const MAX_DROP_STOCK: i64 = 1_000_000;
/// Looks one show may have.
pub const MAX_LOOKS: usize = 60;
/// Characters of one chat message.
pub const MAX_CHAT_CHARS: usize = 200;
/// Shortest time between two chat messages of one viewer, whatever the slow mode.
pub const MIN_CHAT_INTERVAL_SECS: i64 = 2;
/// Flash windows' bounds.
pub const FLASH_SECS: std::ops::RangeInclusive<i32> = 10..=300;

/// A show in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowSummary {
    pub id: String,
    pub title: String,
    pub status: ShowStatus,
    /// The brand's name; for a platform gala, "Gala · " and the brands taking part.
    pub brand_name: String,
    /// The brand's slug; empty for a platform gala.
    pub brand_slug: String,
    pub cover_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub looks: usize,
}

/// A product card of a look: what a viewer sees and buys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductCard {
    pub sku_id: String,
    pub sku_code: String,
    pub listing_id: String,
    pub title: String,
    /// The variant's option values ("M / Black"); empty for single-variant listings.
    pub variant: String,
    /// What one unit costs, as the checkout quotes it ([`crate::checkout::pricing::unit_price`]).
    pub price_minor: i64,
    pub currency: String,
    pub image_url: Option<String>,
    pub units_left: i64,
    /// Units the look set aside for its drop (none: it sells the open stock).
    pub drop_stock: Option<i64>,
    pub exclusive: bool,
    pub purchase_limit: Option<i32>,
}

/// A look, with its buy window and products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LookView {
    pub id: String,
    pub position: i32,
    pub title: String,
    pub note: String,
    pub flash_secs: Option<i32>,
    pub revealed_at: Option<DateTime<Utc>>,
    pub window_opens_at: Option<DateTime<Utc>>,
    pub window_closes_at: Option<DateTime<Utc>>,
    pub items: Vec<ProductCard>,
    /// A coupon viewers can claim once the look drops.
    #[serde(default)]
    pub coupon: Option<CouponMoment>,
    /// Viewers can play a red-envelope moment ("find the cat") once the look drops.
    #[serde(default)]
    pub envelope_moment: bool,
}

impl LookView {
    /// Its buy window is open at `now`.
    pub fn window_open(&self, now: DateTime<Utc>) -> bool {
        self.window_opens_at.is_some_and(|at| at <= now)
            && self.window_closes_at.is_none_or(|at| at > now)
    }

    /// Its buy window is open as a viewer's page sees it at `now` (its clock a little off the
    /// server's): opened by the server, and not past its deadline. The server decides.
    pub fn open_for_viewer(&self, now: DateTime<Utc>) -> bool {
        self.window_opens_at.is_some() && self.window_closes_at.is_none_or(|at| at > now)
    }
}

/// A show as its brand's team sees it in the editor and the producer console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowDetail {
    pub summary: ShowSummary,
    pub description: String,
    pub stream_url: String,
    pub blocked_words: String,
    pub review_note: Option<String>,
    pub slow_mode_secs: i32,
    pub pinned_sku_id: Option<String>,
    pub live_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// The whole run-sheet, revealed or not.
    pub looks: Vec<LookView>,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    /// The message's event number in the show.
    pub id: i64,
    pub author: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// Live figures every viewer gets about once a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowStats {
    /// People watching, over every server node.
    pub viewers: i64,
    /// Orders placed through the show since it went live.
    pub orders: i64,
    pub units_sold: i64,
    /// Units left of every revealed SKU: `(sku_id, units)`.
    pub units_left: Vec<(String, i64)>,
    pub reactions: i64,
    /// The latest purchases, newest first ("Silk trench coat").
    pub latest: Vec<String>,
}

/// Everything a viewer needs on arrival: the public show and what has happened so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowState {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The brand's name; for a platform gala, "Gala · " and the brands taking part.
    pub brand_name: String,
    /// The brand's slug; empty for a platform gala.
    pub brand_slug: String,
    pub status: ShowStatus,
    pub stream_url: String,
    pub cover_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub live_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Revealed looks, in the order they dropped.
    pub looks: Vec<LookView>,
    pub pinned_sku_id: Option<String>,
    /// The latest messages, oldest first.
    pub chat: Vec<ChatMessage>,
    pub slow_mode_secs: i32,
    pub stats: ShowStats,
    /// The last event this state includes.
    pub seq: i64,
    /// The server's clock when the state was read, to correct countdowns for a phone's
    /// clock.
    pub server_now: DateTime<Utc>,
}

impl ShowState {
    /// Applies one event (a viewer's copy stays in step with the server's).
    pub fn apply(&mut self, event: &ShowEvent) {
        match event {
            ShowEvent::Snapshot { state } => *self = (**state).clone(),
            ShowEvent::Status {
                status,
                live_at,
                ended_at,
            } => {
                self.status = *status;
                self.live_at = *live_at;
                self.ended_at = *ended_at;
            }
            ShowEvent::Drop { look } => {
                self.looks.retain(|l| l.id != look.id);
                self.looks.push(look.clone());
            }
            ShowEvent::Window {
                look_id,
                opens_at,
                closes_at,
            } => {
                if let Some(look) = self.looks.iter_mut().find(|l| &l.id == look_id) {
                    look.window_opens_at = *opens_at;
                    look.window_closes_at = *closes_at;
                }
            }
            ShowEvent::Pin { sku_id } => self.pinned_sku_id = sku_id.clone(),
            ShowEvent::Chat { message } => {
                self.chat.push(message.clone());
                let excess = self.chat.len().saturating_sub(CHAT_BACKLOG);
                self.chat.drain(..excess);
            }
            ShowEvent::ChatRemoved { id } => self.chat.retain(|m| m.id != *id),
            ShowEvent::Settings { slow_mode_secs } => self.slow_mode_secs = *slow_mode_secs,
            ShowEvent::Stats { stats } => {
                for look in &mut self.looks {
                    for item in &mut look.items {
                        if let Some((_, left)) =
                            stats.units_left.iter().find(|(sku, _)| sku == &item.sku_id)
                        {
                            item.units_left = *left;
                        }
                    }
                }
                self.stats = stats.clone();
            }
        }
    }

    /// The product `sku_id` among the revealed looks, with its look.
    pub fn card(&self, sku_id: &str) -> Option<(&LookView, &ProductCard)> {
        self.looks
            .iter()
            .find_map(|l| l.items.iter().find(|i| i.sku_id == sku_id).map(|i| (l, i)))
    }
}

/// Applies what the stream sent to a viewer's copy: a snapshot replaces it; a numbered event
/// it already has (a replay after a reconnect) is skipped, so nothing is applied twice.
pub fn receive(state: &mut Option<ShowState>, envelope: Envelope) {
    match (envelope.event, state.as_mut()) {
        (ShowEvent::Snapshot { state: snapshot }, _) => *state = Some(*snapshot),
        (event, Some(current)) => {
            if let Some(seq) = envelope.seq {
                if seq <= current.seq {
                    return;
                }
                current.seq = seq;
            }
            current.apply(&event);
        }
        (_, None) => {}
    }
}

/// Chat messages a viewer keeps (and a late joiner gets).
pub const CHAT_BACKLOG: usize = 50;

/// What the hub streams. Every event but `stats` and `snapshot` is numbered (the SSE `id`)
/// and kept in the show's log, so a viewer who reconnects gets exactly what they missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShowEvent {
    /// The whole state: first thing on arrival (or after too long away).
    Snapshot {
        state: Box<ShowState>,
    },
    /// The show went live or ended.
    Status {
        status: ShowStatus,
        live_at: Option<DateTime<Utc>>,
        ended_at: Option<DateTime<Utc>>,
    },
    /// A look was revealed: its products can be bought while its window is open.
    Drop {
        look: LookView,
    },
    /// A look's buy window opened, closed or got a deadline.
    Window {
        look_id: String,
        opens_at: Option<DateTime<Utc>>,
        closes_at: Option<DateTime<Utc>>,
    },
    /// The producer pinned a product (or unpinned, with none).
    Pin {
        sku_id: Option<String>,
    },
    Chat {
        message: ChatMessage,
    },
    /// A moderator removed a message.
    ChatRemoved {
        id: i64,
    },
    Settings {
        slow_mode_secs: i32,
    },
    /// Live figures (not numbered: the next one replaces it).
    Stats {
        stats: ShowStats,
    },
}

impl ShowEvent {
    /// The name stored in the log.
    pub fn kind(&self) -> &'static str {
        match self {
            ShowEvent::Snapshot { .. } => "snapshot",
            ShowEvent::Status { .. } => "status",
            ShowEvent::Drop { .. } => "drop",
            ShowEvent::Window { .. } => "window",
            ShowEvent::Pin { .. } => "pin",
            ShowEvent::Chat { .. } => "chat",
            ShowEvent::ChatRemoved { .. } => "chat_removed",
            ShowEvent::Settings { .. } => "settings",
            ShowEvent::Stats { .. } => "stats",
        }
    }
}

/// An event on the wire: its number (none for stats) and the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Envelope {
    pub seq: Option<i64>,
    #[serde(flatten)]
    pub event: ShowEvent,
}

/// A viewer's one-tap set-up: where parcels go and the card one tap pays with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OneTapStatus {
    pub signed_in: bool,
    /// Both a saved address and a saved card: one tap buys.
    pub ready: bool,
    /// "Visa •••• 4242".
    pub card: Option<String>,
    /// "Mei Lin, 88 Century Avenue, Shanghai".
    pub address: Option<String>,
}

/// The result of one tap, as the viewer page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum BuyOutcome {
    Bought {
        order_id: String,
        number: String,
        /// What the order cost, after its discounts.
        #[serde(default)]
        total_minor: i64,
        #[serde(default)]
        currency: String,
        /// The promotions that priced it, each with who funds it.
        #[serde(default)]
        discounts: Vec<crate::checkout::Discount>,
    },
    SoldOut,
    LimitReached {
        limit: i64,
    },
    /// The look's buy window is closed (or not open yet).
    WindowClosed,
    /// The payment was refused.
    Declined {
        message: String,
    },
    /// Too many buyers at once; try again in a moment.
    Busy {
        retry_after_secs: u64,
    },
}

/// Why one tap cannot buy now: the look's buy window is closed (the engine's refusal carries
/// this message, which the page turns back into [`BuyOutcome::WindowClosed`]).
pub const WINDOW_CLOSED: &str = "This drop's buy window is closed.";

impl BuyOutcome {
    /// What a refused tap means to the viewer. Refusals a viewer can meet in a fair race
    /// (sold out, limit reached, window closed, declined card, too busy) become outcomes;
    /// anything else (not signed in, one tap not set up, a fault) stays an error.
    pub fn from_refusal(refusal: crate::core::AppError) -> Result<Self, crate::core::AppError> {
        use crate::core::AppError;
        Ok(match refusal {
            AppError::SoldOut => BuyOutcome::SoldOut,
            AppError::LimitReached { limit } => BuyOutcome::LimitReached { limit },
            AppError::PaymentDeclined { message } => BuyOutcome::Declined { message },
            AppError::RateLimited { retry_after_secs } => BuyOutcome::Busy { retry_after_secs },
            AppError::Conflict { message } if message == WINDOW_CLOSED => BuyOutcome::WindowClosed,
            error => return Err(error),
        })
    }
}

/// The producer's figures: the public ones plus money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowFigures {
    pub stats: ShowStats,
    /// Gross merchandise value of the show's orders, in minor units.
    pub gmv_minor: i64,
    pub currency: String,
}

/// A moderator's action on a chat message's author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    /// Remove the message only.
    Remove,
    /// Remove it and mute its author for five minutes.
    Mute,
    /// Remove it and ban its author from this show's chat.
    Ban,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(seq: i64) -> ShowState {
        ShowState {
            id: "s".into(),
            title: "Show".into(),
            description: String::new(),
            brand_name: "Lune".into(),
            brand_slug: "lune".into(),
            status: ShowStatus::Live,
            stream_url: "https://example.com/a.mp4".into(),
            cover_url: None,
            starts_at: Utc::now(),
            ends_at: Utc::now(),
            live_at: None,
            ended_at: None,
            looks: Vec::new(),
            pinned_sku_id: None,
            chat: Vec::new(),
            slow_mode_secs: 0,
            stats: ShowStats::default(),
            seq,
            server_now: Utc::now(),
        }
    }

    fn chat(id: i64) -> Envelope {
        Envelope {
            seq: Some(id),
            event: ShowEvent::Chat {
                message: ChatMessage {
                    id,
                    author: "Ann".into(),
                    text: format!("message {id}"),
                    at: Utc::now(),
                },
            },
        }
    }

    #[test]
    fn replayed_events_are_applied_once_and_a_snapshot_replaces_everything() {
        let mut viewer = Some(state(3));
        for envelope in [chat(4), chat(5), chat(4), chat(5), chat(6)] {
            receive(&mut viewer, envelope);
        }
        let ids: Vec<i64> = viewer.as_ref().unwrap().chat.iter().map(|m| m.id).collect();
        assert_eq!(ids, [4, 5, 6]);
        let snapshot = Envelope {
            seq: Some(9),
            event: ShowEvent::Snapshot {
                state: Box::new(state(9)),
            },
        };
        receive(&mut viewer, snapshot);
        assert!(viewer.as_ref().unwrap().chat.is_empty());
        assert_eq!(viewer.unwrap().seq, 9);
    }

    #[test]
    fn stats_update_units_left_on_the_cards_without_a_number() {
        let mut viewer = Some(state(1));
        let card = ProductCard {
            sku_id: "sku".into(),
            sku_code: "A".into(),
            listing_id: "l".into(),
            title: "Coat".into(),
            variant: String::new(),
            price_minor: 100,
            currency: "CNY".into(),
            image_url: None,
            units_left: 5,
            drop_stock: None,
            exclusive: false,
            purchase_limit: None,
        };
        let look = LookView {
            id: "look".into(),
            position: 1,
            title: "Look".into(),
            note: String::new(),
            flash_secs: Some(30),
            revealed_at: Some(Utc::now()),
            window_opens_at: Some(Utc::now()),
            window_closes_at: Some(Utc::now() + chrono::TimeDelta::seconds(30)),
            items: vec![card],
            coupon: None,
            envelope_moment: false,
        };
        assert!(look.window_open(Utc::now()));
        assert!(!look.window_open(Utc::now() + chrono::TimeDelta::seconds(31)));
        receive(
            &mut viewer,
            Envelope {
                seq: Some(2),
                event: ShowEvent::Drop { look },
            },
        );
        let stats = ShowStats {
            units_left: vec![("sku".into(), 2)],
            ..ShowStats::default()
        };
        receive(
            &mut viewer,
            Envelope {
                seq: None,
                event: ShowEvent::Stats { stats },
            },
        );
        let viewer = viewer.unwrap();
        assert_eq!(viewer.card("sku").unwrap().1.units_left, 2);
        assert_eq!(viewer.seq, 2, "figures are not numbered");
    }

    #[test]
    fn events_serialise_with_their_type_and_number() {
        let json = serde_json::to_value(chat(7)).unwrap();
        assert_eq!(json["type"], "chat");
        assert_eq!(json["seq"], 7);
        assert_eq!(json["message"]["id"], 7);
    }
}
