//! The show hub: one per server node. Each show with viewers on this node has one
//! `tokio::sync::broadcast` channel; numbered events are read from the show's log (in order,
//! once) and broadcast to every local viewer, so what a node streams never depends on which
//! node made the change. Other nodes learn of a change through PostgreSQL `LISTEN/NOTIFY`
//! (a poke carrying the show's id), and every second the hub catches up on its own anyway,
//! so a lost notification delays an event by a second, never loses it.
//!
//! Once a second the hub also publishes each show's live figures (viewers over all nodes,
//! units left, orders), flushes reactions and records how many viewers it holds. That frame
//! (or a comment when the figures fail) is also what keeps every idle stream open.

use std::collections::HashMap;
use std::sync::{
    atomic::{AtomicI64, AtomicU32, Ordering},
    Arc, Mutex,
};
use std::time::Duration;

use axum::body::Bytes;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::chat_writer::{ChatPost, ChatWriter};
use super::{presence, public, Envelope, ShowEvent, ShowState, ShowStats};
use crate::core::AppError;

/// The PostgreSQL notification channel shows are poked on.
const NOTIFY_CHANNEL: &str = "gala_show";
/// Frames a slow viewer may fall behind before it is dropped (its browser reconnects and
/// resumes from the log).
const CHANNEL_CAPACITY: usize = 256;
/// Seconds a show's channel stays around with no viewer.
const IDLE_TICKS: u32 = 30;
/// Seconds of unchanged figures after which the streams get a keep-alive comment instead.
const KEEP_ALIVE_TICKS: u32 = 15;
/// Event streams one client address may hold open on a node, over all shows: enough for a
/// household or an office behind one address, too few to inflate a show's audience or hold
/// the node's memory with a script.
pub const MAX_STREAMS_PER_ADDRESS: u32 = 32;

/// Who is watching: `person` is counted once per show however many streams it opens (a
/// session, or the client address for a client without one); `address` is what the
/// per-address cap counts.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub person: String,
    pub address: Option<String>,
}

/// One event ready for the wire, encoded once per node however many viewers it goes to:
/// with tens of thousands of viewers, per-connection formatting was the fan-out's main cost.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The event's number (the SSE `id`); none for live figures.
    pub seq: Option<i64>,
    /// The server-sent-events block: `id:` and `data:` lines and the blank line ending it.
    pub wire: Bytes,
}

impl Frame {
    /// The SSE block of an [`Envelope`] serialised as `json`.
    pub fn new(seq: Option<i64>, json: &str) -> Frame {
        let mut wire = String::with_capacity(json.len() + 32);
        if let Some(seq) = seq {
            wire.push_str("id: ");
            wire.push_str(&seq.to_string());
            wire.push('\n');
        }
        // Compact JSON has no line breaks; should one appear, each line is its own `data:`
        // line, which the browser joins back with a newline.
        for line in json.split('\n') {
            wire.push_str("data: ");
            wire.push_str(line.trim_end_matches('\r'));
            wire.push('\n');
        }
        wire.push('\n');
        Frame {
            seq,
            wire: Bytes::from(wire),
        }
    }

    /// A comment block: keeps an idle connection (and the proxies on its way) open.
    pub fn keep_alive() -> Frame {
        Frame {
            seq: None,
            wire: Bytes::from_static(b": live\n\n"),
        }
    }
}

/// A show's state for arrivals and its encoded `snapshot` event.
type Snapshot = (Arc<ShowState>, Frame);

struct Channel {
    tx: broadcast::Sender<Frame>,
    /// The last event broadcast; held while reading and broadcasting, which keeps frames in
    /// order when a local change and a notification race.
    last_seq: tokio::sync::Mutex<i64>,
    /// Open streams per person ([`Viewer::person`]); the show's viewers are its length.
    audience: Mutex<HashMap<String, u32>>,
    reactions: AtomicI64,
    idle_ticks: AtomicU32,
    /// Ticks since the streams last got figures or a keep-alive.
    quiet_ticks: AtomicU32,
    /// The latest snapshot, reused by arrivals until the next event.
    snapshot: Mutex<Option<Snapshot>>,
    stats: Mutex<ShowStats>,
}

