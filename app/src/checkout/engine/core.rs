//! What a checkout lane's stages share: the engine's settings, a queued request ([`Job`]), and
//! [`Core`] — the database, the payment provider and the "sold out" cache.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::catalog::stock::StockPool;
use crate::checkout::idempotency::IdempotencyKey;
use crate::checkout::orders::Placement;
use crate::checkout::payments::PaymentProvider;
use crate::checkout::request::OrderRequest;
use crate::core::time::Clock;

/// Tuning of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Independent queues, each drained by one worker. SKUs are spread over them; on SQLite
    /// (one writer at a time) one lane is best.
    pub lanes: usize,
    /// Requests a lane holds before it answers 429 (admission control).
    pub queue_capacity: usize,
    /// Most requests one batch takes; see [`DEFAULT_MAX_BATCH`].
    pub max_batch: usize,
    /// How a lane overlaps its batches; see [`Overlap`].
    pub overlap: Overlap,
    /// How long an unpaid order keeps its stock.
    pub reservation_ttl: Duration,
    /// How long "sold out" is believed without asking the database again (stock can come
    /// back: a declined payment, an expired reservation, a restock on another node).
    pub sold_out_ttl: Duration,
}

/// How a lane overlaps the batches it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// One batch at a time: plan, pay, commit, then the next (the baseline the benchmark
    /// compares against).
    Serial,
    /// Plan and pay the next batch while the current one commits; commits one at a time, in
    /// order. For SQLite: its single writer gains nothing from concurrent commits (two writers
    /// sleep in its busy handler), but planning, paying and the fsync of a commit overlap.
    Pipelined,
    /// Up to this many whole batches at once, each committing on its own (PostgreSQL: batches
    /// wait on each other only at the stock rows they share).
    Concurrent(usize),
}

/// Most requests one batch takes, by default (`GALA_CHECKOUT_BATCH`). A batch waits for its
/// slowest payment, so a payment provider that answers slowly wants big batches. Smaller ones
/// were tried on one hot SKU, with mixed results (BENCHMARKS.md, 2026-11-24).
pub const DEFAULT_MAX_BATCH: usize = 512;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            lanes: 4,
            queue_capacity: 4_096,
            max_batch: DEFAULT_MAX_BATCH,
            overlap: Overlap::Concurrent(2),
            reservation_ttl: Duration::from_secs(15 * 60),
            sold_out_ttl: Duration::from_secs(2),
        }
    }
}

/// One queued request.
pub struct Job {
    pub request: OrderRequest,
    pub key: Option<IdempotencyKey>,
    /// Taken when the request is answered.
    pub reply: Option<oneshot::Sender<Placement>>,
}

impl Job {
    /// Sends `placement` to the waiting caller (once).
    pub fn answer(&mut self, placement: Placement) {
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(placement);
        }
    }
}

/// What the lanes share.
pub struct Core {
    pub db: DatabaseConnection,
    pub provider: Arc<dyn PaymentProvider>,
    pub config: EngineConfig,
    /// The clock reservations and sale windows are judged by.
    pub clock: Clock,
    /// (SKU, pool) → when it was last seen with nothing left in that pool.
    sold_out: Mutex<HashMap<(Uuid, StockPool), Instant>>,
}

impl Core {
    pub fn new(
        db: DatabaseConnection,
        provider: Arc<dyn PaymentProvider>,
        config: EngineConfig,
        clock: Clock,
    ) -> Self {
        Core {
            db,
            provider,
            config,
            clock,
            sold_out: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers that `sku` has nothing left for buyers drawing on `pool`.
    pub fn mark_sold_out(&self, sku: Uuid, pool: StockPool) {
        self.sold_out
            .lock()
            .expect("sold-out cache poisoned")
            .insert((sku, pool), Instant::now());
    }

    /// Forgets "sold out" (in every pool) for SKUs whose stock came back.
    pub fn restocked(&self, skus: impl IntoIterator<Item = Uuid>) {
        let skus: HashSet<Uuid> = skus.into_iter().collect();
        let mut cache = self.sold_out.lock().expect("sold-out cache poisoned");
        cache.retain(|(sku, _), _| !skus.contains(sku));
    }

    /// Whether `sku` was seen sold out for `pool` within the cache's time.
    pub fn is_sold_out(&self, sku: Uuid, pool: StockPool) -> bool {
        let mut cache = self.sold_out.lock().expect("sold-out cache poisoned");
        match cache.get(&(sku, pool)) {
            Some(at) if at.elapsed() < self.config.sold_out_ttl => true,
            Some(_) => {
                cache.remove(&(sku, pool));
                false
            }
            None => false,
        }
    }
}
