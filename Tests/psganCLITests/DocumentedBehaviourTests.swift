import Foundation
import PSGANTestSupport
import Testing

/// What the docs promise, checked the way a new user meets it: plates at their own speed, options
/// that do not apply refused, messages that name what the user gave.
@Suite struct DocumentedBehaviourTests {
    /// A 15 fps plate under a 30 fps clip plays at its own speed: each plate frame shows twice, and
    /// a plate shorter than the clip holds its last frame.
    @Test func aPlateAtAnotherFrameRatePlaysAtItsOwnSpeed() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 24, fps: 30)
        // Ten plate frames of distinct grey levels, 15 fps, stored losslessly.
        let frames = dir.appendingPathComponent("plate")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        for i in 0 ..< 10 {
            try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=c=0x\(String(format: "%02x", 20 + i * 20))8040:s=64x32",
                                           "-frames:v", "1", frames.appendingPathComponent(String(format: "%02d.png", i)).path])
        }
        let plate = dir.appendingPathComponent("plate15.mkv")
        try TestSupport.run("ffmpeg", ["-v", "error", "-framerate", "15", "-i", frames.path + "/%02d.png", "-c:v", "ffv1", plate.path])
        let out = dir.appendingPathComponent("out.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--background", plate.path,
                                  "--codec", "ffv1", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let decoded = try CLI.decode(out, frameBytes: 64 * 32 * 3)
        #expect(decoded.count == 24)
        // The top-left pixel is the plate's (the character is fitted in the middle 32x32).
        let reds = decoded.map { Int($0[0]) }
        let expected = (0 ..< 24).map { 20 + min(9, $0 / 2) * 20 }
        #expect(zip(reds, expected).allSatisfy { abs($0 - $1) <= 4 }, "\(reds)")  // plate colours pass through YUV
    }

    @Test func optionsThatDoNotApplyAreRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir)
        let before = CLI.contents(of: dir)
        for (codec, ext) in [("prores", "mov"), ("ffv1", "mkv")] {
            let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", codec, "--crf", "20",
                                      "--out", dir.appendingPathComponent("a.\(ext)").path])
            #expect(result.status == 1 && result.errors.contains("--crf does not apply to \(codec)"), "\(result.errors)")
        }
        let frame = try CLI.run(["characters", "--model", model.path, "--seeds", "0:2", "--frame", "5", "--out", dir.appendingPathComponent("g.png").path])
        #expect(frame.status != 0 && frame.errors.contains("--frame picks a frame of --poses"), "\(frame.errors)")
        let jpeg = try CLI.run(["characters", "--model", model.path, "--seeds", "0:2", "--out", dir.appendingPathComponent("g.jpg").path])
        #expect(jpeg.status != 0 && jpeg.errors.contains("--out must name a .png file"), "\(jpeg.errors)")
        let size = try CLI.run(["pose", "convert", poses.path, "--size", "100x100", "--out", dir.appendingPathComponent("c.json").path])
        #expect(size.status != 0 && size.errors.contains("give --retarget too"), "\(size.errors)")
        let scene = dir.appendingPathComponent("scene.json")
        try #"{"version": 1, "size": "32x32", "characters": [{"poses": "poses.json"}]}"#.write(to: scene, atomically: true, encoding: .utf8)
        let upscale = try CLI.run(["render", "--model", model.path, "--scene", scene.path, "--upscale", "srgan-x2", "--out", dir.appendingPathComponent("s.mp4").path])
        #expect(upscale.status != 0 && upscale.errors.contains("--upscale does not go with --scene (scenes are drawn at the model's size"), "\(upscale.errors)")
        #expect(CLI.contents(of: dir) == before.union(["scene.json"]))
    }

    @Test func messagesNameWhatTheUserGave() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let person = (0 ..< 18).map { k in "\(10 + k), \(10 + 2 * k), 0.9" }.joined(separator: ", ")
        // An OpenPose folder with one person per frame, asked for person 3.
        let folder = dir.appendingPathComponent("op")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for f in 0 ..< 2 {
            try "{\"people\": [{\"pose_keypoints_2d\": [\(person)]}]}".write(to: folder.appendingPathComponent("f\(f)_keypoints.json"), atomically: true, encoding: .utf8)
        }
        let comfy = dir.appendingPathComponent("comfy.json")
        try "[{\"canvas_width\": 64, \"canvas_height\": 64, \"people\": [{\"pose_keypoints_2d\": [\(person)]}]}]".write(to: comfy, atomically: true, encoding: .utf8)
        for input in [folder, comfy] {
            let result = try CLI.run(["pose", "inspect", input.path, "--person", "3", "--canvas", "64x64"])
            #expect(result.status == 1 && result.errors.contains("no frame has person 3 (counted from 0; the most people in one frame is 1)"),
                    "\(input.lastPathComponent): \(result.errors)")
        }
        // A scene whose pose file is missing names the scene and the character.
        let scene = dir.appendingPathComponent("scene.json")
        try #"{"version": 1, "size": "32x32", "characters": [{"name": "ann", "poses": "nope.json", "seed": 1}]}"#.write(to: scene, atomically: true, encoding: .utf8)
        let missing = try CLI.run(["render", "--model", model.path, "--scene", scene.path, "--out", dir.appendingPathComponent("s.mp4").path])
        #expect(missing.status == 1 && missing.errors.contains("scene.json: character 'ann': ") && missing.errors.contains("nope.json: no such file"),
                "\(missing.errors)")
        // A PNG cut inside its header, in a folder of frames.
        let pngs = dir.appendingPathComponent("pngs")
        try FileManager.default.createDirectory(at: pngs, withIntermediateDirectories: true)
        let whole = pngs.appendingPathComponent("frame_000000.png")
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=s=16x16", "-frames:v", "1", whole.path])
        try Data(try Data(contentsOf: whole).prefix(20)).write(to: pngs.appendingPathComponent("frame_000001.png"))
        let cut = try CLI.run(["compare", pngs.path, pngs.path])
        #expect(cut.status != 0 && cut.errors.contains("damaged or cut short"), "\(cut.errors)")
        // A number past double's range, and a model size the contract does not have.
        let huge = dir.appendingPathComponent("huge.json")
        try #"{"format": "psgan-pose", "version": 1, "layout": "coco18", "canvas": {"width": 10, "height": 10}, "frames": [[[1e400, 1, 1]]]}"#
            .write(to: huge, atomically: true, encoding: .utf8)
        let number = try CLI.run(["pose", "inspect", huge.path])
        #expect(number.status == 1 && number.errors.contains("the number 1e400 is too large") && !number.errors.contains("Swift"), "\(number.errors)")
        let resolution = try CLI.run(["model", "init", "--resolution", "48", "--out", dir.appendingPathComponent("m.safetensors").path])
        #expect(resolution.status != 0 && resolution.errors.contains("Usage: psgan model init"), "\(resolution.errors)")
    }

    /// `psgan upscale` on a video keeps its sound and tags its output; a progress whose total is
    /// unknown says so instead of counting to each frame.
    @Test func upscalingAVideoKeepsItsSoundAndTellsWhatItIs() throws {
        let dir = try CLI.temporaryDirectory()
        for container in ["mp4", "mkv"] {
            let input = dir.appendingPathComponent("in.\(container)")
            try TestSupport.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=1.5",
                                           "-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-c:a", "aac", input.path])
            let out = dir.appendingPathComponent("out.\(container)")
            let result = try CLI.run(["upscale", input.path, "--model", "srgan-x2", "--out", out.path])
            #expect(result.status == 0, "\(result.errors)")
            let streams = try AudioTests.streams(out)
            #expect(streams.map(\.codec) == ["h264", "aac"] && abs(streams[1].end - streams[0].start - 2) < 0.1, "\(container): \(streams)")
            let json = try #require(try JSONSerialization.jsonObject(with: TestSupport.run("ffprobe", ["-v", "error", "-show_entries", "format_tags",
                                                                                                     "-of", "json", out.path])) as? [String: Any])
            let tags = ((json["format"] as? [String: Any])?["tags"] as? [String: String] ?? [:]).reduce(into: [String: String]()) { $0[$1.key.lowercased()] = $1.value }
            #expect(tags["psgan_upscaler_sha256"]?.count == 64 && tags["psgan_input_sha256"]?.count == 64
                    && tags["psgan_command"]?.contains("upscale") == true && tags["psgan_version"] != nil, "\(tags)")
            // Matroska does not say how many frames it holds: no "1/1 ... 15/15" count then.
            let lines = result.errors.split(separator: "\n")
            if container == "mkv" {
                #expect(!lines.contains { $0.contains("1/1 frames") } && lines.contains { $0.contains("frames so far") }, "\(lines)")
            } else {
                #expect(lines.contains { $0.contains("/15 frames") }, "\(lines)")
            }
        }
    }

    /// psgan found through PATH (its argv[0] a bare name), run from another folder, still finds the
    /// bundled model beside its executable, as the README's commands need.
    @Test func psganOnThePathFindsTheBundledModel() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("a.mp4")
        let path = CLI.executable.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = path
        environment.removeValue(forKey: "PSGAN_MODEL")
        let result = try CLI.capture(URL(fileURLWithPath: "/usr/bin/env"), ["psgan", "render", "--poses", CLI.repository.appendingPathComponent("poses/walk.json").path,
                                                                            "--frames", "0:1", "--upscale", "none", "--out", out.path, "--quiet"],
                                     in: dir, environment: environment)
        #expect(result.status == 0, "\(String(decoding: result.errors, as: UTF8.self))")
        #expect(FileManager.default.fileExists(atPath: out.path))
    }

    /// A manifest's default crf does not apply to a job whose codec has none; `compare --quiet`
    /// prints the verdict line its help promises.
    @Test func defaultsThatDoNotApplyAndTheQuietVerdict() throws {
        let dir = try CLI.temporaryDirectory()
        try BatchCommandTests.inputs(in: dir, poseCount: 1)
        let manifest = try BatchCommandTests.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors", "crf": 20}, "characters": [3], "poses": ["p0.json"],
             "jobs": [{"name": "lossless", "character": "seed3", "pose": "p0", "codec": "ffv1", "output": "out/a.mkv"}]}
            """, in: dir)
        let batch = try CLI.run(["batch", manifest.path, "--quiet"])
        #expect(batch.status == 0, "\(batch.errors)")
        let own = try BatchCommandTests.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors"}, "characters": [3], "poses": ["p0.json"],
             "jobs": [{"name": "lossless", "character": "seed3", "pose": "p0", "codec": "ffv1", "crf": 20, "output": "out/b.mkv"}]}
            """, in: dir)
        let refused = try CLI.run(["batch", own.path])
        #expect(refused.status == 2 && refused.errors.contains("\"crf\" does not apply to ffv1"), "\(refused.errors)")
        let video = dir.appendingPathComponent("out/a.mkv").path
        let compared = try CLI.run(["compare", video, video, "--quiet"])
        #expect(compared.status == 0 && compared.output.hasPrefix("PASS: 3 frames, 0 failed") && compared.output.split(separator: "\n").count == 1,
                "\(compared.output)")
    }

    /// `pose preview --fps 15` on 30 fps poses retimes them, as `render --fps 15` does.
    @Test func previewRetimesLikeARender() throws {
        let dir = try CLI.temporaryDirectory()
        let poses = try CLI.poseFile(in: dir, frames: 30, fps: 30)
        let out = dir.appendingPathComponent("p.mp4")
        let result = try CLI.run(["pose", "preview", poses.path, "--fps", "15", "--size", "32x32", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(out)
        #expect(probe["nb_read_frames"] as? String == "15" && probe["r_frame_rate"] as? String == "15/1", "\(probe)")
        let slow = dir.appendingPathComponent("slow.mp4")
        #expect(try CLI.run(["pose", "preview", poses.path, "--fps", "15", "--frame-per-pose", "--size", "32x32", "--out", slow.path, "--quiet"]).status == 0)
        #expect(try CLI.probe(slow)["nb_read_frames"] as? String == "30")
    }

    /// Every doc a message or help text points to exists.
    @Test func docsNamedInTheProgramExist() throws {
        let sources = CLI.repository.appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var named: Set<String> = []
        for case let file as URL in enumerator where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: try Regex("docs/[A-Za-z0-9_/-]+\\.md")) { named.insert(String(text[match.range])) }
        }
        #expect(named.contains("docs/scenes.md"))
        for path in named {
            #expect(FileManager.default.fileExists(atPath: CLI.repository.appendingPathComponent(path).path), "\(path)")
        }
    }
}

