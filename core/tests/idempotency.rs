//! The idempotency guard's bookkeeping: claim, complete, release, expiry on an injected clock,
//! the bound, and one winner among concurrent claims.

#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::error::Error as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use qonto_webhooks::Scheme;
use qonto_webhooks::idempotency::{
    Claim, ClaimState, DEFAULT_LEASE, DEFAULT_MAX_ENTRIES, DEFAULT_TTL, Guard, MemoryStore, Store,
    StoreError, key,
};

const LEASE: Duration = Duration::from_secs(60);
const TTL: Duration = Duration::from_secs(3600);

/// A clock the test moves by hand, in milliseconds.
#[derive(Clone, Default)]
struct TestClock(Arc<AtomicU64>);

impl TestClock {
    fn set(&self, d: Duration) {
        self.0
            .store(u64::try_from(d.as_millis()).unwrap(), Ordering::SeqCst);
    }

    fn store(&self, max_entries: usize) -> MemoryStore {
        let time = Arc::clone(&self.0);
        MemoryStore::with_clock(max_entries, move || {
            Duration::from_millis(time.load(Ordering::SeqCst))
        })
    }
}

fn state(store: &impl Store, key: &str) -> ClaimState {
    store.claim(key, LEASE).unwrap().state
}

fn token(claim: &Claim) -> &str {
    assert_eq!(claim.state, ClaimState::Claimed);
    claim.token.as_deref().unwrap()
}

#[test]
fn the_defaults_are_those_of_every_binding() {
    assert_eq!(DEFAULT_LEASE, Duration::from_secs(60));
    assert_eq!(DEFAULT_TTL, Duration::from_secs(604_800));
    assert_eq!(DEFAULT_MAX_ENTRIES, 100_000);
    let guard = Guard::default();
    assert_eq!(
        (guard.lease(), guard.ttl()),
        (Duration::from_secs(60), Duration::from_secs(604_800))
    );
    assert_eq!(guard.store().max_entries(), 100_000);
    assert_eq!(MemoryStore::default().max_entries(), 100_000);
    let debug = format!("{:?}", MemoryStore::with_max_entries(7));
    assert!(
        debug.contains("MemoryStore") && debug.contains("7"),
        "{debug}"
    );
}

#[test]
fn keys_and_state_names() {
    assert_eq!(key(Scheme::Business, "e-1"), "business:e-1");
    assert_eq!(key(Scheme::Onboarding, "e-1"), "onboarding:e-1");
    assert_eq!(ClaimState::Claimed.as_str(), "claimed");
    assert_eq!(ClaimState::Processing.as_str(), "processing");
    assert_eq!(ClaimState::Done.as_str(), "done");
}

#[test]
fn store_errors_say_the_store_is_unavailable_and_keep_their_cause() {
    let cause = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "redis is down");
    let err = StoreError::new(cause);
    assert_eq!(err.code(), "idempotency_store_unavailable");
    assert_eq!(
        err.to_string(),
        "the idempotency store is unavailable: redis is down"
    );
    assert_eq!(err.source().unwrap().to_string(), "redis is down");
}

#[test]
fn claim_then_claim_is_processing() {
    let store = MemoryStore::new();
    let first = store.claim("business:a", LEASE).unwrap();
    assert!(!token(&first).is_empty());
    assert_eq!(
        store.claim("business:a", LEASE).unwrap(),
        Claim::lost(ClaimState::Processing)
    );
    // Another key is independent.
    assert_eq!(state(&store, "business:b"), ClaimState::Claimed);
}

#[test]
fn complete_makes_it_done_and_release_makes_it_claimable() {
    let store = MemoryStore::new();
    let claim = store.claim("k1", LEASE).unwrap();
    store.complete("k1", token(&claim), TTL).unwrap();
    assert_eq!(
        store.claim("k1", LEASE).unwrap(),
        Claim::lost(ClaimState::Done)
    );
    // A done entry is nobody's claim any more: releasing it with the old token does nothing.
    store.release("k1", token(&claim)).unwrap();
    assert_eq!(state(&store, "k1"), ClaimState::Done);

    let claim = store.claim("k2", LEASE).unwrap();
    store.release("k2", token(&claim)).unwrap();
    let again = store.claim("k2", LEASE).unwrap();
    assert_ne!(token(&again), token(&claim), "a fresh token per claim");
}

#[test]
fn another_token_changes_nothing() {
    let store = MemoryStore::new();
    let mine = store.claim("k", LEASE).unwrap();
    let other = store.claim("other", LEASE).unwrap();
    store.complete("k", token(&other), TTL).unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Processing);
    store.release("k", token(&other)).unwrap();
    store.release("k", "").unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Processing);
    // Operations on absent keys are no-ops too.
    store.complete("absent", token(&mine), TTL).unwrap();
    store.release("absent", token(&mine)).unwrap();
    assert_eq!(state(&store, "absent"), ClaimState::Claimed);
    store.complete("k", token(&mine), TTL).unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Done);
}

