import Dispatch

/// Runs `body` for every index in `0..<count`: side by side on Dispatch's pool when `parallel`
/// (the caller's judgement that the work is large enough to pay for it), else in order on this thread.
func forEachIndex(_ count: Int, parallel: Bool, _ body: (Int) -> Void) {
    if parallel && count > 1 {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    } else {
        for index in 0..<count { body(index) }
    }
}
