//! Order-preserving parallel map over a slice, and two computations at once, on scoped threads
//! (no pool, no dependency).

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

/// `(items mapped by f, beside())`: `beside` runs on this thread while the other cores map
/// the items, one at a time in the items' order, and this thread then helps them with what is
/// left; the results are in the items' order. For work of two kinds whose sizes are not known
/// in advance (one stack's Terraform JSON in pieces, beside its diagram): neither core waits
/// while the other still has items. On one core (or with one item) all runs here, `beside`
/// first.
pub fn map_beside<'a, T: Sync, R: Send, B>(
    items: &'a [T],
    f: impl Fn(&'a T) -> R + Sync,
    beside: impl FnOnce() -> B,
) -> (Vec<R>, B) {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads < 2 || items.len() < 2 {
        let beside = beside();
        return (items.iter().map(f).collect(), beside);
    }
    let next = AtomicUsize::new(0);
    // Each thread takes the next item not yet taken, and keeps its results with their places.
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let take = &take;
    let (apart, (here, beside)) = std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads).map(|_| s.spawn(take)).collect();
        let beside = beside();
        let here = take();
        let apart: Vec<_> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (apart, (here, beside))
    });
    let mut placed: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in apart.into_iter().flatten().chain(here) {
        if let Some(slot) = placed.get_mut(i) {
            *slot = Some(r);
        }
    }
    (placed.into_iter().flatten().collect(), beside)
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
            let (squares, four) = super::map_beside(&items[..n], |i| i * i, || "four");
            assert_eq!((squares.as_slice(), four), (&serial[..n], "four"));
        }
    }
}
