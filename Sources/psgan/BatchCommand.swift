import ArgumentParser
import Foundation
import PSGANKit

/// `psgan batch`: render every job of a manifest, resumably, optionally one shard of it.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Render the jobs of a JSON manifest (characters x pose files), resumably and in shards.",
        discussion: """
            The manifest is checked whole before anything renders (format: docs/batch.md). Jobs whose \
            output exists are skipped, so running the same command again finishes what a killed run \
            left. A failed job leaves no output and does not stop the others; the exit status is 1 \
            if any job failed, 2 if the manifest or shard is unusable.

            The shard is --shard I/N (jobs whose index is I modulo N), else read from a Slurm job \
            array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a \
            Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shard-count or PSGAN_SHARD_COUNT).

            Examples:
              psgan batch jobs.json
              psgan batch jobs.json --jobs 2 --json
              parallel -j 4 psgan batch jobs.json --shard {}/4 --json ::: 0 1 2 3
            """
    )

    @Argument(help: "The batch manifest (JSON).")
    var manifest: String

    @Option(help: ArgumentHelp("Run only jobs whose index is I modulo N (I zero-based). Default: from Slurm or Kubernetes, else all.",
                               valueName: "I/N"))
    var shard: BatchShard?

    @Option(name: .customLong("shard-count"), help: "The shard count for a Kubernetes Indexed Job (its completions); default $PSGAN_SHARD_COUNT.")
    var shardCount: Int?

    @Option(name: [.customShort("j"), .customLong("jobs")], help: "Jobs rendered at once in this process (cores are split between them).")
    var jobs = 1

    @Flag(help: "Print one JSON event per line on standard output (docs/batch.md).")
    var json = false

    @Flag(name: .customLong("dry-run"), help: "Check the manifest and list this shard's jobs (and which are complete) without rendering.")
    var dryRun = false

    @Flag(help: "Render jobs whose output exists again, replacing it when the new one is complete (e.g. after changing the model or the manifest's settings).")
    var force = false

    @Flag(help: "Print nothing but errors (--json events are still printed).")
    var quiet = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
        if shard != nil && shardCount != nil { throw ValidationError("give either --shard I/N or --shard-count, not both") }
    }

    @OptionGroup var ffmpegLog: FFmpegLogOption

    func run() throws {
        ffmpegLog.apply()
        let url = URL(fileURLWithPath: manifest)
        let loaded: BatchManifest
        let selectedShard: BatchShard
        do {
            loaded = try BatchManifest(contentsOf: url)
            let environment = ProcessInfo.processInfo.environment
            if let shard {
                selectedShard = shard
            } else if let fromScheduler = try BatchShard(environment: environment, count: shardCount) {
                selectedShard = fromScheduler
            } else if shardCount != nil {
                throw PSGANError(.render, "--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); elsewhere give --shard I/N")
            } else {
                selectedShard = .all
            }
        } catch {
            if json { emit(.manifestInvalid(error: ErrorText.oneLine(error))) }
            FileHandle.standardError.write(Data("Error: \(ErrorText.oneLine(error))\n".utf8))
            throw ExitCode(2)
        }
        let selected = loaded.jobs.filter { selectedShard.contains(jobIndex: $0.index) }.map { job -> BatchJob in
            var job = job
            job.render.command = PSGAN.commandLine + " # \(job.label)"  // provenance: the batch command and the job
            return job
        }

        if dryRun {
            for job in selected {
                let complete = BatchRunner.isComplete(job)
                if json {
                    emit(.jobPlanned(job: job, complete: complete))
                } else {
                    print("\(job.index)\t\(job.name)\t\(job.render.output.path)\t\(complete ? "complete" : "to render")")
                }
            }
            return
        }

        let blasThreads = BatchRunner.coresPerJob(concurrency: jobs)
        let cleanup = InterruptCleanup()
        defer { cleanup.disarm() }
        var finished = 0
        let runner = BatchRunner(jobs: selected, concurrency: jobs, force: force, events: { event in
            if json { emit(event) }
            guard !quiet else { return }
            switch event {
            case .jobDone(let job, let frames, _, let seconds):
                finished += 1
                note("[\(finished)/\(selected.count)] \(job.label): wrote \(ErrorText.escaped(job.render.output.path)) (\(frames) frames, \(String(format: "%.1f", seconds)) s)")
            case .jobSkipped(let job):
                finished += 1
                note("[\(finished)/\(selected.count)] \(job.label): skipped, \(job.render.output.path) exists")
            case .jobFailed(let job, let error):
                finished += 1
                note("[\(finished)/\(selected.count)] \(job.label): FAILED: \(error)")  // already one line (BatchRunner)
            case .partialRemoved(let job, let path):
                note("\(job.label): removed \(path), left by an interrupted run")
            default:
                break
            }
        }, temporaryOutput: { url, open in
            if open { cleanup.insert(url) } else { cleanup.remove(url) }
        })
        if json {
            emit(.batchStarted(manifest: url.path, jobsTotal: loaded.jobs.count, shard: selectedShard,
                               jobsSelected: selected.count, concurrency: runner.concurrency, blasThreads: blasThreads))
        }
        let summary = runner.run()
        if json { emit(.batchFinished(summary)) }
        if !quiet {
            let failedList = summary.failed > 0 ? " (jobs \(summary.failedJobs.map(String.init).joined(separator: ", ")))" : ""
            note("batch \(manifest) shard \(selectedShard): \(summary.done) rendered, \(summary.skipped) skipped, "
                + "\(summary.failed) failed\(failedList) of \(summary.selected) jobs in \(String(format: "%.1f", summary.seconds)) s")
        }
        if summary.failed > 0 { throw ExitCode(1) }
    }

    /// Writes one event line to standard output at once (unbuffered, so a killed run's lines are all there).
    private func emit(_ event: BatchEvent) {
        FileHandle.standardOutput.write(Data((event.json + "\n").utf8))
    }

    private func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension BatchShard: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
