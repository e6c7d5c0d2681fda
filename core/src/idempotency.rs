//! Process each webhook once: an idempotency guard on the event's `id` (feature `std`).
//!
//! Qonto retries a delivery until it gets a 2xx within 1 s, for days, so one event arrives more
//! than once; and an onboarding webhook has no timestamp, so a captured one verifies forever.
//! Remembering the ids already processed is the defence against both. The guard runs **after**
//! the signature check: an unverified body never touches the store.
//!
//! The bookkeeping, for one event, keyed `"<scheme>:<id>"` ([`key`]):
//!
//! 1. [`Guard::claim`]: the first delivery gets [`ClaimState::Claimed`] and a token; the event is
//!    *processing* for the lease (60 s by default). A delivery that arrives meanwhile gets
//!    [`ClaimState::Processing`] (answer it 409 with `Retry-After`: if the first attempt fails,
//!    Qonto's retry must still be processed, so it must not be acknowledged), and one after
//!    success gets [`ClaimState::Done`] (answer it 200 `{"duplicate": true, "id": ..}`).
//! 2. The handler succeeded: [`Guard::complete`]; the event is *done* for the TTL (7 days by
//!    default, longer than Qonto's retries).
//! 3. The handler failed: [`Guard::release`]; the entry is gone and the next delivery is
//!    processed.
//!
//! ```
//! use qonto_webhooks::Scheme;
//! use qonto_webhooks::idempotency::{ClaimState, Guard, MemoryStore};
//!
//! let guard = Guard::new(MemoryStore::new());
//! // After verifying the signature and reading the event's id:
//! let claim = guard.claim(Scheme::Business, "0196a1b2")?;
//! assert_eq!(claim.state, ClaimState::Claimed);
//! let token = claim.token.as_deref().unwrap_or_default();
//! // ... handle the event (or put it on your queue), then:
//! guard.complete(Scheme::Business, "0196a1b2", token)?;
//!
//! // Qonto's retry of the same event: not processed again.
//! assert_eq!(guard.claim(Scheme::Business, "0196a1b2")?.state, ClaimState::Done);
//! // The same id under the other scheme is another event.
//! assert_eq!(guard.claim(Scheme::Onboarding, "0196a1b2")?.state, ClaimState::Claimed);
//! # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
//! ```
//!
//! With your own queue: claim, enqueue, complete once the event is enqueued (release if enqueuing
//! failed). [`MemoryStore`] serves one process; for several, implement [`Store`] over a shared
//! database (with Redis: `SET key "processing:<token>" NX PX <lease ms>` to claim, `GET` to tell
//! *processing* from *done*, and Lua scripts that compare the value with `processing:<token>`
//! before setting `done` with `PX <ttl ms>` or deleting it).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::error::Error as StdError;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::Scheme;

/// How long a claimed event stays *processing* when its handler neither completes nor releases
/// it (a crash): 60 s. Then another delivery may claim it.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// How long a processed event is remembered: 7 days, longer than Qonto's retries ("a few
/// days" for business webhooks, about 2 days for onboarding ones).
pub const DEFAULT_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// The most entries a [`MemoryStore`] holds by default: 100 000.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// The store key of an event: `"<scheme>:<id>"`, so that business and onboarding ids live in
/// different key spaces. `scheme` is the one that verified the webhook; `id` is the body's
/// top-level string `id`.
///
/// ```
/// use qonto_webhooks::{Scheme, idempotency::key};
/// assert_eq!(key(Scheme::Business, "0196a1b2"), "business:0196a1b2");
/// assert_eq!(key(Scheme::Onboarding, "75341dcb"), "onboarding:75341dcb");
/// ```
pub fn key(scheme: Scheme, id: &str) -> String {
    format!("{}:{id}", scheme.as_str())
}

/// What a claim found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimState {
    /// The event was new (or its entry had expired): it is ours to process, with the
    /// [`Claim::token`].
    Claimed,
    /// Another delivery claimed it and has neither completed nor released it, within its lease.
    Processing,
    /// It was processed (completed) within the TTL: a duplicate.
    Done,
}

impl ClaimState {
    /// `"claimed"`, `"processing"` or `"done"`: the spelling every binding uses.
    ///
    /// ```
    /// use qonto_webhooks::idempotency::ClaimState;
    /// assert_eq!(ClaimState::Processing.as_str(), "processing");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimState::Claimed => "claimed",
            ClaimState::Processing => "processing",
            ClaimState::Done => "done",
        }
    }
}

