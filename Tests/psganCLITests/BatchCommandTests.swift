import Foundation
import PSGANKit
import Testing

/// `psgan batch` end to end: manifests, shards, resuming after SIGKILL, failures, GNU parallel.
@Suite struct BatchCommandTests {
    /// The JSON events a `--json` run printed, one object per line.
    static func events(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not an object: \(line)")
        }
    }

    /// Writes `manifest` as `jobs.json` in `directory`.
    static func writeManifest(_ manifest: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("jobs.json")
        try manifest.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A tiny model and `poseCount` pose files (`p0.json`, ...) of `frames` frames in `directory`.
    static func inputs(in directory: URL, poseCount: Int, frames: Int = 3) throws {
        _ = try CLI.tinyModel(in: directory)
        for i in 0..<poseCount {
            _ = try CLI.poseFile(in: directory, frames: frames, name: "p\(i).json")
        }
    }

    /// ffprobe's decoded frame count of a video.
    static func frameCount(_ url: URL) throws -> Int? {
        (try CLI.probe(url)["nb_read_frames"] as? String).flatMap(Int.init)
    }

    /// Files whose names hold `.partial-` anywhere under `directory`.
    static func partials(under directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var found: [String] = []
        while let name = enumerator?.nextObject() as? String {
            if name.contains(".partial-") { found.append(name) }
        }
        return found
    }

    @Test func shardsPartitionTheJobsExactly() throws {
        let dir = try CLI.temporaryDirectory()
        try Self.inputs(in: dir, poseCount: 3)
        let manifest = try Self.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors", "codec": "ffv1"},
             "output": "out/{character}/{pose}.{ext}",
             "characters": [1, 2, {"name": "c", "seed": 3}, {"name": "d", "file": "d.json"}],
             "poses": ["p0.json", "p1.json", {"name": "third", "file": "p2.json"}]}
            """, in: dir)
        let all = try CLI.run(["batch", manifest.path, "--dry-run", "--json"], in: dir)
        #expect(all.status == 0, "\(all.errors)")
        let allIndexes = try Self.events(all.output).map { $0["index"] as? Int }
        #expect(allIndexes == Array(0..<12))
        for count in [1, 2, 3, 5, 7, 12, 13] {
            var seen: [Int] = []
            for shard in 0..<count {
                let result = try CLI.run(["batch", manifest.path, "--dry-run", "--json", "--shard", "\(shard)/\(count)"], in: dir)
                #expect(result.status == 0, "\(result.errors)")
                let indexes = try Self.events(result.output).compactMap { $0["index"] as? Int }
                #expect(indexes.allSatisfy { $0 % count == shard }, "shard \(shard)/\(count): \(indexes)")
                seen += indexes
            }
            #expect(seen.sorted() == Array(0..<12), "\(count) shards: \(seen.sorted())")
        }
        // The shard from a Slurm array starting at 4 (task 5 is the second of 3) and from a Kubernetes Indexed Job.
        let slurm = try CLI.run(["batch", manifest.path, "--dry-run", "--json"], in: dir, environment: [
            "SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(try Self.events(slurm.output).compactMap { $0["index"] as? Int } == [1, 4, 7, 10])
        let kubernetes = try CLI.run(["batch", manifest.path, "--dry-run", "--json", "--shard-count", "5"], in: dir,
                                     environment: ["JOB_COMPLETION_INDEX": "4"])
        #expect(try Self.events(kubernetes.output).compactMap { $0["index"] as? Int } == [4, 9])
        let missingCount = try CLI.run(["batch", manifest.path, "--dry-run"], in: dir, environment: ["JOB_COMPLETION_INDEX": "4"])
        #expect(missingCount.status == 2)
        #expect(missingCount.errors.contains("PSGAN_SHARD_COUNT"))
        let badShard = try CLI.run(["batch", manifest.path, "--shard", "3/3"], in: dir)
        #expect(badShard.status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test func aRunKilledMidwayFinishesOnTheNextRunWithNoCorruptFile() throws {
        let dir = try CLI.temporaryDirectory()
        let model = dir.appendingPathComponent("m64.safetensors")
        let made = try CLI.run(["model", "init", "--resolution", "64", "--latent-dim", "8", "--channels",
                                "4:16,8:16,16:16,32:8,64:8", "--out", model.path])
        #expect(made.status == 0, "\(made.errors)")
        _ = try CLI.poseFile(in: dir, frames: 240, name: "long.json")
        let manifest = try Self.writeManifest("""
            {"version": 1, "defaults": {"model": "m64.safetensors", "codec": "ffv1"},
             "output": "out/{character}-{pose}.mkv",
             "characters": [1, 2, 3, 4], "poses": ["long.json"]}
            """, in: dir)

        // Start, wait for the second job to be under way, and kill with SIGKILL.
        let stdout = dir.appendingPathComponent("events-1.jsonl")
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["batch", manifest.path, "--json", "--quiet"]
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var sawSecondJob = false
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
            if text.contains("\"job_progress\", \"index\": 1,") {
                sawSecondJob = true
                break
            }
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(sawSecondJob)
        #expect(process.terminationReason == .uncaughtSignal)
        let firstEvents = try Self.events(String(contentsOf: stdout, encoding: .utf8))
        #expect(!firstEvents.contains { $0["event"] as? String == "batch_finished" })
        let outDir = dir.appendingPathComponent("out")
        #expect(Self.partials(under: outDir).count == 1, "a killed job leaves its temporary file: \(CLI.contents(of: outDir))")
        // Only complete outputs exist.
        for name in CLI.contents(of: outDir) where !name.hasPrefix(".") {
            #expect(try Self.frameCount(outDir.appendingPathComponent(name)) == 240, "\(name)")
        }

        // The second run skips what is done, clears the leftover, renders the rest.
        let again = try CLI.run(["batch", manifest.path, "--json"], in: dir)
        #expect(again.status == 0, "\(again.errors)")
        let events = try Self.events(again.output)
        let kinds = events.map { $0["event"] as? String ?? "" }
        #expect(kinds.contains("partial_removed"))
        #expect(kinds.contains("job_skipped"))
        #expect(events.first { $0["index"] as? Int == 0 && $0["event"] as? String == "job_skipped" } != nil)
        let done = events.filter { $0["event"] as? String == "job_done" }
        #expect(done.count + kinds.filter { $0 == "job_skipped" }.count == 4)
        #expect(Self.partials(under: outDir).isEmpty)
        #expect(CLI.contents(of: outDir) == ["seed1-long.mkv", "seed2-long.mkv", "seed3-long.mkv", "seed4-long.mkv"])
        for name in CLI.contents(of: outDir) {
            #expect(try Self.frameCount(outDir.appendingPathComponent(name)) == 240, "\(name)")
        }
        // The reported digest is the file's.
        for event in done {
            let output = try #require(event["output"] as? String)
            #expect(event["sha256"] as? String == (try FileDigest.sha256(of: URL(fileURLWithPath: output))))
            #expect(event["frames"] as? Int == 240)
        }
        let last = try #require(events.last)
        #expect(last["event"] as? String == "batch_finished")
        #expect(last["failed"] as? Int == 0)
    }

    @Test func aBadJobFailsAloneAndTheExitStatusSaysSo() throws {
        let dir = try CLI.temporaryDirectory()
        try Self.inputs(in: dir, poseCount: 2)
        try "{\"format\": \"psgan-pose\", \"frames\": [".write(to: dir.appendingPathComponent("corrupt.json"), atomically: true, encoding: .utf8)
        let manifest = try Self.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors"},
             "output": "out/{pose}.mp4",
             "characters": [5], "poses": ["p0.json", "missing.json", "corrupt.json", "p1.json"]}
            """, in: dir)
        let result = try CLI.run(["batch", manifest.path, "--json", "--jobs", "2"], in: dir)
        #expect(result.status == 1)
        let events = try Self.events(result.output)
        let failed = events.filter { $0["event"] as? String == "job_failed" }
        #expect(failed.compactMap { $0["index"] as? Int }.sorted() == [1, 2])
        let missingError = failed.first { $0["index"] as? Int == 1 }?["error"] as? String ?? ""
        #expect(missingError.contains("missing.json"))
        let corruptError = failed.first { $0["index"] as? Int == 2 }?["error"] as? String ?? ""
        #expect(corruptError.contains("corrupt.json"))
        let done = events.filter { $0["event"] as? String == "job_done" }.compactMap { $0["index"] as? Int }
        #expect(done.sorted() == [0, 3])
        let summary = try #require(events.last)
        #expect(summary["event"] as? String == "batch_finished")
        #expect(summary["failed_jobs"] as? [Int] == [1, 2])
        let out = dir.appendingPathComponent("out")
        #expect(CLI.contents(of: out) == ["p0.mp4", "p1.mp4"])
        #expect(try Self.frameCount(out.appendingPathComponent("p0.mp4")) == 3)
        #expect(result.errors.contains("job 1 (seed5-missing): FAILED"))
    }

    @Test func forceRendersCompleteJobsAgainWithTheNewSettings() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.inputs(in: dir, poseCount: 2, frames: 4)
        func manifest(frames: String) throws -> URL {
            try Self.writeManifest("""
                {"version": 1, "defaults": {"model": "tiny.safetensors", "frames": "\(frames)"},
                 "output": "out/{pose}.mp4", "characters": [5], "poses": ["p0.json", "p1.json"]}
                """, in: dir)
        }
        let first = try CLI.run(["batch", try manifest(frames: "0:2").path, "--json"], in: dir)
        #expect(first.status == 0, "\(first.errors)")
        let output = dir.appendingPathComponent("out/p0.mp4")
        #expect(try Self.frameCount(output) == 2)

        // New settings, same outputs: a plain run keeps the old files, --force replaces them.
        let plain = try CLI.run(["batch", try manifest(frames: "0:4").path, "--json"], in: dir)
        #expect(plain.status == 0)
        #expect(try Self.events(plain.output).filter { $0["event"] as? String == "job_skipped" }.count == 2)
        #expect(try Self.frameCount(output) == 2)
        let forced = try CLI.run(["batch", try manifest(frames: "0:4").path, "--json", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.errors)")
        let events = try Self.events(forced.output)
        #expect(events.filter { $0["event"] as? String == "job_done" }.count == 2)
        #expect(events.allSatisfy { $0["event"] as? String != "job_skipped" })
        #expect(try Self.frameCount(output) == 4)
        #expect(try Self.frameCount(dir.appendingPathComponent("out/p1.mp4")) == 4)
        #expect(Self.partials(under: dir).isEmpty)
    }

    @Test func manifestErrorsNameTheJobAndRenderNothing() throws {
        let dir = try CLI.temporaryDirectory()
        try Self.inputs(in: dir, poseCount: 2)
        let head = #""version": 1, "defaults": {"model": "tiny.safetensors"}, "characters": [1, {"name": "bo", "seed": 2}], "poses": ["p0.json", "p1.json"]"#
        let cases: [(String, String)] = [
            (#"{\#(head), "output": "out/{pose}.mp4"}"#, "job 2 (bo-p0): writes \(dir.path)/out/p0.mp4, as job 0 (seed1-p0) does"),
            (#"{\#(head), "output": "o/{character}.mp4", "jobs": [{"character": "bo", "pose": "p0"}, {"name": "late", "character": "al", "pose": "p1"}]}"#,
             "job 1 (late): no character is named 'al'"),
            (#"{\#(head), "output": "o/{character}/{pose}.mp4", "jobs": [{"character": "bo", "pose": "p0", "fps": -3}]}"#,
             "job 0 (bo-p0): \"fps\" must be a frame rate from 0.01 to 1000 fps, found the number -3"),
            (#"{\#(head), "output": "o/{character}/{pose}.webm", "jobs": [{"character": "bo", "pose": "p0"}, {"character": "bo", "pose": "p1", "codec": "prores"}]}"#,
             "job 1 (bo-p1): \(dir.path)/o/bo/p1.webm: codec 'prores' cannot be stored in a .webm file"),
            (#"{\#(head), "output": "o/{character}/{posture}.mp4"}"#, "output: output template 'o/{character}/{posture}.mp4' has an unknown placeholder '{posture}'"),
            (#"{\#(head), "output": "o/{pose}.mp4", "jobs": [{"character": "bo", "pose": "p0", "crf": 80}]}"#, "job 0 (bo-p0): \"crf\" must be from 0 to 63"),
            (#"{\#(head), "output": "o/{pose}.mp4", "jobs": [{"character": "bo", "pose": "p0", "colour": "red"}]}"#, "job 0 (bo-p0): unknown key \"colour\""),
            (#"{"version": 2, "output": "x.mp4", "characters": [1], "poses": ["p0.json"]}"#, "\"version\" must be 1"),
            (#"{\#(head), "output": "o/{pose}.mp4""#, "not valid JSON"),
        ]
        for (manifest, message) in cases {
            let url = try Self.writeManifest(manifest, in: dir)
            let result = try CLI.run(["batch", url.path, "--json"], in: dir)
            #expect(result.status == 2, "\(manifest)")
            #expect(result.errors.hasPrefix("Error: \(url.path): "), "\(result.errors)")
            #expect(result.errors.contains(message), "expected '\(message)' in: \(result.errors)")
            #expect(result.errors.split(separator: "\n").count == 1)
            let events = try Self.events(result.output)
            #expect(events.count == 1 && events[0]["event"] as? String == "manifest_invalid")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path))
        }
    }

    @Test func concurrentJobsRenderTheSameFramesAsOneAtATime() throws {
        let dir = try CLI.temporaryDirectory()
        try Self.inputs(in: dir, poseCount: 2, frames: 4)
        let manifest = """
            {"version": 1, "defaults": {"model": "../tiny.safetensors", "codec": "ffv1"},
             "output": "{index}-{character}-{pose}.{ext}",
             "characters": [1, 2, {"name": "m", "keyframes": ["seed:3@0", "seed:4@3"], "interp": "lerp"}],
             "poses": ["../p0.json", "../p1.json"]}
            """
        var frames: [[String: [[UInt8]]]] = []
        for jobs in ["1", "3"] {
            let sub = dir.appendingPathComponent("run\(jobs)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
            let url = try Self.writeManifest(manifest, in: sub)
            let result = try CLI.run(["batch", url.path, "--json", "--jobs", jobs])
            #expect(result.status == 0, "\(result.errors)")
            let events = try Self.events(result.output)
            #expect(events.first?["concurrency"] as? Int == Int(jobs))
            var byName: [String: [[UInt8]]] = [:]
            for event in events where event["event"] as? String == "job_done" {
                let output = URL(fileURLWithPath: try #require(event["output"] as? String))
                #expect(event["sha256"] as? String == (try FileDigest.sha256(of: output)))
                byName[output.lastPathComponent] = try CLI.decode(output, frameBytes: 16 * 16 * 3)
            }
            #expect(byName.count == 6)
            #expect(byName["5-m-p1.mkv"]?.count == 4)
            frames.append(byName)
        }
        #expect(frames[0] == frames[1])
        #expect(frames[0]["0-seed1-p0.mkv"] != frames[0]["2-seed2-p0.mkv"])
    }

    @Test func aPoseEntrysReadingAndCleanupRenderAsRendersOptionsDo() throws {
        // The same BVH take, camera and cleanup through `psgan render` options and a manifest's pose
        // entry: both build the same RenderJob, so the frames must be identical.
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let bvh = CLI.repository.appendingPathComponent("motion/cmu-01_01.bvh")
        let rendered = dir.appendingPathComponent("render.mkv")
        let options = ["--azimuth", "90", "--elevation", "10", "--projection", "orthographic", "--canvas", "640x480",
                       "--flip", "--smooth", "--beta", "0.2", "--resample", "24", "--retarget", "figure", "--margin", "0.2"]
        let render = try CLI.run(["render", "--model", model.path, "--poses", bvh.path, "--seed", "5", "--frames", "0:4",
                                  "--codec", "ffv1", "--out", rendered.path, "--quiet"] + options)
        #expect(render.status == 0, "\(render.errors)")
        let plain = dir.appendingPathComponent("plain.mkv")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", bvh.path, "--seed", "5", "--frames", "0:4",
                             "--codec", "ffv1", "--out", plain.path, "--quiet"]).status == 0)
        let manifest = try Self.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors", "codec": "ffv1", "frames": "0:4"},
             "output": "{pose}.{ext}", "characters": [5],
             "poses": [{"name": "take", "file": "\(bvh.path)", "canvas": "640x480",
                        "camera": {"azimuth": 90, "elevation": 10, "projection": "orthographic"},
                        "cleanup": {"flip": true, "smooth": {"beta": 0.2}, "resample": 24, "retarget": "figure", "margin": 0.2}}]}
            """, in: dir)
        let batch = try CLI.run(["batch", manifest.path, "--quiet"], in: dir)
        #expect(batch.status == 0, "\(batch.errors)")
        let fromRender = try CLI.decode(rendered, frameBytes: 16 * 16 * 3)
        #expect(fromRender.count == 4)
        #expect(try CLI.decode(dir.appendingPathComponent("take.mkv"), frameBytes: 16 * 16 * 3) == fromRender)
        #expect(try CLI.decode(plain, frameBytes: 16 * 16 * 3) != fromRender, "the options changed nothing")
    }

    @Test func theGNUParallelLineInTheDocsRunsForReal() throws {
        let docs = try String(contentsOf: CLI.repository.appendingPathComponent("docs/batch.md"), encoding: .utf8)
        let line = try #require(docs.split(separator: "\n").first { $0.hasPrefix("parallel ") }.map(String.init))
        let dir = try CLI.temporaryDirectory()
        try Self.inputs(in: dir, poseCount: 3)
        _ = try Self.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors", "frames": "0:2"},
             "output": "out/{character}/{pose}.mp4",
             "characters": [1, 2, 3], "poses": ["p0.json", "p1.json", "p2.json"]}
            """, in: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = CLI.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = dir.path  // parallel keeps its notes in ~/.parallel
        let result = try CLI.capture(URL(fileURLWithPath: "/bin/sh"), ["-c", line], in: dir, environment: environment)
        #expect(result.status == 0, "\(line): \(String(decoding: result.errors, as: UTF8.self))")
        let events = try Self.events(String(contentsOf: dir.appendingPathComponent("events.jsonl"), encoding: .utf8))
        #expect(events.filter { $0["event"] as? String == "batch_started" }.count == 4)
        #expect(events.filter { $0["event"] as? String == "job_done" }.compactMap { $0["index"] as? Int }.sorted() == Array(0..<9))
        for character in ["seed1", "seed2", "seed3"] {
            for pose in ["p0", "p1", "p2"] {
                let url = dir.appendingPathComponent("out/\(character)/\(pose).mp4")
                #expect(try Self.frameCount(url) == 2, "\(url.path)")
            }
        }
    }
}