/// Batch manifests take alpha, backgrounds, placements and audio, with the checks `psgan render` makes.
@Suite struct ManifestProductionTests {
    @Test func manifestsTakeAlphaBackgroundAndAudio() throws {
        let dir = try CLI.temporaryDirectory()
        try BatchCommandTests.inputs(in: dir, poseCount: 1, frames: 15)
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1",
                                       dir.appendingPathComponent("plate.png").path])
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=duration=3", "-c:a", "aac",
                                       dir.appendingPathComponent("song.m4a").path])
        let manifest = try BatchCommandTests.writeManifest("""
            {"version": 1, "defaults": {"model": "tiny.safetensors"}, "characters": [3], "poses": ["p0.json"],
             "jobs": [
               {"name": "cutout", "character": "seed3", "pose": "p0", "alpha": true, "codec": "prores", "output": "out/cutout.mov"},
               {"name": "plate", "character": "seed3", "pose": "p0", "background": "plate.png", "place": "32,24,1.5", "output": "out/plate.mp4"},
               {"name": "green", "character": "seed3", "pose": "p0", "background": "chroma-green", "output": "out/green.mp4"},
               {"name": "song", "character": "seed3", "pose": "p0", "audio": {"file": "song.m4a", "offset": 0.1, "keep_length": true},
                "output": "out/song.mkv"}
             ]}
            """, in: dir)
        let result = try CLI.run(["batch", manifest.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let out = dir.appendingPathComponent("out")
        #expect(try CLI.probe(out.appendingPathComponent("cutout.mov"))["pix_fmt"] as? String == "yuva444p12le")
        let plate = try CLI.probe(out.appendingPathComponent("plate.mp4"))
        #expect(plate["width"] as? Int == 64 && plate["height"] as? Int == 48, "the plate's size: \(plate)")
        let green = try CLI.decode(out.appendingPathComponent("green.mp4"), frameBytes: 16 * 16 * 3)
        #expect(green.count == 15)
        let streams = try AudioTests.streams(out.appendingPathComponent("song.mkv"))
        #expect(streams.map(\.codec) == ["h264", "aac"] && streams[1].end - streams[0].start > 3, "the whole song, moved 0.1 s: \(streams)")

        // The render's checks, each naming the job.
        let cases: [(String, String)] = [
            (#""alpha": true, "background": "white""#, "\"alpha\" and \"background\" exclude each other"),
            (#""place": "1,1,1""#, "\"place\" needs a \"background\""),
            (#""background": "plate.png", "place": "1e30,1,1""#, "\"place\" must be X,Y,SCALE"),
            (#""audio": {"file": "song.m4a", "offset": 1e9}"#, "must be a number of seconds under a day"),
            (#""audio": {"file": "song.m4a", "gain": 2}"#, "unknown key \"gain\" in \"audio\""),
            (#""alpha": "yes""#, "\"alpha\" must be true or false"),
        ]
        for (settings, message) in cases {
            let bad = try BatchCommandTests.writeManifest("""
                {"version": 1, "defaults": {"model": "tiny.safetensors"}, "output": "bad/{name}.mp4", "characters": [3], "poses": ["p0.json"],
                 "jobs": [{"name": "x", "character": "seed3", "pose": "p0", \(settings)}]}
                """, in: dir)
            let refused = try CLI.run(["batch", bad.path])
            #expect(refused.status == 2 && refused.errors.contains(message), "\(settings): \(refused.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
    }
}
