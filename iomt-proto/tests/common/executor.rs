//! A minimal single-threaded executor for the async tests: polls futures with a no-op
//! waker, round-robin, and fails the test instead of hanging when nothing completes.
#![allow(
    clippy::unreachable,
    reason = "a test that makes no progress must fail, not hang"
)]

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

/// Runs `a` and `b` to completion on one thread, alternating polls; panics after
/// `max_polls` rounds (a deadlock: both sides waiting to read).
pub(crate) fn join2<A: Future, B: Future>(a: A, b: B, max_polls: usize) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..max_polls {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(&mut cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(&mut cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            break;
        }
    }
    match (ra, rb) {
        (Some(a), Some(b)) => (a, b),
        _ => unreachable!("no progress after {max_polls} polls (both sides waiting?)"),
    }
}

/// Runs one future to completion; panics after `max_polls` polls.
pub(crate) fn block_on<F: Future>(f: F, max_polls: usize) -> F::Output {
    join2(f, async {}, max_polls).0
}
