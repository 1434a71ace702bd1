import Foundation
@testable import PSGANKit
import Testing

/// Batch manifests, output templates and shards, without rendering.
@Suite struct BatchManifestTests {
    static let manifestURL = URL(fileURLWithPath: "/data/renders/jobs.json")
    static let resolver = BatchManifest.Resolver(
        defaultModel: { URL(fileURLWithPath: "/opt/psgan/default.safetensors") },
        builtInUpscalers: ["srgan-x2"],
        builtInUpscaler: { $0 == "srgan-x2" ? URL(fileURLWithPath: "/opt/psgan/srgan-x2.safetensors") : nil })

    static func manifest(_ text: String) throws -> BatchManifest {
        try BatchManifest(data: Data(text.utf8), url: manifestURL, resolver: resolver)
    }

    static func error(_ text: String) -> String {
        do {
            _ = try manifest(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func crossProductIsCharacterMajorWithPathsFromTheManifestsDirectory() throws {
        let manifest = try Self.manifest("""
            {"version": 1, "defaults": {"codec": "vp9", "fps": 24, "canvas": "640x480"},
             "output": "out/{character}/{pose}-{index}.{ext}",
             "characters": [7, "chars/ayumi.json", {"name": "mix", "keyframes": ["seed:1@0", {"file": "/abs/b.json", "frame": 30}], "interp": "lerp"}],
             "poses": ["poses/walk.json", {"name": "dance", "file": "/data/op/dance/", "canvas": "1280x720"}]}
            """)
        #expect(manifest.jobs.map(\.name) == ["seed7-walk", "seed7-dance", "ayumi-walk", "ayumi-dance", "mix-walk", "mix-dance"])
        #expect(manifest.jobs.map(\.index) == Array(0..<6))
        let first = manifest.jobs[0].render
        #expect(first.output.path == "/data/renders/out/seed7/walk-0.webm")
        #expect(first.poses.url.path == "/data/renders/poses/walk.json")
        #expect(first.model.path == "/opt/psgan/default.safetensors")
        #expect(first.codec == .vp9 && first.fps == 24)
        #expect(first.poses.reading.canvas?.width == 640)
        #expect(manifest.jobs[1].render.poses.reading.canvas?.width == 1280, "a pose entry's canvas beats the defaults")
        #expect(manifest.jobs[1].render.poses.url.path == "/data/op/dance")
        guard case .keyframes(let keys, _) = manifest.jobs[2].render.characters else { Issue.record("not a file character"); return }
        #expect(keys.first?.path == "/data/renders/chars/ayumi.json")
        guard case .keyframes(let mixed, let interpolation) = manifest.jobs[4].render.characters else { Issue.record("no keyframes"); return }
        #expect(interpolation == .lerp)
        #expect(mixed.map(\.frame) == [0, 30] && mixed[0].seed == 1 && mixed[1].path == "/abs/b.json")
    }

    @Test func listedJobsOverrideTheDefaults() throws {
        let manifest = try Self.manifest("""
            {"version": 1, "defaults": {"model": "m.safetensors", "crf": 20, "frames": "0:10"},
             "output": "out/{name}.mp4",
             "characters": [{"name": "bo", "seed": 3}], "poses": ["walk.json"],
             "jobs": [{"character": "bo", "pose": "walk"},
                      {"name": "big", "character": "bo", "pose": "walk", "crf": 30, "upscale": "srgan-x2", "tile": 64},
                      {"character": "bo", "pose": "walk", "output": "raw/{character}.{ext}", "codec": "ffv1", "upscale": "ups/x.safetensors"}]}
            """)
        #expect(manifest.jobs.map(\.name) == ["bo-walk", "big", "bo-walk"])
        #expect(manifest.jobs[0].render.crf == 20 && manifest.jobs[0].render.model.path == "/data/renders/m.safetensors")
        #expect(manifest.jobs[0].render.codec == .h264)
        #expect(manifest.jobs[1].render.crf == 30 && manifest.jobs[1].render.tile == 64)
        #expect(manifest.jobs[1].render.upscaling == .file(URL(fileURLWithPath: "/opt/psgan/srgan-x2.safetensors")))
        #expect(manifest.jobs[1].render.frames == FrameRange("0:10"))
        #expect(manifest.jobs[2].render.output.path == "/data/renders/raw/bo.mkv")
        #expect(manifest.jobs[2].render.upscaling == .file(URL(fileURLWithPath: "/data/renders/ups/x.safetensors")))
        // No "upscale": the model's suggestion applies (looked up among the built-in ones when the job runs).
        #expect(manifest.jobs[0].render.upscaling == .modelSuggestion)
    }

    @Test func poseEntriesTakeEveryReadingAndCleanupOption() throws {
        let manifest = try Self.manifest("""
            {"version": 1, "output": "out/{pose}.mp4", "characters": [1],
             "poses": [{"name": "take", "file": "op/", "canvas": "1280x720", "format": "openpose", "person": 2, "input_fps": 25,
                        "coco_order": "name", "camera": {"azimuth": 90, "elevation": 10, "distance": 4, "projection": "orthographic"},
                        "cleanup": {"min_confidence": 0.3, "flip": true, "max_gap": 4, "smooth": {"min_cutoff": 0.5, "beta": 0.2},
                                    "resample": 24, "retarget": "figure", "margin": 0.2}},
                       "plain.json"]}
            """)
        let input = manifest.jobs[0].render.poses
        #expect(input.url.path == "/data/renders/op")
        #expect(input.reading.format == .openpose && input.reading.person == .index(2) && input.reading.inputFPS == 25)
        #expect(input.reading.canvas == CanvasSize(width: 1280, height: 720) && input.reading.cocoOrder == .name)
        #expect(input.reading.camera.azimuth == 90 && input.reading.camera.elevation == 10 && input.reading.camera.distance == 4)
        #expect(input.reading.camera.projection == .orthographic)
        #expect(input.cleanup.minConfidence == 0.3 && input.cleanup.flip && input.cleanup.maxGap == 4 && input.cleanup.resampleFPS == 24)
        #expect(input.cleanup.smoothing?.minCutoff == 0.5 && input.cleanup.smoothing?.beta == 0.2 && input.cleanup.smoothing?.derivativeCutoff == 1)
        #expect(input.cleanup.retargeting == .fitFigure(margin: 0.2))
        // A plain path reads with the defaults, as `psgan render` without options does.
        let plain = manifest.jobs[1].render.poses
        #expect(plain.reading.format == nil && plain.reading.person == .largest && plain.cleanup.retargeting == nil && !plain.cleanup.flip)

        let base = #""version": 1, "output": "o/{pose}.mp4", "characters": [1]"#
        #expect(Self.error(#"{\#(base), "poses": [{"file": "a.json", "cleanup": {"smooth": 3}}]}"#)
            == #"/data/renders/jobs.json: poses[0]: "smooth" must be true, false or an object with "min_cutoff", "beta", "d_cutoff", found the number 3"#)
        #expect(Self.error(#"{\#(base), "poses": [{"file": "a.json", "cleanup": {"max_gap": -1}}]}"#)
            == #"/data/renders/jobs.json: poses[0]: "cleanup": the largest gap to fill must be 0 or more frames"#)
        #expect(Self.error(#"{\#(base), "poses": [{"file": "a.bvh", "camera": {"elevation": 95}}]}"#)
            == #"/data/renders/jobs.json: poses[0]: "camera": the camera elevation must be above -90 and below 90 degrees"#)
        #expect(Self.error(#"{\#(base), "poses": [{"file": "a.json", "format": "fbx"}]}"#)
            == #"/data/renders/jobs.json: poses[0]: "format" must be one of native, openpose, comfyui, coco, mmpose, bvh, found 'fbx'"#)
        #expect(Self.error(#"{\#(base), "poses": [{"file": "a.json", "cleanup": {"retarget": "stretch"}}]}"#)
            == #"/data/renders/jobs.json: poses[0]: "retarget" must be "canvas", "figure" or "scale:S", found 'stretch'"#)
    }

    @Test func problemsNameTheirPlace() {
        let base = #""version": 1, "characters": [1, 2], "poses": ["a.json", "b.json"]"#
        #expect(Self.error(#"{\#(base), "output": "o/{character}.mp4"}"#)
            == "/data/renders/jobs.json: job 1 (seed1-b): writes /data/renders/o/seed1.mp4, as job 0 (seed1-a) does (every job needs its own output)")
        #expect(Self.error(#"{\#(base), "output": "o/{pose}-{character}.mp4", "defaults": {"tile": 4, "upscale": "none"}}"#)
            == "/data/renders/jobs.json: job 0 (seed1-a): \"tile\" needs an upscaler, not \"upscale\": \"none\"")
        #expect(Self.error(#"{\#(base), "output": "o/{pose}-{character}.mp4", "defaults": {"upscale": "esrgan"}}"#)
            .hasSuffix("job 0 (seed1-a): unknown upscaler 'esrgan': use none, srgan-x2, or a .safetensors file path"))
        #expect(Self.error(#"{"version": 1, "characters": [1, {"seed": 1}], "poses": ["a.json"], "output": "x/{character}.mp4"}"#)
            .contains("characters[1]: the name 'seed1' is already used by characters[0]"))
        #expect(Self.error(#"{"version": 1, "characters": [{"name": "a/b", "seed": 1}], "poses": ["a.json"], "output": "x.mp4"}"#)
            .contains("characters[0]: the name 'a/b' cannot be part of a file name"))
        #expect(Self.error(#"{"version": 1, "characters": [{"name": "k", "keyframes": ["seed:1@5", "seed:2@5"]}], "poses": ["a.json"], "output": "x.mp4"}"#)
            .contains("characters[0] keyframes[1]: keyframes[0] is at frame 5 too"))
        #expect(Self.error(#"{\#(base), "output": "o/{pose}{character}", "defaults": {"codec": "h264"}}"#)
            .contains("job 0 (seed1-a): /data/renders/o/aseed1: has no file extension"))
        #expect(Self.error(#"{\#(base), "output": "o/{pose}{character}.mp4", "defaults": {"codec": "png"}}"#)
            .contains("codec 'png' writes a directory of PNG frames"))
        #expect(Self.error(#"{\#(base), "output": "o/{pose}/{character}.{ext}", "jobs": []}"#)
            .contains("jobs: must be a non-empty list"))
        #expect(Self.error(#"[1]"#) == "/data/renders/jobs.json: expected a JSON object with \"version\", \"output\", \"characters\" and \"poses\", found an array")
    }

    @Test func outputTemplatesExpandPlaceholdersAndRejectOthers() throws {
        let template = try OutputTemplate("r/{character}/{pose}_{index}_{codec}.{ext}")
        let values = OutputTemplate.Values(character: "ayumi", pose: "walk", index: 12, name: "n", codec: .prores)
        #expect(template.expand(values) == "r/ayumi/walk_12_prores.mov")
        #expect(try OutputTemplate("{name}.{ext}").expand(.init(character: "", pose: "", index: 0, name: "x", codec: .png)) == "x.png")
        #expect(try OutputTemplate("a/{pose}.webm").literalExtension == "webm")
        #expect(try OutputTemplate("a.d/{pose}").literalExtension == "")
        expectError(.manifest) { try OutputTemplate("{Pose}.mp4") }
        expectError(.manifest) { try OutputTemplate("{pose.mp4") }
        expectError(.manifest) { try OutputTemplate("pose}.mp4") }
        expectError(.manifest) { try OutputTemplate("") }
    }

    @Test func shardsComeFromArgumentsSlurmAndKubernetes() throws {
        #expect(BatchShard("2/5") == BatchShard(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1/0", "1", "a/b", "1/2/3"] { #expect(BatchShard(bad) == nil, "\(bad)") }
        #expect(try BatchShard(environment: [:]) == nil)
        #expect(try BatchShard(environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == BatchShard("3/4"))
        #expect(try BatchShard(environment: ["SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "8"]) == BatchShard("7/8"))
        #expect(try BatchShard(environment: ["SLURM_ARRAY_TASK_ID": "14", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_STEP": "2",
                                             "SLURM_ARRAY_TASK_COUNT": "4"]) == BatchShard("2/4"))
        expectError(.manifest) {
            try BatchShard(environment: ["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        }
        #expect(try BatchShard(environment: ["JOB_COMPLETION_INDEX": "2", "PSGAN_SHARD_COUNT": "3"]) == BatchShard("2/3"))
        #expect(try BatchShard(environment: ["JOB_COMPLETION_INDEX": "2", "PSGAN_SHARD_COUNT": "3"], count: 6) == BatchShard("2/6"))
        expectError(.manifest) { try BatchShard(environment: ["JOB_COMPLETION_INDEX": "2"]) }
        expectError(.manifest) { try BatchShard(environment: ["JOB_COMPLETION_INDEX": "x", "PSGAN_SHARD_COUNT": "3"]) }
        for count in 1...9 {
            let owners = (0..<50).map { job in (0..<count).filter { BatchShard(index: $0, count: count)!.contains(jobIndex: job) } }
            #expect(owners.allSatisfy { $0.count == 1 }, "\(count) shards")
        }
    }
}