#[test]
fn the_lease_expires_and_the_old_claim_is_no_longer_ours() {
    let clock = TestClock::default();
    let store = clock.store(10);
    let first = store.claim("k", Duration::from_secs(10)).unwrap();
    clock.set(Duration::from_millis(9_999));
    assert_eq!(state(&store, "k"), ClaimState::Processing);
    // Exactly at the end of the lease, the entry has expired.
    clock.set(Duration::from_secs(10));
    let second = store.claim("k", LEASE).unwrap();
    assert_ne!(token(&second), token(&first));
    // The first handler finishes late: its token no longer holds the claim.
    store.complete("k", token(&first), TTL).unwrap();
    store.release("k", token(&first)).unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Processing);
    store.complete("k", token(&second), TTL).unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Done);
}

#[test]
fn completing_after_the_lease_ran_out_does_nothing() {
    let clock = TestClock::default();
    let store = clock.store(10);
    let claim = store.claim("k", Duration::from_secs(10)).unwrap();
    clock.set(Duration::from_secs(10));
    store.complete("k", token(&claim), TTL).unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Claimed);
}

#[test]
fn done_lasts_the_ttl_from_completion() {
    let clock = TestClock::default();
    let store = clock.store(10);
    let claim = store.claim("k", Duration::from_secs(10)).unwrap();
    clock.set(Duration::from_secs(5));
    store.complete("k", token(&claim), TTL).unwrap();
    // Past the lease, within the TTL counted from completion.
    clock.set(Duration::from_secs(5) + TTL - Duration::from_millis(1));
    assert_eq!(state(&store, "k"), ClaimState::Done);
    clock.set(Duration::from_secs(5) + TTL);
    assert_eq!(state(&store, "k"), ClaimState::Claimed);
}

#[test]
fn a_huge_lease_or_ttl_saturates() {
    let clock = TestClock::default();
    let store = clock.store(10);
    let claim = store.claim("k", Duration::MAX).unwrap();
    clock.set(Duration::from_secs(1 << 40));
    assert_eq!(state(&store, "k"), ClaimState::Processing);
    store.complete("k", token(&claim), Duration::MAX).unwrap();
    assert_eq!(state(&store, "k"), ClaimState::Done);
}

#[test]
fn when_full_the_oldest_entry_goes() {
    let store = TestClock::default().store(2);
    assert_eq!(store.max_entries(), 2);
    let a = store.claim("a", LEASE).unwrap();
    store.complete("a", token(&a), TTL).unwrap();
    let _b = store.claim("b", LEASE).unwrap();
    // Full (2): claiming c evicts a, the oldest, done or not.
    let _c = store.claim("c", LEASE).unwrap();
    assert_eq!(state(&store, "b"), ClaimState::Processing);
    assert_eq!(state(&store, "c"), ClaimState::Processing);
    // An evicted id is processed again (and claiming it evicts b).
    assert_eq!(state(&store, "a"), ClaimState::Claimed);
    assert_eq!(state(&store, "c"), ClaimState::Processing);
    assert_eq!(state(&store, "b"), ClaimState::Claimed);
}

#[test]
fn when_full_expired_entries_go_before_the_oldest() {
    let clock = TestClock::default();
    let store = clock.store(2);
    store.claim("old", LEASE).unwrap();
    store.claim("short", Duration::from_secs(1)).unwrap();
    // "short" expires exactly now: it goes, and "old", the oldest, stays.
    clock.set(Duration::from_secs(1));
    store.claim("new", LEASE).unwrap();
    assert_eq!(state(&store, "old"), ClaimState::Processing);
    assert_eq!(state(&store, "new"), ClaimState::Processing);
}

#[test]
fn an_entry_completed_with_a_short_ttl_goes_before_the_oldest() {
    let clock = TestClock::default();
    let store = clock.store(2);
    store.claim("a", LEASE).unwrap();
    store.claim("b", LEASE).unwrap();
    // Full, nothing expired: a, the oldest, goes.
    let c = store.claim("c", LEASE).unwrap();
    // Completed with a TTL shorter than the lease, c now expires first.
    store
        .complete("c", token(&c), Duration::from_secs(1))
        .unwrap();
    clock.set(Duration::from_secs(1));
    store.claim("d", LEASE).unwrap();
    // c expired and went; b, the oldest, stayed.
    assert_eq!(state(&store, "b"), ClaimState::Processing);
    assert_eq!(state(&store, "d"), ClaimState::Processing);
}

#[test]
fn an_entry_claimed_with_a_short_lease_goes_before_the_oldest() {
    let clock = TestClock::default();
    let store = clock.store(2);
    store.claim("a", LEASE).unwrap();
    store.claim("b", LEASE).unwrap();
    // Full, nothing expired: a, the oldest, goes; c expires first.
    store.claim("c", Duration::from_secs(1)).unwrap();
    clock.set(Duration::from_secs(1));
    store.claim("d", LEASE).unwrap();
    assert_eq!(state(&store, "b"), ClaimState::Processing);
    assert_eq!(state(&store, "d"), ClaimState::Processing);
}

