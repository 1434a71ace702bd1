import Foundation

/// Runs batch jobs, resumably: skips finished ones (unless forced), clears killed runs' leftovers, keeps going past failures.
///
/// A job is complete when its output exists (for the png codec, a non-empty directory): outputs
/// appear only by ``VideoWriter``'s rename of a finished temporary, so an existing one is whole.
/// Before a job, temporary outputs that a killed run left beside its output
/// (`.NAME.partial-PID[.EXT]`) are removed when no live process on this machine has that id.
/// A job that fails (a missing or corrupt input, an encoder error) is reported and leaves no
/// output; the other jobs still run.
///
/// With a concurrency above 1, that many jobs run at once on threads of this process, each with
/// its own model, generator and encoder; OpenBLAS's thread count (process-wide) is set to the
/// cores divided by the concurrency, unless `OPENBLAS_NUM_THREADS` is set. Encoders keep their
/// own thread choice, as in `psgan render`: their output depends on it, and this way a job's file
/// is byte-identical whatever the concurrency.
public final class BatchRunner: @unchecked Sendable {
    /// What a run did.
    public struct Summary: Sendable {
        /// Jobs the run was given.
        public var selected: Int
        /// Jobs rendered.
        public var done: Int
        /// Jobs skipped because their output existed.
        public var skipped: Int
        /// Jobs that failed.
        public var failed: Int
        /// The failed jobs' indexes, ascending.
        public var failedJobs: [Int]
        /// Seconds the run took.
        public var seconds: Double
    }

    /// The jobs to run, in order.
    public let jobs: [BatchJob]
    /// How many jobs run at once.
    public let concurrency: Int
    /// Whether jobs whose output exists are rendered again (the old output stays until the new one
    /// replaces it; a png job's non-empty directory is not replaced and fails the job).
    public let force: Bool
    /// Called for every event, from the worker threads one at a time.
    private let events: (BatchEvent) -> Void
    /// Called with a job's temporary output when it is opened, and with nil's counterpart when closed.
    private let temporaryOutput: (URL, _ open: Bool) -> Void

    private let lock = NSLock()
    private var next = 0
    /// Output folders this run created; those still empty at its end (every job in them failed)
    /// are removed then, not earlier, so that no job loses a folder another is about to write into.
    private var createdDirectories: [URL] = []
    private var summary = Summary(selected: 0, done: 0, skipped: 0, failed: 0, failedJobs: [], seconds: 0)

    /// A runner for `jobs`, `concurrency` at a time, reporting through `events`; `temporaryOutput`
    /// hears of each temporary output as it is opened (`true`) and once it is gone (`false`), so
    /// a caller can remove it if the process is interrupted.
    public init(jobs: [BatchJob], concurrency: Int, force: Bool = false, events: @escaping (BatchEvent) -> Void,
                temporaryOutput: @escaping (URL, _ open: Bool) -> Void = { _, _ in }) {
        self.jobs = jobs
        self.concurrency = max(1, min(concurrency, max(jobs.count, 1)))
        self.force = force
        self.events = events
        self.temporaryOutput = temporaryOutput
    }

    /// The cores the jobs share.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The cores each of `concurrency` jobs running at once gets (cores / concurrency, at least 1).
    ///
    /// Nothing needs setting: psgan runs OpenBLAS single-threaded and spreads each job's work over
    /// the cores with Dispatch, whose thread pool the concurrent jobs share, so N jobs at once split
    /// the cores between them by themselves.
    public static func coresPerJob(concurrency: Int) -> Int {
        max(1, cores / max(1, concurrency))
    }

    /// Whether `job`'s output is already there (a file, or a non-empty directory for png).
    public static func isComplete(_ job: BatchJob) -> Bool {
        var isDirectory: ObjCBool = false
        let path = job.render.output.path
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        guard isDirectory.boolValue else { return job.render.resolvedCodec != .png }
        guard job.render.resolvedCodec == .png else { return false }
        return !((try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty ?? true)
    }

    /// Removes the temporary outputs of `job` that no running process on this machine is writing;
    /// returns their paths.
    public static func removeStalePartials(of job: BatchJob) -> [String] {
        PartialOutput(output: job.render.output, keepsExtension: job.render.resolvedCodec != .png).removeStale()
    }

    /// Removes the output folders this run created that are still empty, deepest first.
    private func removeEmptyCreatedDirectories() {
        let created = lock.withLock { createdDirectories }
        for url in Set(created).sorted(by: { $0.pathComponents.count > $1.pathComponents.count }) {
            _ = rmdir(url.path)  // removes only an empty folder
        }
    }

    /// Runs every job and returns the summary; never throws (failures are events).
    public func run() -> Summary {
        let started = Date()
        lock.withLock {
            next = 0
            summary = Summary(selected: jobs.count, done: 0, skipped: 0, failed: 0, failedJobs: [], seconds: 0)
        }
        if concurrency == 1 {
            work()
        } else {
            let group = DispatchGroup()
            for _ in 0..<concurrency {
                group.enter()
                let thread = Thread { [self] in
                    work()
                    group.leave()
                }
                thread.stackSize = 16 << 20
                thread.start()
            }
            group.wait()
        }
        removeEmptyCreatedDirectories()
        return lock.withLock {
            summary.seconds = Date().timeIntervalSince(started)
            summary.failedJobs.sort()
            return summary
        }
    }

    /// Takes jobs off the list until none is left.
    private func work() {
        while true {
            let index: Int? = lock.withLock {
                guard next < jobs.count else { return nil }
                next += 1
                return next - 1
            }
            guard let index else { return }
            runJob(jobs[index])
        }
    }

    private func emit(_ event: BatchEvent) {
        lock.withLock { events(event) }
    }

    private func runJob(_ job: BatchJob) {
        for path in Self.removeStalePartials(of: job) {
            emit(.partialRemoved(job: job, path: path))
        }
        if !force && Self.isComplete(job) {
            emit(.jobSkipped(job: job))
            lock.withLock { summary.skipped += 1 }
            return
        }
        emit(.jobStarted(job: job))
        var temporary: URL?
        do {
            let directory = job.render.output.deletingLastPathComponent()
            var missing: [URL] = []
            var ancestor = directory.standardizedFileURL
            while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" {
                missing.append(ancestor)
                ancestor.deleteLastPathComponent()
            }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                lock.withLock { createdDirectories += missing }
            } catch {
                throw PSGANError(.render, "\(directory.path): cannot create the output directory (\(ErrorText.reason(error)))")
            }
            var lastStep = 0
            let result = try job.render.run(temporaryOutput: { url in
                temporary = url
                temporaryOutput(url, true)
            }, progress: { progress in
                let step = progress.total > 0 ? 10 * progress.completed / progress.total : 10
                guard step != lastStep || progress.completed == progress.total else { return }
                lastStep = step
                self.emit(.jobProgress(job: job, progress: progress))
            })
            if let temporary { temporaryOutput(temporary, false) }
            let digest = try FileDigest.sha256(of: result.output)
            emit(.jobDone(job: job, frames: result.frames, sha256: digest, seconds: result.seconds))
            lock.withLock { summary.done += 1 }
        } catch {
            if let temporary { temporaryOutput(temporary, false) }
            emit(.jobFailed(job: job, error: ErrorText.oneLine(error)))
            lock.withLock {
                summary.failed += 1
                summary.failedJobs.append(job.index)
            }
        }
    }
}
