//! Deterministic data parallelism on a pool of `--threads` threads.
//!
//! Work is cut into chunks whose bounds depend only on the amount of work, never on the number
//! of threads, and the per-chunk results come back in chunk order. A fold over them in that
//! order (even of floating-point sums) therefore gives the same answer with one thread or many.
//! With one thread the chunks run in order on the calling thread.
//!
//! The pool is rayon's: the calling thread waits while the pool's `n` threads run the items,
//! each item a task of its own that idle threads steal. (bevy's task pool, used before, costs
//! more per item, and its `scope` runs tasks on the waiting thread too, so a pool of `n` put
//! `n + 1` busy threads on `n` cores.)

use rayon::prelude::*;
use std::ops::Range;
use std::sync::OnceLock;

static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

/// Sets the number of threads parallel work uses (the machine's cores when `None`) and starts
/// the pool. Global: the first call wins.
pub fn init(threads: Option<usize>) {
    POOL.get_or_init(|| {
        let n = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        // Without a pool (one thread, or threads that cannot start) work runs in order here.
        let pool = || rayon::ThreadPoolBuilder::new().num_threads(n).thread_name(|i| format!("model-{i}")).build();
        if n > 1 { pool().ok() } else { None }
    });
}

/// Threads parallel work uses (1 before [`init`]).
pub fn threads() -> usize {
    pool().map_or(1, |p| p.current_num_threads())
}

/// The pool, unless the calling thread works for another rayon pool (a sweep's, which runs one
/// world per thread): there work runs in place. Waiting for this pool from such a thread would
/// let it start other jobs of its own pool meanwhile, inside this one, and nest them without
/// bound (a `sim sweep --threads 1` of a hundred runs overflowed its stack that way).
fn pool() -> Option<&'static rayon::ThreadPool> {
    POOL.get().and_then(Option::as_ref).filter(|pool| usable_here(pool))
}

/// Whether the calling thread may hand work to `pool` and wait: any thread but another rayon
/// pool's.
fn usable_here(pool: &rayon::ThreadPool) -> bool {
    rayon::current_thread_index().is_none() || pool.current_thread_index().is_some()
}

/// Runs `f` on every item, in parallel when there is more than one thread; results are in item
/// order.
pub fn map<I: Send, R: Send>(items: impl Iterator<Item = I>, f: impl Fn(I) -> R + Sync) -> Vec<R> {
    match pool() {
        Some(pool) => {
            let items: Vec<I> = items.collect();
            let f = &f;
            pool.install(|| items.into_par_iter().with_max_len(1).map(f).collect())
        }
        None => items.map(f).collect(),
    }
}

/// [`map`] for items of uneven size: they are started largest first (so that no large item
/// starts last and leaves the other threads idle), and the results come back in item order.
pub fn map_largest_first<I: Send, R: Send>(
    items: Vec<I>,
    size: impl Fn(&I) -> usize,
    f: impl Fn(I) -> R + Sync,
) -> Vec<R> {
    if threads() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let mut order: Vec<(usize, I)> = items.into_iter().enumerate().collect();
    order.sort_by_key(|(i, item)| (std::cmp::Reverse(size(item)), *i));
    let done = map(order.into_iter(), |(i, item)| (i, f(item)));
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(done.len()).collect();
    for (i, r) in done {
        out[i] = Some(r);
    }
    out.into_iter().map(|r| r.expect("every item ran")).collect()
}

/// `0..n` cut into ranges of `chunk` (the last one shorter).
pub fn ranges(n: usize, chunk: usize) -> impl Iterator<Item = Range<usize>> {
    let chunk = chunk.max(1);
    (0..n.div_ceil(chunk)).map(move |i| i * chunk..((i + 1) * chunk).min(n))
}

/// Runs `f` on `0..n` cut into ranges of `chunk`; results in range order.
pub fn map_ranges<R: Send>(n: usize, chunk: usize, f: impl Fn(Range<usize>) -> R + Sync) -> Vec<R> {
    map(ranges(n, chunk), f)
}