/// The answer to [`Store::claim`]: the state, and the token when claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// What the claim found.
    pub state: ClaimState,
    /// The claim's token, to pass to [`Store::complete`] or [`Store::release`]: `Some` exactly
    /// when the state is [`ClaimState::Claimed`].
    pub token: Option<String>,
}

impl Claim {
    /// A successful claim holding `token`.
    ///
    /// ```
    /// use qonto_webhooks::idempotency::{Claim, ClaimState};
    /// let claim = Claim::claimed("t1".into());
    /// assert_eq!((claim.state, claim.token.as_deref()), (ClaimState::Claimed, Some("t1")));
    /// ```
    pub fn claimed(token: String) -> Claim {
        Claim {
            state: ClaimState::Claimed,
            token: Some(token),
        }
    }

    /// A claim that lost: the event is `state` ([`ClaimState::Processing`] or
    /// [`ClaimState::Done`]) and there is no token.
    ///
    /// ```
    /// use qonto_webhooks::idempotency::{Claim, ClaimState};
    /// assert_eq!(Claim::lost(ClaimState::Done).token, None);
    /// ```
    pub fn lost(state: ClaimState) -> Claim {
        Claim { state, token: None }
    }
}

/// A store that cannot answer (a database that is down). The HTTP answer is 503
/// `idempotency_store_unavailable`, without calling the handler: never run the handler without
/// the guard that was asked for.
#[derive(Debug)]
pub struct StoreError {
    source: Box<dyn StdError + Send + Sync>,
}

impl StoreError {
    /// Wraps the store's own error (or a message).
    ///
    /// ```
    /// use qonto_webhooks::idempotency::StoreError;
    /// let err = StoreError::new("connection refused");
    /// assert_eq!(err.code(), "idempotency_store_unavailable");
    /// assert_eq!(err.to_string(), "the idempotency store is unavailable: connection refused");
    /// ```
    pub fn new(source: impl Into<Box<dyn StdError + Send + Sync>>) -> StoreError {
        StoreError {
            source: source.into(),
        }
    }

    /// `"idempotency_store_unavailable"`: the stable code every binding uses.
    pub const fn code(&self) -> &'static str {
        "idempotency_store_unavailable"
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the idempotency store is unavailable: {}", self.source)
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// Where claims are kept: three atomic operations on a key.
///
/// Implement it over a shared database to deduplicate across processes; [`MemoryStore`] is the
/// one-process implementation.
///
/// ```
/// use std::time::Duration;
/// use qonto_webhooks::idempotency::{ClaimState, MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// let claim = store.claim("business:e1", Duration::from_secs(60))?;
/// let token = claim.token.unwrap_or_default();
/// store.release("business:e1", &token)?; // the handler failed: the next delivery may claim
/// assert_eq!(store.claim("business:e1", Duration::from_secs(60))?.state, ClaimState::Claimed);
/// # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
/// ```
pub trait Store: Send + Sync {
    /// Atomically: when `key` is absent (or its entry expired), records it *processing* until
    /// now + `lease` with a fresh token and answers [`ClaimState::Claimed`]; otherwise answers
    /// what the live entry is. Of concurrent claims, exactly one wins.
    ///
    /// # Errors
    /// The store could not answer.
    fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError>;

    /// The handler succeeded: the entry becomes *done* until now + `ttl`, if it is still the
    /// claim holding `token`; otherwise nothing happens.
    ///
    /// # Errors
    /// The store could not answer.
    fn complete(&self, key: &str, token: &str, ttl: Duration) -> Result<(), StoreError>;

    /// The handler failed: the entry is deleted if it is still the claim holding `token` (so that
    /// Qonto's retry is processed); otherwise nothing happens.
    ///
    /// # Errors
    /// The store could not answer.
    fn release(&self, key: &str, token: &str) -> Result<(), StoreError>;
}

/// The time a [`MemoryStore`] reads, as a duration since any fixed origin; it must not go
/// backwards. Any `Fn() -> Duration + Send + Sync` is a clock, which is how tests move time.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::time::Duration;
/// use qonto_webhooks::idempotency::{ClaimState, MemoryStore, Store};
///
/// let secs = Arc::new(AtomicU64::new(0));
/// let time = Arc::clone(&secs);
/// let store = MemoryStore::with_clock(10, move || Duration::from_secs(time.load(Ordering::SeqCst)));
/// store.claim("k", Duration::from_secs(60))?;
/// secs.store(60, Ordering::SeqCst); // the lease has run out: a crashed handler's claim is free
/// assert_eq!(store.claim("k", Duration::from_secs(60))?.state, ClaimState::Claimed);
/// # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
/// ```
pub trait Clock: Send + Sync {
    /// The current time, since the clock's origin.
    fn now(&self) -> Duration;
}

impl<F: Fn() -> Duration + Send + Sync> Clock for F {
    fn now(&self) -> Duration {
        self()
    }
}

/// What a key holds.
#[derive(Debug)]
enum Status {
    /// Claimed with this token.
    Processing(String),
    Done,
}

#[derive(Debug)]
struct Entry {
    status: Status,
    /// Live while the clock is before this.
    expires: Duration,
    /// Insertion order, for eviction.
    seq: u64,
}

impl Entry {
    fn live(&self, now: Duration) -> bool {
        now < self.expires
    }

