import Foundation
import PSGANKit

/// The studio's renders: run one at a time with the library's ``RenderJob``, the others queued;
/// progress, cancelling and the finished files, by id.
public final class RenderQueue: @unchecked Sendable {
    /// One render as the API reports it.
    public struct Entry: Sendable {
        public enum State: String, Sendable { case queued, running, done, failed, cancelled }
        public var id: String
        public var state: State
        /// What was asked (the request's settings, as JSON text), for the recent renders list.
        public var settings: String
        public var completed = 0
        public var total = 0
        public var framesPerSecond = 0.0
        public var remaining: Double?
        /// The one-line error a failed render ended with.
        public var error: String?
        /// The finished file (done renders).
        public var output: URL?
        var job: RenderJob
        let cancelled = Flag()
    }

    /// A flag set from one thread and read from another.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var running: String?
    private let worker = DispatchQueue(label: "psgan-studio.render")

    public init() {}

    /// Queues `job` (its output already chosen in the workspace) under `id`; it starts when the
    /// renders before it have finished.
    func submit(_ job: RenderJob, id: String, settings: String) {
        lock.withLock {
            entries[id] = Entry(id: id, state: .queued, settings: settings, job: job)
            order.append(id)
        }
        startNext()
    }

    /// The render `id`, or nil.
    func entry(_ id: String) -> Entry? { lock.withLock { entries[id] } }

    /// Every render, newest first.
    func all() -> [Entry] { lock.withLock { order.reversed().compactMap { entries[$0] } } }

    /// Asks render `id` to stop (a queued one never starts); false when there is no such render.
    @discardableResult
    func cancel(_ id: String) -> Bool {
        lock.withLock {
            guard var entry = entries[id] else { return false }
            entry.cancelled.set()
            if entry.state == .queued { entry.state = .cancelled }
            entries[id] = entry
            return true
        }
    }

    /// Stops every render (shutting down): queued ones never start, the running one stops at its
    /// next frame and removes its partial output. Returns when nothing is running.
    public func cancelAll() {
        for id in lock.withLock({ order }) { cancel(id) }
        worker.sync {}
    }

    /// Starts the oldest queued render when none is running.
    private func startNext() {
        let next: Entry? = lock.withLock {
            guard running == nil, let id = order.first(where: { entries[$0]?.state == .queued }) else { return nil }
            running = id
            entries[id]?.state = .running
            return entries[id]
        }
        guard let next else { return }
        worker.async { [self] in
            var job = next.job
            let flag = next.cancelled
            job.isCancelled = { flag.isSet }
            let id = next.id
            do {
                let result = try job.run(progress: { progress in
                    self.update(id) {
                        $0.completed = progress.completed
                        $0.total = progress.total
                        $0.framesPerSecond = progress.framesPerSecond
                        $0.remaining = progress.remaining
                    }
                })
                update(id) { $0.state = .done; $0.output = result.output }
            } catch {
                update(id) {
                    $0.state = flag.isSet ? .cancelled : .failed
                    $0.error = flag.isSet ? nil : ErrorText.oneLine(error)
                }
            }
            lock.withLock { running = nil }
            startNext()
        }
    }

    private func update(_ id: String, _ change: (inout Entry) -> Void) {
        lock.withLock {
            guard var entry = entries[id] else { return }
            change(&entry)
            entries[id] = entry
        }
    }
}
