//! The checkout engine: every purchase — storefront, live show, API, later pre-sale and
//! in-store — is placed through [`Engine::place`].
//!
//! Why it is fast on one hot SKU: requests are not each a transaction with a row lock.
//! They queue in a lane (requests are routed by SKU, so every buyer of one SKU meets in the
//! same lane); a lane worker takes everything queued as one batch and runs it as one group
//! commit (see [`super::batch`]): the batch is planned in memory, its payments asked for, and
//! one transaction takes the stock of the whole batch with one conditional update per stock
//! row and writes its orders. Then every request in the batch is answered. While a batch
//! runs, the next one queues.
//!
//! What it guarantees (on SQLite and PostgreSQL, one node or many): stock never goes below
//! zero (conditional updates under the stock rows' lock, and the database's CHECK); an answer
//! is given only after its transaction committed; one idempotency key yields at most one
//! order; full lanes answer 429 at once; a SKU seen sold out is refused without a database
//! round trip for [`EngineConfig::sold_out_ttl`] (per stock pool: a show's set-aside units sell
//! out apart from the open stock).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::sync::{broadcast, mpsc, oneshot, Semaphore};
use uuid::Uuid;

use super::payments::PaymentProvider;
use super::request::OrderRequest;
use super::{batch, idempotency, OrderView};
use crate::catalog::stock::StockPool;
use crate::core::AppError;
use crate::mail::Outbox;

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
    /// Batches of one lane that may run at once (pipelining: one waits for its payments
    /// while another commits). 1 on SQLite: its single writer gains nothing from overlap, and
    /// two writers waiting on each other sleep in SQLite's busy handler.
    pub batches_in_flight: usize,
    /// How long an unpaid order keeps its stock.
    pub reservation_ttl: Duration,
    /// How long "sold out" is believed without asking the database again (stock can come
    /// back: a declined payment, an expired reservation, a restock on another node).
    pub sold_out_ttl: Duration,
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
            batches_in_flight: 2,
            reservation_ttl: Duration::from_secs(15 * 60),
            sold_out_ttl: Duration::from_secs(2),
        }
    }
}

/// An `Idempotency-Key` and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    /// See [`super::request::Caller::idempotency_scope`].
    pub scope: String,
    pub key: String,
}

/// Longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// The engine's answer to one request: the order (paid, or waiting for an asynchronous
/// payment), or why not.
pub type Placement = Result<OrderView, AppError>;

/// One queued request.
pub(super) struct Job {
    pub request: OrderRequest,
    pub key: Option<IdempotencyKey>,
    /// Taken when the request is answered.
    pub reply: Option<oneshot::Sender<Placement>>,
}

/// What the lane workers share.
pub(super) struct Core {
    pub db: DatabaseConnection,
    pub provider: Arc<dyn PaymentProvider>,
    pub outbox: Outbox,
    pub public_url: Arc<str>,
    pub config: EngineConfig,
    /// (SKU, pool) → when it was last seen with nothing left in that pool.
    sold_out: Mutex<HashMap<(Uuid, StockPool), Instant>>,
}

impl Core {
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

    fn is_sold_out(&self, sku: Uuid, pool: StockPool) -> bool {
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

/// A request being processed under an idempotency key on this node; later arrivals with the
/// same key wait for its answer instead of placing a second order.
struct InFlight {
    fingerprint: String,
    answer: broadcast::Sender<Placement>,
}

/// The first request under a key on this node. [`Leader::finish`] removes the key from the
/// in-flight map and hands the answer to the requests that waited; dropped unfinished (the
/// client went away), it removes the key and they get `Unavailable` and may retry.
struct Leader<'a> {
    in_flight: &'a Mutex<HashMap<IdempotencyKey, InFlight>>,
    /// `None` once it left: a later request under the same key may lead by then.
    key: Option<IdempotencyKey>,
}

impl Leader<'_> {
    /// Takes the key out of the in-flight map: from here on, a retry reads the stored answer.
    fn leave(&mut self) -> Option<InFlight> {
        let key = self.key.take()?;
        self.in_flight
            .lock()
            .map(|mut map| map.remove(&key))
            .ok()
            .flatten()
    }

    /// Hands `answer` to the requests that waited for it. It is copied only when one did:
    /// almost every key is used once.
    fn finish(mut self, answer: &Placement) {
        if let Some(running) = self.leave() {
            if running.answer.receiver_count() > 0 {
                let _ = running.answer.send(answer.clone());
            }
        }
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        self.leave();
    }
}

/// The checkout engine. Cheap to clone; lanes stop when the last clone is dropped.
#[derive(Clone)]
pub struct Engine {
    core: Arc<Core>,
    lanes: Arc<Vec<mpsc::Sender<Job>>>,
    in_flight: Arc<Mutex<HashMap<IdempotencyKey, InFlight>>>,
}