    fn held_by(&self, token: &str) -> bool {
        matches!(&self.status, Status::Processing(t) if t == token)
    }
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, Entry>,
    /// Insertion sequence -> key: the oldest entry first.
    order: BTreeMap<u64, String>,
    /// (expiry, insertion sequence) of every entry: the first to expire first.
    by_expiry: BTreeSet<(Duration, u64)>,
    /// The next insertion sequence; also the token counter.
    next: u64,
}

impl Entries {
    fn insert(&mut self, key: &str, entry: Entry) {
        self.order.insert(entry.seq, key.to_owned());
        self.by_expiry.insert((entry.expires, entry.seq));
        self.by_key.insert(key.to_owned(), entry);
    }

    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.by_key.remove(key) {
            self.order.remove(&entry.seq);
            self.by_expiry.remove(&(entry.expires, entry.seq));
        }
    }

    /// Makes room for one more entry: expired entries go first, then the oldest.
    fn make_room(&mut self, max_entries: usize, now: Duration) {
        if self.by_key.len() >= max_entries {
            self.evict(max_entries, now);
        }
    }

    fn evict(&mut self, max_entries: usize, now: Duration) {
        // Each step pops an index entry, so these loops end whatever the indexes hold.
        while let Some((expires, seq)) = self.by_expiry.pop_first() {
            if now < expires {
                self.by_expiry.insert((expires, seq));
                break;
            }
            if let Some(key) = self.order.remove(&seq) {
                self.by_key.remove(&key);
            }
        }
        while self.by_key.len() >= max_entries {
            let Some((seq, key)) = self.order.pop_first() else {
                break;
            };
            if let Some(entry) = self.by_key.remove(&key) {
                self.by_expiry.remove(&(entry.expires, seq));
            }
        }
    }
}

/// The default [`Store`]: in memory, for one process. Thread-safe (one lock) and bounded: when
/// it holds `max_entries`, expired entries go first, then the oldest ones (in insertion order).
/// **An evicted id can be processed again**, as can every id after a restart: size it above the
/// events you receive in a TTL (100 000 by default), or use a shared database.
///
/// Expiry is checked lazily, when a key is used or room is made; the entries are indexed by
/// insertion and by expiry, so every operation costs O(log n), full or not. Tokens are a
/// counter (unique within the store) mixed with the process's random hash keys (`std`'s
/// `RandomState`): they never leave the process, so they need no more randomness than that.
///
/// ```
/// use std::time::Duration;
/// use qonto_webhooks::idempotency::{ClaimState, MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// let lease = Duration::from_secs(60);
/// let first = store.claim("business:e1", lease)?;
/// assert_eq!(first.state, ClaimState::Claimed);
/// assert_eq!(store.claim("business:e1", lease)?.state, ClaimState::Processing);
/// store.complete("business:e1", first.token.as_deref().unwrap_or_default(), Duration::from_secs(3600))?;
/// assert_eq!(store.claim("business:e1", lease)?.state, ClaimState::Done);
/// # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
/// ```
pub struct MemoryStore {
    entries: Mutex<Entries>,
    max_entries: usize,
    clock: Box<dyn Clock>,
    /// Mixed into every token.
    seed: u64,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// A store of at most [`DEFAULT_MAX_ENTRIES`] entries, on the monotonic clock.
    ///
    /// ```
    /// use qonto_webhooks::idempotency::MemoryStore;
    /// assert_eq!(MemoryStore::new().max_entries(), 100_000);
    /// ```
    pub fn new() -> MemoryStore {
        MemoryStore::with_max_entries(DEFAULT_MAX_ENTRIES)
    }

    /// A store of at most `max_entries` entries, on the monotonic clock. The entry just claimed
    /// is always kept, even with `max_entries` 0.
    ///
    /// ```
    /// use qonto_webhooks::idempotency::MemoryStore;
    /// assert_eq!(MemoryStore::with_max_entries(1000).max_entries(), 1000);
    /// ```
    pub fn with_max_entries(max_entries: usize) -> MemoryStore {
        let origin = Instant::now();
        MemoryStore::with_clock(max_entries, move || origin.elapsed())
    }