impl Channel {
    /// Sends a keep-alive comment when the streams have had nothing for
    /// [`KEEP_ALIVE_TICKS`] seconds (so proxies keep them open).
    fn keep_alive_if_quiet(&self) {
        if self.quiet_ticks.fetch_add(1, Ordering::Relaxed) + 1 >= KEEP_ALIVE_TICKS {
            self.quiet_ticks.store(0, Ordering::Relaxed);
            let _ = self.tx.send(Frame::keep_alive());
        }
    }
}

struct Inner {
    db: DatabaseConnection,
    node_id: String,
    channels: Mutex<HashMap<Uuid, Arc<Channel>>>,
    /// Open streams per client address, over all shows.
    streams_per_address: Mutex<HashMap<String, u32>>,
    /// Writes this node's chat posts in batches.
    chat: ChatWriter,
}

/// The node's hub; cheap to clone.
#[derive(Clone)]
pub struct ShowHub {
    inner: Arc<Inner>,
}

/// A viewer's connection to a show: live frames; its person is counted as a viewer, and its
/// address holds one stream, until the last of their subscriptions is dropped.
pub struct Subscription {
    pub frames: broadcast::Receiver<Frame>,
    channel: Arc<Channel>,
    hub: Arc<Inner>,
    viewer: Viewer,
}

impl Subscription {
    /// The last event broadcast to this show's viewers on this node.
    pub async fn last_seq(&self) -> i64 {
        *self.channel.last_seq.lock().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        release(&self.channel.audience, &self.viewer.person);
        if let Some(address) = &self.viewer.address {
            release(&self.hub.streams_per_address, address);
        }
    }
}