impl Engine {
    /// Starts the lane workers (inside a Tokio runtime).
    pub fn start(
        db: DatabaseConnection,
        provider: Arc<dyn PaymentProvider>,
        outbox: Outbox,
        public_url: Arc<str>,
        config: EngineConfig,
    ) -> Self {
        let lanes = config.lanes.max(1);
        let capacity = config.queue_capacity.max(1);
        let max_batch = config.max_batch.max(1);
        let batches_in_flight = config.batches_in_flight.max(1);
        let core = Arc::new(Core {
            db,
            provider,
            outbox,
            public_url,
            config,
            sold_out: Mutex::new(HashMap::new()),
        });
        let senders = (0..lanes)
            .map(|_| {
                let (tx, mut rx) = mpsc::channel::<Job>(capacity);
                let core = core.clone();
                tokio::spawn(async move {
                    // Pipelined: up to `batches_in_flight` batches at once (back-pressure). Each
                    // takes its stock under the stock rows' lock, so overlapping plans never
                    // oversell.
                    let in_flight = Arc::new(Semaphore::new(batches_in_flight));
                    let mut jobs = Vec::with_capacity(max_batch);
                    while rx.recv_many(&mut jobs, max_batch).await > 0 {
                        let Ok(permit) = in_flight.clone().acquire_owned().await else {
                            break;
                        };
                        let batch = std::mem::take(&mut jobs);
                        let core = core.clone();
                        tokio::spawn(async move {
                            batch::run(&core, batch).await;
                            drop(permit);
                        });
                    }
                });
                tx
            })
            .collect();
        Engine {
            core,
            lanes: Arc::new(senders),
            in_flight: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The payment provider orders are paid through.
    pub fn provider(&self) -> &Arc<dyn PaymentProvider> {
        &self.core.provider
    }

    /// Tells this node's engine that `skus` got stock back outside an order (a show's drop
    /// stock returned), so they are no longer refused as sold out. (Other nodes forget within
    /// [`EngineConfig::sold_out_ttl`].)
    pub fn restocked(&self, skus: impl IntoIterator<Item = Uuid>) {
        self.core.restocked(skus);
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.core.config
    }

    /// Places an order: reserves stock, takes payment, confirms — or says why not
    /// (`SoldOut`, `LimitReached`, `PaymentDeclined`, `Validation`, `RateLimited`...).
    /// With a key, a retry of the same request gets the first answer; the same key with a
    /// different request is refused with `IdempotencyKeyReused`.
    pub async fn place(&self, request: OrderRequest, key: Option<IdempotencyKey>) -> Placement {
        let Some(key) = key else {
            if self.sold_out(&request) {
                return Err(AppError::SoldOut);
            }
            return self.enqueue(request, None).await;
        };
        // A retry while the first request still runs on this node waits for its answer.
        let joined = {
            let mut in_flight = self.in_flight.lock().expect("in-flight map poisoned");
            match in_flight.get(&key) {
                Some(running) if running.fingerprint != request.fingerprint => {
                    return Err(AppError::IdempotencyKeyReused);
                }
                Some(running) => Some(running.answer.subscribe()),
                None => {
                    let (answer, _) = broadcast::channel(1);
                    in_flight.insert(
                        key.clone(),
                        InFlight {
                            fingerprint: request.fingerprint.clone(),
                            answer,
                        },
                    );
                    None
                }
            }
        };
        if let Some(mut answer) = joined {
            return answer.recv().await.unwrap_or(Err(AppError::Unavailable));
        }
        let leader = Leader {
            in_flight: &self.in_flight,
            key: Some(key.clone()),
        };
        let answer = if self.sold_out(&request) {
            // A retry of an order that was placed still gets its answer, so a keyed request
            // pays for one look-up before it is refused.
            match idempotency::stored_answer(&self.core.db, &key, &request.fingerprint).await {
                Ok(Some(answer)) => answer,
                Ok(None) => Err(AppError::SoldOut),
                Err(err) => Err(err),
            }
        } else {
            self.enqueue(request, Some(key)).await
        };
        leader.finish(&answer);
        answer
    }

    /// Whether a line's SKU is known to be sold out.
    fn sold_out(&self, request: &OrderRequest) -> bool {
        request
            .lines
            .iter()
            .any(|l| self.core.is_sold_out(l.sku_id, request.pool))
    }

    async fn enqueue(&self, request: OrderRequest, key: Option<IdempotencyKey>) -> Placement {
        let lane = &self.lanes[self.lane_of(&request)];
        let (reply, answer) = oneshot::channel();
        lane.try_send(Job {
            request,
            key,
            reply: Some(reply),
        })
        .map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => AppError::RateLimited {
                retry_after_secs: 1,
            },
            mpsc::error::TrySendError::Closed(_) => AppError::Unavailable,
        })?;
        answer.await.unwrap_or_else(|_| {
            Err(AppError::internal(
                "checkout lane dropped a request unanswered",
            ))
        })
    }

    /// Buyers of one SKU always meet in one lane (so they batch together): the lane is chosen
    /// by the order's smallest SKU id.
    fn lane_of(&self, request: &OrderRequest) -> usize {
        let sku = request.lines.iter().map(|l| l.sku_id).min();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sku.hash(&mut hasher);
        (hasher.finish() % self.lanes.len() as u64) as usize
    }

    /// Runs the engine's chores: expiry of unpaid reservations, capture of authorised
    /// payments, confirmation mail; see [`super::maintenance`]. Answers how many orders
    /// expired.
    pub async fn maintain(&self) -> Result<usize, AppError> {
        super::maintenance::run_once(&self.core).await
    }

    /// Deletes idempotency records past their keeping time; answers how many.
    pub async fn purge_idempotency_records(&self) -> Result<u64, AppError> {
        super::maintenance::purge(&self.core).await
    }
}