/// Splits `data` into consecutive pieces of the given lengths (which must sum to at most
/// `data.len()`).
pub fn split_by_lengths<T>(mut data: &mut [T], lengths: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for len in lengths {
        let (head, tail) = data.split_at_mut(len);
        out.push(head);
        data = tail;
    }
    out
}

/// Runs `f` on storage made of three equally long columns, in parallel chunks of `chunk` rows
/// (a part's last chunk may be shorter); results in chunk order.
pub fn map_chunks3<A: Send, B: Send, C: Send, R: Send>(
    parts: &mut [(&mut [A], &mut [B], &mut [C])],
    chunk: usize,
    f: impl Fn(&mut [A], &mut [B], &mut [C]) -> R + Sync,
) -> Vec<R> {
    let mut items = Vec::new();
    for (a, b, c) in parts.iter_mut() {
        let rows = a.chunks_mut(chunk).zip(b.chunks_mut(chunk)).zip(c.chunks_mut(chunk));
        items.extend(rows.map(|((a, b), c)| (a, b, c)));
    }
    map(items.into_iter(), |(a, b, c)| f(a, b, c))
}

/// Sellers per parallel work item in the steps that loop over sellers: fixed (so results never
/// depend on the thread count), and small enough that a default-scale world (20,000 sellers)
/// gives every thread several items to balance.
pub const SELLER_CHUNK: usize = 1024;

/// Rows ahead of the current one whose heap data loops over sellers prefetch.
pub const PREFETCH_AHEAD: usize = 8;

/// Asks the CPU to start loading `data`, up to its first 1 KiB (sixteen cache lines): a hint for
/// loops that chase one pointer per row, such as each seller's `Listings` on the heap. 1 KiB
/// holds nine 112-byte listings, all of nearly every seller's; with a cap of four lines, sellers
/// with three or more listings waited on the rest, and the seller passes ran 10-20% slower.
#[inline(always)]
pub fn prefetch<T>(data: &[T]) {
    let bytes = std::mem::size_of_val(data).min(1024);
    let p = data.as_ptr().cast::<u8>();
    for offset in (0..bytes).step_by(64) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint: it never faults and changes no state, whatever the
        // address (`wrapping_add` keeps the pointer arithmetic defined); SSE is in the x86-64
        // baseline.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.wrapping_add(offset).cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (p, offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_once_in_order() {
        let r: Vec<_> = ranges(10, 4).collect();
        assert_eq!(r, vec![0..4, 4..8, 8..10]);
        assert_eq!(ranges(0, 4).count(), 0);
        let sums = map_ranges(1000, 7, |r| r.sum::<usize>());
        assert_eq!(sums.iter().sum::<usize>(), 999 * 1000 / 2);
        let mut v = [0u8; 6];
        let parts = split_by_lengths(&mut v, [1, 2, 3].into_iter());
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn work_from_another_pools_thread_runs_in_place() {
        init(Some(2));
        let other = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let (n, ran_on) = other.install(|| {
            let me = std::thread::current().id();
            (threads(), map(0..64, |_| std::thread::current().id() == me))
        });
        assert_eq!(n, 1);
        assert!(ran_on.iter().all(|&here| here), "every item runs on the calling thread");
        if POOL.get().is_some_and(Option::is_some) {
            assert_eq!(threads(), 2, "outside the other pool the model's pool is used");
        }
        // The guard itself, on pools of this test's own (the global pool may be absent when
        // another test set it first on a one-core machine).
        let model = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        assert!(usable_here(&model), "from a plain thread");
        assert!(model.install(|| usable_here(&model)), "from its own threads");
        assert!(!other.install(|| usable_here(&model)), "not from another pool's threads");
    }

    #[test]
    fn largest_first_returns_results_in_item_order() {
        init(Some(2));
        let items = vec![3usize, 1, 7, 2, 7, 5];
        assert_eq!(
            map_largest_first(items.clone(), |x| *x, |x| x * 10),
            items.iter().map(|x| x * 10).collect::<Vec<_>>()
        );
    }
}
