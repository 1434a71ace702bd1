import Foundation

/// Something that happened in a batch run; ``json`` is its line in `psgan batch --json`.
///
/// The schema is documented in `docs/batch.md`: every line is one JSON object whose `"event"` says
/// which kind it is; job events carry the job's `index`, `name` and `output`.
public enum BatchEvent: Sendable {
    /// The manifest (or the shard settings) cannot be used; nothing was rendered.
    case manifestInvalid(error: String)
    /// The run is starting: the manifest, how many jobs it has, the shard and the concurrency.
    case batchStarted(manifest: String, jobsTotal: Int, shard: BatchShard, jobsSelected: Int, concurrency: Int, blasThreads: Int?)
    /// A dry run's view of a job: whether its output is already complete.
    case jobPlanned(job: BatchJob, complete: Bool)
    /// A stale temporary output of a killed run was removed before its job.
    case partialRemoved(job: BatchJob, path: String)
    /// A job's output already exists, so it was not rendered again.
    case jobSkipped(job: BatchJob)
    /// A job is starting.
    case jobStarted(job: BatchJob)
    /// A job's progress (about every tenth of its frames, and the last).
    case jobProgress(job: BatchJob, progress: RenderProgress)
    /// A job finished: its output, frame count, SHA-256 and time.
    case jobDone(job: BatchJob, frames: Int, sha256: String, seconds: Double)
    /// A job failed; nothing was left at its output.
    case jobFailed(job: BatchJob, error: String)
    /// The run is over.
    case batchFinished(BatchRunner.Summary)

    /// The event's name, the `"event"` field.
    public var name: String {
        switch self {
        case .manifestInvalid: return "manifest_invalid"
        case .jobPlanned: return "job_planned"
        case .batchStarted: return "batch_started"
        case .partialRemoved: return "partial_removed"
        case .jobSkipped: return "job_skipped"
        case .jobStarted: return "job_started"
        case .jobProgress: return "job_progress"
        case .jobDone: return "job_done"
        case .jobFailed: return "job_failed"
        case .batchFinished: return "batch_finished"
        }
    }

    /// The event as one line of JSON (no newline).
    public var json: String {
        var fields: [(String, String)] = [("event", name.jsonQuoted)]
        func job(_ job: BatchJob) {
            fields += [("index", String(job.index)), ("name", job.name.jsonQuoted), ("character", job.character.jsonQuoted),
                       ("pose", job.pose.jsonQuoted), ("output", job.render.output.path.jsonQuoted)]
        }
        switch self {
        case let .batchStarted(manifest, total, shard, selected, concurrency, blas):
            fields += [("manifest", manifest.jsonQuoted), ("jobs_total", String(total)),
                       ("shard", "{\"index\": \(shard.index), \"count\": \(shard.count)}"),
                       ("jobs_selected", String(selected)), ("concurrency", String(concurrency)),
                       ("blas_threads", blas.map(String.init) ?? "null")]
        case let .manifestInvalid(error):
            fields.append(("error", error.jsonQuoted))
        case let .jobPlanned(j, complete):
            job(j)
            fields.append(("complete", complete ? "true" : "false"))
        case let .partialRemoved(j, path):
            job(j)
            fields.append(("path", path.jsonQuoted))
        case let .jobSkipped(j):
            job(j)
            fields.append(("reason", "output exists".jsonQuoted))
        case let .jobStarted(j):
            job(j)
        case let .jobProgress(j, progress):
            job(j)
            fields += [("completed", String(progress.completed)), ("total", String(progress.total)),
                       ("frames_per_second", Self.number(progress.framesPerSecond))]
        case let .jobDone(j, frames, sha256, seconds):
            job(j)
            fields += [("frames", String(frames)), ("sha256", sha256.jsonQuoted), ("seconds", Self.number(seconds))]
        case let .jobFailed(j, error):
            job(j)
            fields.append(("error", error.jsonQuoted))
        case let .batchFinished(summary):
            fields += [("jobs_selected", String(summary.selected)), ("done", String(summary.done)),
                       ("skipped", String(summary.skipped)), ("failed", String(summary.failed)),
                       ("failed_jobs", "[" + summary.failedJobs.map(String.init).joined(separator: ", ") + "]"),
                       ("seconds", Self.number(summary.seconds))]
        }
        return "{" + fields.map { "\($0.0.jsonQuoted): \($0.1)" }.joined(separator: ", ") + "}"
    }

    private static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : "null"
    }
}