    /// A store of at most `max_entries` entries that reads `clock` (for tests: see [`Clock`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use qonto_webhooks::idempotency::MemoryStore;
    /// let store = MemoryStore::with_clock(10, || Duration::from_secs(1_700_000_000));
    /// assert_eq!(store.max_entries(), 10);
    /// ```
    pub fn with_clock(max_entries: usize, clock: impl Clock + 'static) -> MemoryStore {
        MemoryStore {
            entries: Mutex::new(Entries::default()),
            max_entries,
            clock: Box::new(clock),
            seed: std::hash::RandomState::new().hash_one(max_entries),
        }
    }

    /// The bound given at construction.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The lock. Every operation leaves the map consistent before anything can panic, so a
    /// poisoned lock is taken as is.
    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::new()
    }
}

impl Store for MemoryStore {
    fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError> {
        let now = self.clock.now();
        let mut entries = self.entries();
        match entries.by_key.get(key) {
            Some(entry) if entry.live(now) => {
                let state = match entry.status {
                    Status::Processing(_) => ClaimState::Processing,
                    Status::Done => ClaimState::Done,
                };
                return Ok(Claim::lost(state));
            }
            Some(_) => entries.remove(key),
            None => {}
        }
        entries.make_room(self.max_entries, now);
        let seq = entries.next;
        entries.next = seq + 1;
        let token = format!("{:016x}{seq:016x}", self.seed);
        entries.insert(
            key,
            Entry {
                status: Status::Processing(token.clone()),
                expires: now.saturating_add(lease),
                seq,
            },
        );
        Ok(Claim::claimed(token))
    }

    fn complete(&self, key: &str, token: &str, ttl: Duration) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut entries = self.entries();
        let Some(entry) = entries.by_key.get_mut(key) else {
            return Ok(());
        };
        if entry.live(now) && entry.held_by(token) {
            let before = (entry.expires, entry.seq);
            entry.status = Status::Done;
            entry.expires = now.saturating_add(ttl);
            let after = (entry.expires, entry.seq);
            entries.by_expiry.remove(&before);
            entries.by_expiry.insert(after);
        }
        Ok(())
    }

    fn release(&self, key: &str, token: &str) -> Result<(), StoreError> {
        let mut entries = self.entries();
        if entries.by_key.get(key).is_some_and(|e| e.held_by(token)) {
            entries.remove(key);
        }
        Ok(())
    }
}

/// The guard: a [`Store`] with the lease and TTL, keyed by scheme and event id.
///
/// ```
/// use std::time::Duration;
/// use qonto_webhooks::idempotency::{Guard, MemoryStore};
///
/// let guard = Guard::new(MemoryStore::new()).with_lease(Duration::from_secs(30));
/// assert_eq!(guard.lease(), Duration::from_secs(30));
/// assert_eq!(guard.ttl(), Duration::from_secs(7 * 24 * 3600));
/// ```
#[derive(Debug)]
pub struct Guard<S = MemoryStore> {
    store: S,
    lease: Duration,
    ttl: Duration,
}

impl<S: Store> Guard<S> {
    /// A guard over `store`, with the [`DEFAULT_LEASE`] and the [`DEFAULT_TTL`].
    ///
    /// ```
    /// use qonto_webhooks::idempotency::{Guard, MemoryStore, DEFAULT_LEASE};
    /// assert_eq!(Guard::new(MemoryStore::new()).lease(), DEFAULT_LEASE);
    /// ```
    pub fn new(store: S) -> Guard<S> {
        Guard {
            store,
            lease: DEFAULT_LEASE,
            ttl: DEFAULT_TTL,
        }
    }

    /// The same guard with another lease: how long a claim stays *processing* without
    /// completing or releasing (longer than your handler takes; Qonto waits 1 s for an answer).
    ///
    /// ```
    /// use std::time::Duration;
    /// use qonto_webhooks::idempotency::{Guard, MemoryStore};
    /// let guard = Guard::new(MemoryStore::new()).with_lease(Duration::from_secs(5));
    /// assert_eq!(guard.lease().as_secs(), 5);
    /// ```
    #[must_use]
    pub fn with_lease(self, lease: Duration) -> Guard<S> {
        Guard { lease, ..self }
    }

