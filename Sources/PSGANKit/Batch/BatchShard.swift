import Foundation

/// One shard of a batch: the jobs whose index is ``index`` modulo ``count``.
///
/// Shards `0/N` ... `(N-1)/N` partition any job list: every job is in exactly one of them. The
/// shard comes from `--shard I/N`, else from the scheduler's environment (see
/// ``init(environment:count:)``), else it is ``all``.
public struct BatchShard: Equatable, Sendable, CustomStringConvertible {
    /// This shard's number, zero-based, below ``count``.
    public let index: Int
    /// How many shards the jobs are split into.
    public let count: Int

    /// Every job: shard 0 of 1.
    public static let all = BatchShard(checkedIndex: 0, count: 1)

    private init(checkedIndex: Int, count: Int) {
        self.index = checkedIndex
        self.count = count
    }

    /// Shard `index` of `count`; nil unless `count >= 1` and `0 <= index < count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.init(checkedIndex: index, count: count)
    }

    /// Parses `I/N`; nil when the text is not of that form or I is not below N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    /// The shard a scheduler's environment names, or nil when it names none.
    ///
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID`, less `SLURM_ARRAY_TASK_MIN` (arrays may start at
    ///   any number), divided by `SLURM_ARRAY_TASK_STEP` when that is above 1, of
    ///   `SLURM_ARRAY_TASK_COUNT` shards.
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` of `count` shards, else of
    ///   `PSGAN_SHARD_COUNT` (set it to the Job's `completions`).
    ///
    /// - Throws: ``PSGANError`` naming the variable when one is set but unusable.
    public init?(environment: [String: String], count: Int? = nil) throws {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw PSGANError(.manifest, "\(name)=\(text) is not a whole number") }
            return value
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let total = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw PSGANError(.manifest, "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (give --shard I/N)")
            }
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = max(1, try number("SLURM_ARRAY_TASK_STEP") ?? 1)
            let offset = id - first
            guard offset >= 0, offset % step == 0, let shard = BatchShard(index: offset / step, count: total) else {
                throw PSGANError(.manifest, "Slurm array task \(id) (min \(first), step \(step), count \(total)) is not one of "
                    + "\(total) evenly spaced tasks; use a range array such as --array=0-\(max(total - 1, 0)) or give --shard I/N")
            }
            self = shard
            return
        }
        if let id = try number("JOB_COMPLETION_INDEX") {
            guard let total = try count ?? number("PSGAN_SHARD_COUNT") else {
                throw PSGANError(.manifest, "JOB_COMPLETION_INDEX is set but the shard count is not: give --shard-count N or set PSGAN_SHARD_COUNT to the Job's completions")
            }
            guard let shard = BatchShard(index: id, count: total) else {
                throw PSGANError(.manifest, "JOB_COMPLETION_INDEX=\(id) is not below the shard count \(total)")
            }
            self = shard
            return
        }
        return nil
    }

    /// Whether the job at `jobIndex` belongs to this shard.
    public func contains(jobIndex: Int) -> Bool { jobIndex % count == index }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}