#[test]
fn a_completed_entry_outlives_its_lease_when_room_is_made() {
    let clock = TestClock::default();
    let store = clock.store(2);
    store.claim("b", LEASE).unwrap();
    let a = store.claim("a", Duration::from_secs(10)).unwrap();
    store.complete("a", token(&a), TTL).unwrap();
    // At the end of a's lease it is done, not expired: full, so b, the oldest, goes.
    clock.set(Duration::from_secs(10));
    store.claim("c", LEASE).unwrap();
    assert_eq!(state(&store, "a"), ClaimState::Done);
    assert_eq!(state(&store, "b"), ClaimState::Claimed);
}

#[test]
fn a_reclaimed_key_is_inserted_anew() {
    // "a" expires and is claimed again: it is then the newest, so "b" is the one evicted.
    let clock = TestClock::default();
    let store = clock.store(2);
    store.claim("a", Duration::from_secs(1)).unwrap();
    store.claim("b", LEASE).unwrap();
    clock.set(Duration::from_secs(1));
    assert_eq!(state(&store, "a"), ClaimState::Claimed);
    store.claim("c", LEASE).unwrap();
    assert_eq!(state(&store, "a"), ClaimState::Processing);
    assert_eq!(state(&store, "c"), ClaimState::Processing);
    assert_eq!(state(&store, "b"), ClaimState::Claimed);
}

#[test]
fn a_store_of_zero_entries_still_keeps_the_claim_just_made() {
    let store = TestClock::default().store(0);
    store.claim("a", LEASE).unwrap();
    assert_eq!(state(&store, "a"), ClaimState::Processing);
    store.claim("b", LEASE).unwrap();
    assert_eq!(state(&store, "a"), ClaimState::Claimed);
}

#[test]
fn a_released_entry_leaves_the_eviction_order() {
    // Released "a" must not be evicted later in place of a newer entry of the same key.
    let store = TestClock::default().store(2);
    let a = store.claim("a", LEASE).unwrap();
    store.release("a", token(&a)).unwrap();
    store.claim("b", LEASE).unwrap();
    store.claim("a", LEASE).unwrap();
    store.claim("c", LEASE).unwrap(); // full: evicts b, the oldest
    assert_eq!(state(&store, "a"), ClaimState::Processing);
    assert_eq!(state(&store, "b"), ClaimState::Claimed);
}

#[test]
fn the_default_clock_moves() {
    let store = MemoryStore::new();
    store.claim("k", Duration::from_millis(1)).unwrap();
    // Monotonic: 20 ms later, the 1 ms lease is over, however busy the machine.
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(state(&store, "k"), ClaimState::Claimed);
}

#[test]
fn the_guard_keys_by_scheme_and_uses_its_lease_and_ttl() {
    let clock = TestClock::default();
    let guard = Guard::new(clock.store(10))
        .with_lease(Duration::from_secs(5))
        .with_ttl(Duration::from_secs(50));
    assert_eq!(
        (guard.lease(), guard.ttl()),
        (Duration::from_secs(5), Duration::from_secs(50))
    );
    let claim = guard.claim(Scheme::Business, "e1").unwrap();
    // The store holds it under its key.
    assert_eq!(state(guard.store(), "business:e1"), ClaimState::Processing);
    // Business and onboarding ids live in different key spaces.
    assert_eq!(
        guard.claim(Scheme::Onboarding, "e1").unwrap().state,
        ClaimState::Claimed
    );
    // The guard's lease: over at 5 s.
    clock.set(Duration::from_millis(4_999));
    assert_eq!(
        guard.claim(Scheme::Business, "e1").unwrap().state,
        ClaimState::Processing
    );
    guard
        .complete(Scheme::Business, "e1", token(&claim))
        .unwrap();
    // The guard's TTL: 50 s from completion.
    clock.set(Duration::from_millis(4_999 + 49_999));
    assert_eq!(
        guard.claim(Scheme::Business, "e1").unwrap().state,
        ClaimState::Done
    );
    clock.set(Duration::from_millis(4_999 + 50_000));
    let again = guard.claim(Scheme::Business, "e1").unwrap();
    guard
        .release(Scheme::Business, "e1", token(&again))
        .unwrap();
    assert_eq!(state(guard.store(), "business:e1"), ClaimState::Claimed);
}

#[test]
fn of_concurrent_claims_exactly_one_wins() {
    const THREADS: usize = 32;
    for round in 0..20 {
        let guard = Arc::new(Guard::new(MemoryStore::new()));
        let barrier = Arc::new(Barrier::new(THREADS));
        let id = format!("evt-{round}");
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (guard, barrier, id) = (Arc::clone(&guard), Arc::clone(&barrier), id.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    guard.claim(Scheme::Business, &id).unwrap()
                })
            })
            .collect();
        let claims: Vec<Claim> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let won: Vec<&Claim> = claims
            .iter()
            .filter(|c| c.state == ClaimState::Claimed)
            .collect();
        assert_eq!(won.len(), 1, "round {round}: {claims:?}");
        assert!(won[0].token.is_some());
        assert!(
            claims
                .iter()
                .filter(|c| c.state != ClaimState::Claimed)
                .all(|c| *c == Claim::lost(ClaimState::Processing)),
            "{claims:?}"
        );
    }
}