    /// The same guard with another TTL: how long a processed event is remembered.
    ///
    /// ```
    /// use std::time::Duration;
    /// use qonto_webhooks::idempotency::{Guard, MemoryStore};
    /// let guard = Guard::new(MemoryStore::new()).with_ttl(Duration::from_secs(86_400));
    /// assert_eq!(guard.ttl().as_secs(), 86_400);
    /// ```
    #[must_use]
    pub fn with_ttl(self, ttl: Duration) -> Guard<S> {
        Guard { ttl, ..self }
    }

    /// The lease (also the `Retry-After` of a 409 `duplicate_in_progress`, in seconds).
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The TTL.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The store.
    ///
    /// ```
    /// use qonto_webhooks::idempotency::{Guard, MemoryStore};
    /// assert_eq!(Guard::new(MemoryStore::with_max_entries(5)).store().max_entries(), 5);
    /// ```
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Claims the event `id` verified under `scheme`, for the lease (see [`Store::claim`]).
    ///
    /// ```
    /// use qonto_webhooks::Scheme;
    /// use qonto_webhooks::idempotency::{ClaimState, Guard, MemoryStore};
    /// let guard = Guard::new(MemoryStore::new());
    /// assert_eq!(guard.claim(Scheme::Onboarding, "e1")?.state, ClaimState::Claimed);
    /// assert_eq!(guard.claim(Scheme::Onboarding, "e1")?.state, ClaimState::Processing);
    /// # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
    /// ```
    ///
    /// # Errors
    /// The store could not answer: do not call the handler.
    pub fn claim(&self, scheme: Scheme, id: &str) -> Result<Claim, StoreError> {
        self.store.claim(&key(scheme, id), self.lease)
    }

    /// The handler succeeded: the event is *done* for the TTL (see [`Store::complete`]).
    ///
    /// ```
    /// use qonto_webhooks::Scheme;
    /// use qonto_webhooks::idempotency::{ClaimState, Guard, MemoryStore};
    /// let guard = Guard::new(MemoryStore::new());
    /// let token = guard.claim(Scheme::Business, "e1")?.token.unwrap_or_default();
    /// guard.complete(Scheme::Business, "e1", &token)?;
    /// assert_eq!(guard.claim(Scheme::Business, "e1")?.state, ClaimState::Done);
    /// # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
    /// ```
    ///
    /// # Errors
    /// The store could not answer.
    pub fn complete(&self, scheme: Scheme, id: &str, token: &str) -> Result<(), StoreError> {
        self.store.complete(&key(scheme, id), token, self.ttl)
    }

    /// The handler failed: the claim is dropped, so that the next delivery is processed (see
    /// [`Store::release`]).
    ///
    /// ```
    /// use qonto_webhooks::Scheme;
    /// use qonto_webhooks::idempotency::{ClaimState, Guard, MemoryStore};
    /// let guard = Guard::new(MemoryStore::new());
    /// let token = guard.claim(Scheme::Business, "e1")?.token.unwrap_or_default();
    /// guard.release(Scheme::Business, "e1", &token)?;
    /// assert_eq!(guard.claim(Scheme::Business, "e1")?.state, ClaimState::Claimed);
    /// # Ok::<(), qonto_webhooks::idempotency::StoreError>(())
    /// ```
    ///
    /// # Errors
    /// The store could not answer.
    pub fn release(&self, scheme: Scheme, id: &str, token: &str) -> Result<(), StoreError> {
        self.store.release(&key(scheme, id), token)
    }
}

impl Default for Guard<MemoryStore> {
    fn default() -> Guard<MemoryStore> {
        Guard::new(MemoryStore::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three indexes hold the same entries after every kind of operation.
    #[test]
    fn the_indexes_agree() {
        let now = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let time = std::sync::Arc::clone(&now);
        let store = MemoryStore::with_clock(3, move || {
            Duration::from_secs(time.load(std::sync::atomic::Ordering::SeqCst))
        });
        let check = || {
            let entries = store.entries();
            let n = entries.by_key.len();
            assert_eq!((entries.order.len(), entries.by_expiry.len()), (n, n));
            for (key, entry) in &entries.by_key {
                assert_eq!(entries.order.get(&entry.seq), Some(key));
                assert!(entries.by_expiry.contains(&(entry.expires, entry.seq)));
            }
        };
        let lease = Duration::from_secs(10);
        for round in 0..4u64 {
            for key in ["a", "b", "c", "d", "e"] {
                let claim = store.claim(key, lease).unwrap();
                check();
                if let Some(token) = claim.token {
                    if key < "c" {
                        store.complete(key, &token, Duration::from_secs(5)).unwrap();
                    } else if key == "c" {
                        store.release(key, &token).unwrap();
                    }
                    check();
                }
            }
            now.store(round * 7, std::sync::atomic::Ordering::SeqCst);
        }
    }
}
