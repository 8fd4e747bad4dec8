//! A map over a list on several threads whose result does not depend on
//! how many: the model types blocks of entities with it, and the rules
//! crate runs rules with it. Library crates use `std::thread::scope`, not a
//! thread pool, so the CLI's own parallelism over files stays the only pool.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `run` applied to every item, on up to `threads` threads taking items in
/// turn; the results in the items' order.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    run: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(run).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            return done;
                        };
                        done.push((index, run(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// How many threads to use for work of `size` units, where work under
/// `threshold` is not worth a thread: one, or every core.
pub fn threads_for(size: usize, threshold: usize) -> usize {
    // Read once: the answer comes from the cgroup's files, and a run of
    // many small reports would ask for each.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if size < threshold {
        1
    } else {
        *CORES
            .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }
}

#[cfg(test)]
mod tests {
    use super::map_in_order;

    #[test]
    fn results_come_in_the_items_order_on_any_number_of_threads() {
        let items: Vec<u64> = (0..1_000).collect();
        let expected: Vec<u64> = items.iter().map(|i| i * i).collect();
        for threads in [0, 1, 2, 3, 8, 5_000] {
            assert_eq!(map_in_order(&items, threads, |i| i * i), expected);
        }
    }
}
