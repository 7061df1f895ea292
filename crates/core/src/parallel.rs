//! Order-preserving parallel map over a slice, and two computations at once, on scoped threads
//! (no pool, no dependency).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Items below which a map stays on the calling thread: spawning costs more than it saves.
const MIN_PARALLEL: usize = 64;

/// `items.iter().map(f).collect()`, computed on up to [`std::thread::available_parallelism`]
/// scoped threads over contiguous chunks; the results are in the items' order, so the output
/// is the same as a serial map's. Small inputs (and one-core machines) stay serial.
pub fn map<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync) -> Vec<R> {
    map_with(items, MIN_PARALLEL, f)
}

/// [`map`] with a threshold: parallel from `min` items (1 for a few heavy items such as stacks).
pub fn map_with<'a, T: Sync, R: Send>(
    items: &'a [T],
    min: usize,
    f: impl Fn(&'a T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads < 2 || items.len() < min.max(2) {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let mut chunks = items.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        let handles: Vec<_> = chunks
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(items.len());
        out.extend(first.iter().map(f));
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// `(a(), b())`, with `a` on a scoped thread of its own while `b` runs on this one (a panic in
/// either is this thread's panic).
pub fn join<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let apart = s.spawn(a);
        let here = b();
        match apart.join() {
            Ok(apart) => (apart, here),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// [`map_with`] over mutable items: `f` may take what it no longer needs out of each item (a
/// rendered stack's object bodies, say), so memory is released as the map goes rather than
/// at its end.
pub fn map_mut_with<T: Send, R: Send>(
    items: &mut [T],
    min: usize,
    f: impl Fn(&mut T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads < 2 || items.len() < min.max(2) {
        return items.iter_mut().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    let len = items.len();
    std::thread::scope(|s| {
        let mut chunks = items.chunks_mut(chunk);
        let first = chunks.next().unwrap_or_default();
        let handles: Vec<_> = chunks
            .map(|c| s.spawn(move || c.iter_mut().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(len);
        out.extend(first.iter_mut().map(f));
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// Maps the items with `f` and hands each result to `consume`, in the items' order, while
/// `beside` runs: `beside` on this thread while the other cores take the items one at a
/// time, then this thread takes items too, handing on each result whose turn has come (what
/// the others finished while `beside` ran first; then each as it comes, so that a large
/// file's pieces are joined as they are written, not all held at once). For
/// work of two kinds whose sizes are not known in advance (one stack's Terraform JSON in
/// pieces, beside its diagram): neither core waits while the other still has items. On one
/// core (or with one item) all runs here, `beside` first. Returns what `beside` returned.
pub fn for_each_beside<'a, T: Sync, R: Send, B>(
    items: &'a [T],
    f: impl Fn(&'a T) -> R + Sync,
    beside: impl FnOnce() -> B,
    mut consume: impl FnMut(R),
) -> B {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads < 2 || items.len() < 2 {
        let beside = beside();
        items.iter().map(&f).for_each(consume);
        return beside;
    }
    let next = AtomicUsize::new(0);
    // Results not yet handed on, by place.
    let done: Mutex<Vec<Option<R>>> =
        Mutex::new(std::iter::repeat_with(|| None).take(items.len()).collect());
    // Takes the next item not yet taken, if any, and keeps its result in its place.
    let take = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let item = items.get(i);
        if let Some(item) = item {
            let r = f(item);
            if let Some(slot) = lock(&done).get_mut(i) {
                *slot = Some(r);
            }
        }
        item.is_some()
    };
    std::thread::scope(|s| {
        // No more helpers than items this thread does not take.
        let helpers = threads.min(items.len()).saturating_sub(1);
        let handles: Vec<_> = (0..helpers).map(|_| s.spawn(|| while take() {})).collect();
        let beside = beside();
        // Hands on, in order, the results ready from the `handed`th on.
        let mut handed = 0_usize;
        let mut hand_ready = || {
            // Taken under the lock, handed on without it.
            while let Some(r) = take_ready(&done, handed) {
                consume(r);
                handed = handed.saturating_add(1);
            }
        };
        loop {
            hand_ready();
            if !take() {
                break;
            }
        }
        for h in handles {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        hand_ready();
        beside
    })
}

/// The result at `i`, if it is ready, taken out (the lock is let go before it is used).
fn take_ready<R>(done: &Mutex<Vec<Option<R>>>, i: usize) -> Option<R> {
    lock(done).get_mut(i).and_then(Option::take)
}

/// The lock's value, also after a panic elsewhere (the panic is the one reported).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_a_serial_map() {
        let items: Vec<u64> = (0..1000).collect();
        let serial: Vec<u64> = items.iter().map(|i| i * i).collect();
        assert_eq!(super::map(&items, |i| i * i), serial);
        assert_eq!(super::map_with(&items[..3], 1, |i| i * i), serial[..3]);
        assert!(super::map(&items[..0], |i| i * i).is_empty());
        let mut owned = items.clone();
        let doubled: Vec<u64> = items.iter().map(|i| i * 2).collect();
        assert_eq!(
            super::map_mut_with(&mut owned, 64, |i| std::mem::take(i) * 2),
            doubled
        );
        assert!(owned.iter().all(|i| *i == 0));
        assert_eq!(super::join(|| 2 + 2, || "four"), (4, "four"));
        for n in [0, 1, 2, 1000] {
            let mut squares = Vec::new();
            let four =
                super::for_each_beside(&items[..n], |i| i * i, || "four", |r| squares.push(r));
            assert_eq!((squares.as_slice(), four), (&serial[..n], "four"));
        }
    }
}