/// Takes one off `key`'s count, forgetting it at zero.
fn release(counts: &Mutex<HashMap<String, u32>>, key: &str) {
    let mut counts = lock(counts);
    if let Some(count) = counts.get_mut(key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(key);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ShowHub {
    /// Starts the hub of this node: the once-a-second ticker and, on PostgreSQL, the
    /// listener for other nodes' pokes.
    pub fn start(db: DatabaseConnection) -> ShowHub {
        let inner = Arc::new_cyclic(|me: &std::sync::Weak<Inner>| {
            // The writer announces what it stored through this hub (held weakly: the hub owns
            // the writer).
            let me = me.clone();
            let announce = move |shows: Vec<Uuid>| {
                let hub = me.upgrade().map(|inner| ShowHub { inner });
                async move {
                    let Some(hub) = hub else { return };
                    for show_id in shows {
                        hub.published(show_id).await;
                    }
                }
            };
            Inner {
                chat: ChatWriter::start(db.clone(), announce),
                db,
                node_id: Uuid::new_v4().simple().to_string(),
                channels: Mutex::new(HashMap::new()),
                streams_per_address: Mutex::new(HashMap::new()),
            }
        });
        let hub = ShowHub { inner };
        let ticker = hub.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(1));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                ticker.tick().await;
            }
        });
        if hub.inner.db.get_database_backend() == DatabaseBackend::Postgres {
            let listener = hub.clone();
            tokio::spawn(async move { listener.listen().await });
        }
        hub
    }

    /// Stores a chat post through this node's chat writer; answers the message once stored.
    pub async fn post_chat(&self, post: ChatPost) -> Result<super::ChatMessage, AppError> {
        self.inner.chat.post(post).await
    }

    /// Write transactions this node's chat has taken so far (one per batch of posts).
    pub fn chat_transactions(&self) -> u64 {
        self.inner.chat.transactions()
    }

    /// This node's id in the presence table.
    pub fn node_id(&self) -> &str {
        &self.inner.node_id
    }

    async fn channel(&self, show_id: Uuid) -> Result<Arc<Channel>, AppError> {
        if let Some(channel) = lock(&self.inner.channels).get(&show_id) {
            return Ok(channel.clone());
        }
        // Start from the log's current end: arrivals get a snapshot of everything before.
        let seq = public::event_seq(&self.inner.db, show_id).await?;
        let mut channels = lock(&self.inner.channels);
        Ok(channels
            .entry(show_id)
            .or_insert_with(|| {
                Arc::new(Channel {
                    tx: broadcast::channel(CHANNEL_CAPACITY).0,
                    last_seq: tokio::sync::Mutex::new(seq),
                    audience: Mutex::new(HashMap::new()),
                    reactions: AtomicI64::new(0),
                    idle_ticks: AtomicU32::new(0),
                    quiet_ticks: AtomicU32::new(0),
                    snapshot: Mutex::new(None),
                    stats: Mutex::new(ShowStats::default()),
                })
            })
            .clone())
    }

    /// Subscribes `viewer` to `show_id`'s live frames; `RateLimited` when their address
    /// already holds [`MAX_STREAMS_PER_ADDRESS`] streams on this node.
    pub async fn subscribe(&self, show_id: Uuid, viewer: Viewer) -> Result<Subscription, AppError> {
        let channel = self.channel(show_id).await?;
        if let Some(address) = &viewer.address {
            let mut streams = lock(&self.inner.streams_per_address);
            let open = streams.entry(address.clone()).or_default();
            if *open >= MAX_STREAMS_PER_ADDRESS {
                return Err(AppError::RateLimited {
                    retry_after_secs: 10,
                });
            }
            *open += 1;
        }
        *lock(&channel.audience)
            .entry(viewer.person.clone())
            .or_default() += 1;
        channel.idle_ticks.store(0, Ordering::Relaxed);
        Ok(Subscription {
            frames: channel.tx.subscribe(),
            channel,
            hub: self.inner.clone(),
            viewer,
        })
    }

    /// The people watching `show_id` on this node (each once, however many streams).
    pub fn viewers(&self, show_id: Uuid) -> i64 {
        lock(&self.inner.channels)
            .get(&show_id)
            .map_or(0, |channel| lock(&channel.audience).len() as i64)
    }

    /// The show's public state for an arriving viewer (shared between arrivals until the
    /// next event).
    pub async fn snapshot(&self, show_id: Uuid) -> Result<Arc<ShowState>, AppError> {
        Ok(self.cached_snapshot(show_id).await?.0)
    }

    /// The `snapshot` event an arriving viewer's stream starts with, encoded once for all
    /// arrivals until the next event.
    pub async fn snapshot_frame(&self, show_id: Uuid) -> Result<Frame, AppError> {
        Ok(self.cached_snapshot(show_id).await?.1)
    }

    async fn cached_snapshot(&self, show_id: Uuid) -> Result<Snapshot, AppError> {
        let channel = self.channel(show_id).await?;
        let last = *channel.last_seq.lock().await;
        if let Some(cached) = lock(&channel.snapshot)
            .clone()
            .filter(|(s, _)| s.seq == last)
        {
            return Ok(cached);
        }
        let mut state = public::public_state(&self.inner.db, show_id).await?;
        let stats = lock(&channel.stats).clone();
        if stats != ShowStats::default() {
            state.apply(&ShowEvent::Stats { stats });
        }
        let json = serde_json::to_string(&Envelope {
            seq: Some(state.seq),
            event: ShowEvent::Snapshot {
                state: Box::new(state.clone()),
            },
        })
        .map_err(AppError::internal)?;
        let frame = Frame::new(Some(state.seq), &json);
        let cached = (Arc::new(state), frame);
        if cached.0.seq == last {
            *lock(&channel.snapshot) = Some(cached.clone());
        }
        Ok(cached)
    }

    /// Announces that `show_id`'s log grew: this node's viewers get the new events at once,
    /// other nodes are poked.
    pub async fn published(&self, show_id: Uuid) {
        if let Err(error) = self.catch_up(show_id).await {
            tracing::warn!(%show_id, %error, "show events not broadcast yet; the next tick retries");
        }
        if self.inner.db.get_database_backend() == DatabaseBackend::Postgres {
            let poke = sea_orm::Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [NOTIFY_CHANNEL.into(), show_id.to_string().into()],
            );
            if let Err(error) = sea_orm::ConnectionTrait::execute_raw(&self.inner.db, poke).await {
                tracing::warn!(%show_id, %error, "could not poke the other nodes; their next tick catches up");
            }
        }
    }

    /// Counts one reaction (flushed to the database once a second).
    pub async fn react(&self, show_id: Uuid) -> Result<(), AppError> {
        let channel = self.channel(show_id).await?;
        // A burst from one node is capped per second: hearts are a mood, not a ledger.
        if channel.reactions.load(Ordering::Relaxed) < 5_000 {
            channel.reactions.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Broadcasts the events of `show_id` this node has not broadcast yet, in order.
    async fn catch_up(&self, show_id: Uuid) -> Result<(), AppError> {
        let Some(channel) = lock(&self.inner.channels).get(&show_id).cloned() else {
            return Ok(()); // nobody watches here
        };
        let mut last = channel.last_seq.lock().await;
        loop {
            let events = super::events::after(&self.inner.db, show_id, *last, 500).await?;
            let Some(&(newest, _)) = events.last() else {
                return Ok(());
            };
            for (seq, json) in events {
                // No receiver is not an error: viewers come and go.
                let _ = channel.tx.send(Frame::new(Some(seq), &json));
            }
            *last = newest;
        }
    }

    /// Other nodes' pokes, for as long as the process runs (reconnecting after failures).
    async fn listen(&self) {
        use sea_orm::sqlx::postgres::PgListener;
        loop {
            let pool = self.inner.db.get_postgres_connection_pool().clone();
            let listener = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.listen(NOTIFY_CHANNEL).await?;
                loop {
                    let notification = listener.recv().await?;
                    if let Ok(show_id) = Uuid::parse_str(notification.payload()) {
                        if let Err(error) = self.catch_up(show_id).await {
                            tracing::warn!(%show_id, %error, "show events not broadcast yet");
                        }
                    }
                }
                #[allow(unreachable_code)]
                Ok::<(), sea_orm::sqlx::Error>(())
            };
            if let Err(error) = listener.await {
                tracing::warn!(%error, "show listener lost its connection; reconnecting");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Once a second: presence, reactions, catching up, live figures, idle channels.
    async fn tick(&self) {
        let channels: Vec<(Uuid, Arc<Channel>)> = lock(&self.inner.channels)
            .iter()
            .map(|(id, c)| (*id, c.clone()))
            .collect();
        for (show_id, channel) in channels {
            let viewers = lock(&channel.audience).len() as i64;
            if viewers == 0
                && channel.tx.receiver_count() == 0
                && channel.idle_ticks.fetch_add(1, Ordering::Relaxed) >= IDLE_TICKS
            {
                lock(&self.inner.channels).remove(&show_id);
                let _ = presence::leave(&self.inner.db, show_id, &self.inner.node_id).await;
                continue;
            }
            let reactions = channel.reactions.swap(0, Ordering::Relaxed);
            let db = &self.inner.db;
            let watched = channel.tx.receiver_count() > 0;
            let figures = async {
                presence::heartbeat(db, show_id, &self.inner.node_id, viewers, reactions).await?;
                self.catch_up(show_id).await?;
                // Figures nobody here watches would be computed for nothing; an arrival gets
                // them within a second.
                if watched {
                    presence::stats(db, show_id).await.map(Some)
                } else {
                    Ok(None)
                }
            };
            match figures.await {
                Ok(None) => {}
                // Unchanged figures are not sent again: with tens of thousands of viewers,
                // each second's figures are a burst of writes a drop would queue behind.
                // Arrivals get the latest with their snapshot.
                Ok(Some(stats)) if *lock(&channel.stats) == stats => {
                    channel.keep_alive_if_quiet();
                }
                Ok(Some(stats)) => {
                    *lock(&channel.stats) = stats.clone();
                    let json = serde_json::to_string(&Envelope {
                        seq: None,
                        event: ShowEvent::Stats { stats },
                    })
                    .unwrap_or_default();
                    let _ = channel.tx.send(Frame::new(None, &json));
                    channel.quiet_ticks.store(0, Ordering::Relaxed);
                }
                Err(error) => {
                    tracing::warn!(%show_id, %error, "show figures skipped this second");
                    if watched {
                        channel.keep_alive_if_quiet();
                    }
                }
            }
        }
    }
}
