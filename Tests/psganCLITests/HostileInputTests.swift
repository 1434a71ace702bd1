import Foundation
import PSGANTestSupport
import Testing

/// The second hostile-input campaign's cases (placements, scene sizes, backgrounds, audio,
/// character files, keyframes, seeds, output names): each ends in one clean line with exit 1 and
/// nothing written, or renders correctly.
@Suite struct HostileInputTests {
    /// A directory with a tiny model, a 6-frame pose file and a 64x48 PNG plate.
    struct Setup {
        let dir: URL, model: URL, poses: URL, plate: URL
        init() throws {
            dir = try CLI.temporaryDirectory()
            model = try CLI.tinyModel(in: dir)
            poses = try CLI.poseFile(in: dir)
            plate = dir.appendingPathComponent("plate.png")
            try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", plate.path])
        }
        func render(_ options: [String], out name: String = "out.mp4") throws -> CLIResult {
            try CLI.run(["render", "--model", model.path, "--poses", poses.path] + options
                        + ["--out", dir.appendingPathComponent(name).path, "--quiet"])
        }
        func scene(_ name: String, size: String? = nil, background: String? = nil, place: String = "\"pose\"") throws -> URL {
            var top: [String] = []
            if let size { top.append("\"size\": \"\(size)\"") }
            if let background { top.append("\"background\": \"\(background)\"") }
            let text = "{\"version\": 1, " + top.map { $0 + ", " }.joined()
                + "\"characters\": [{\"poses\": \"\(poses.lastPathComponent)\", \"seed\": 1, \"place\": \(place)}]}"
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
    }

    /// Exit 1, one line that contains `message`, no usage text.
    static func expectClean(_ result: CLIResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.status): \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.contains(message), "\(result.errors)", sourceLocation: sourceLocation)
        #expect(result.errors.split(separator: "\n").count == 1 && !result.errors.contains("Usage:"), "\(result.errors)",
                sourceLocation: sourceLocation)
    }

    @Test func placementsAndSceneSizesThatOverflowAreRefused() throws {
        let s = try Setup()
        let rule = "X and Y within ±100000 pixels, SCALE from 0.001 to 1000"
        for place in ["1e30,1,1", "64.3,64.3,1e-20", "0x10,0,1", "1,2", "nan,1,1"] {
            Self.expectClean(try s.render(["--background", s.plate.path, "--place", place]), rule)
        }
        for place in ["\"10,10,1e30\"", "\"1e19,10,1\"", "{\"x\": 1e300, \"y\": 0}"] {
            let scene = try s.scene("scene.json", size: "64x48", place: place)
            Self.expectClean(try CLI.run(["render", "--model", s.model.path, "--scene", scene.path, "--out",
                                          s.dir.appendingPathComponent("s.mp4").path]), rule)
        }
        for size in ["9223372036854775807x9223372036854775807", "16000x16000", "4097x2", "4096x2161"] {
            let scene = try s.scene("big.json", size: size)
            Self.expectClean(try CLI.run(["render", "--model", s.model.path, "--scene", scene.path, "--out",
                                          s.dir.appendingPathComponent("s.mp4").path]), "is larger than psgan composites or writes")
        }
        // In a batch, such a scene job fails alone; the other jobs render.
        let bad = try s.scene("bad.json", size: "64x48", place: "\"10,10,1e30\"")
        let manifest = s.dir.appendingPathComponent("jobs.json")
        try """
            {"version": 1, "defaults": {"model": "\(s.model.lastPathComponent)"}, "output": "out/{name}.mp4", "characters": [3],
             "poses": ["\(s.poses.lastPathComponent)"], "jobs": [{"scene": "\(bad.lastPathComponent)", "name": "bad"},
             {"character": "seed3", "pose": "poses", "name": "good"}]}
            """.write(to: manifest, atomically: true, encoding: .utf8)
        let batch = try CLI.run(["batch", manifest.path])
        #expect(batch.status == 1 && batch.errors.contains(rule), "\(batch.errors)")
        #expect(CLI.contents(of: s.dir.appendingPathComponent("out")) == ["good.mp4"])
        try FileManager.default.removeItem(at: s.dir.appendingPathComponent("out"))
        // A character placed off the canvas's corner is valid: it renders (partly outside).
        #expect(try s.render(["--background", s.plate.path, "--place", "-5,-5,1"]).status == 0)
        let files = CLI.contents(of: s.dir)
        #expect(files.filter { $0.hasPrefix(".") }.isEmpty && !files.contains("s.mp4"), "\(files)")
    }

    @Test func damagedOrAbsurdBackgroundsAreRefusedInOneLine() throws {
        let s = try Setup()
        let bytes = try Data(contentsOf: s.plate)
        let cut = s.dir.appendingPathComponent("cut.png")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        // A JPEG without its end marker: how a progressive JPEG cut between two scans reaches FFmpeg,
        // which only warns and then draws the missing scans' regions wrong.
        let jpeg = s.dir.appendingPathComponent("plate.jpg")
        try TestSupport.run("ffmpeg", ["-v", "error", "-i", s.plate.path, jpeg.path])
        let cutJPEG = s.dir.appendingPathComponent("cut.jpg")
        try Data(try Data(contentsOf: jpeg).dropLast(2)).write(to: cutJPEG)
        let wide = s.dir.appendingPathComponent("wide.png")
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=s=10000x10", "-frames:v", "1", wide.path])
        Self.expectClean(try s.render(["--background", cut.path]), "cut.png: ")
        Self.expectClean(try s.render(["--background", cutJPEG.path]), "cut.jpg: damaged data")
        Self.expectClean(try s.render(["--background", ""]), "--background is empty")
        Self.expectClean(try s.render(["--background", "#12345"]), "not a colour")
        Self.expectClean(try s.render(["--background", wide.path]), "wide.png: the picture 10000x10 is larger than psgan composites or writes")
        // A scene whose size differs from its plate: named at once, with the scene file.
        let scene = try s.scene("scene.json", size: "32x32", background: s.plate.path)
        Self.expectClean(try CLI.run(["render", "--model", s.model.path, "--scene", scene.path, "--out", s.dir.appendingPathComponent("s.mp4").path]),
                         "scene.json: size: 32x32 differs from the background's 64x48")
        #expect(!CLI.contents(of: s.dir).contains { $0.hasPrefix(".") || $0.hasSuffix(".mp4") })
    }

    @Test func characterFilesAreReadStrictly() throws {
        let s = try Setup()
        func character(_ name: String, _ text: String) throws -> URL {
            let url = s.dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        let cases: [(String, String, String)] = [
            ("typo.json", #"{"latnet": [1, 2, 3, 4, 5, 6, 7, 8], "seed": 1}"#, "unknown key 'latnet'"),
            ("bool.json", #"{"seed": true}"#, "'seed' must be an integer"),
            ("boollatent.json", #"{"latent": [true, 0, 0, 0, 0, 0, 0, 0]}"#, "'latent' element 0 is not a finite number (got true)"),
        ]
        for (name, text, message) in cases {
            Self.expectClean(try s.render(["--character", try character(name, text).path]), "\(name): \(message)")
        }
        Self.expectClean(try s.render(["--character", s.dir.path]), "is a directory, not a file")
        Self.expectClean(try s.render(["--character", "/dev/zero"]), "/dev/zero: not a regular file")
        Self.expectClean(try CLI.run(["render", "--model", s.model.path, "--scene", "/dev/zero", "--out", s.dir.appendingPathComponent("s.mp4").path]),
                         "/dev/zero: not a regular file")
        Self.expectClean(try CLI.run(["render", "--model", s.model.path, "--scene", s.dir.path, "--out", s.dir.appendingPathComponent("s.mp4").path]),
                         "is a directory, not a file")
        for seeds in ["0:3,0:3", "1,,2", "4,4"] {
            let result = try CLI.run(["characters", "--model", s.model.path, "--seeds", seeds, "--out", s.dir.appendingPathComponent("g.png").path])
            #expect(result.status != 0 && result.errors.contains("--seeds must be"), "\(seeds): \(result.errors)")
        }
        #expect(!CLI.contents(of: s.dir).contains { $0.hasSuffix(".mp4") || $0.hasSuffix(".png") && $0 != "plate.png" })
    }

    /// Two characters whose latents hold values near float's limit, keyframed one into the other:
    /// the frames between are the characters' blend, not black.
    @Test func extremeLatentsMorphIntoEachOther() throws {
        let s = try Setup()
        let a = s.dir.appendingPathComponent("a.json"), b = s.dir.appendingPathComponent("b.json")
        try #"{"latent": [3e38, -3e38, 3e38, 3e38, -3e38, 3e38, 3e38, 3e38]}"#.write(to: a, atomically: true, encoding: .utf8)
        try #"{"latent": [3e38, 3e38, -3e38, 3e38, 3e38, -3e38, 3e38, 3e38]}"#.write(to: b, atomically: true, encoding: .utf8)
        let out = s.dir.appendingPathComponent("morph.mkv")
        for interp in ["slerp", "lerp"] {
            let result = try CLI.run(["render", "--model", s.model.path, "--poses", s.poses.path, "--character", "\(a.path)@0",
                                      "--character", "\(b.path)@5", "--interp", interp, "--codec", "ffv1", "--out", out.path, "--quiet"])
            #expect(result.status == 0, "\(result.errors)")
            let frames = try CLI.decode(out, frameBytes: 16 * 16 * 3)
            #expect(frames.count == 6)
            // The same character in a scaled latent (the generator normalises it), so frame 0 is a's
            // seedless image and the middle frames lie between; none is all black.
            for (i, frame) in frames.enumerated() {
                #expect(frame.contains { $0 > 16 }, "\(interp) frame \(i) is black")
            }
        }
    }

    @Test func fromPeopleTakesEveryPersonAndRefusesWhatItCannotDo() throws {
        let s = try Setup()
        // An OpenPose frame with 100 people, each a standing figure at its own place.
        let people = (0 ..< 100).map { p -> String in
            let x = Double(p % 10) * 60 + 30, y = Double(p / 10) * 60 + 20
            let points = (0 ..< 18).map { k in "\(x + Double(k % 3) * 5), \(y + Double(k) * 2), 0.9" }.joined(separator: ", ")
            return "{\"pose_keypoints_2d\": [\(points)]}"
        }
        let take = s.dir.appendingPathComponent("crowd_keypoints.json")
        try "{\"version\": 1.3, \"people\": [\(people.joined(separator: ", "))]}".write(to: take, atomically: true, encoding: .utf8)
        let scene = s.dir.appendingPathComponent("crowd.json")
        let result = try CLI.run(["scene", "from-people", take.path, "--canvas", "640x640", "--seeds", "7", "--out", scene.path])
        #expect(result.status == 0, "\(result.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scene)) as? [String: Any])
        let characters = try #require(json["characters"] as? [[String: Any]])
        #expect(characters.count == 100)
        let seeds = characters.compactMap { $0["seed"] as? Int }
        #expect(seeds.first == 7 && Set(seeds).count == 100, "every person a character of their own")
        // A one-person native file and a BVH take: one character each.
        let bvh = try #require(try FileManager.default.contentsOfDirectory(atPath: CLI.repository.appendingPathComponent("motion").path)
            .sorted().first { $0.hasSuffix(".bvh") })
        for input in [s.poses.path, CLI.repository.appendingPathComponent("motion").appendingPathComponent(bvh).path] {
            let one = s.dir.appendingPathComponent("one.json")
            let made = try CLI.run(["scene", "from-people", input, "--out", one.path])
            #expect(made.status == 0, "\(made.errors)")
            let scene = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: one)) as? [String: Any])
            #expect((scene["characters"] as? [Any])?.count == 1, "\(input)")
        }
        Self.expectClean(try CLI.run(["scene", "from-people", take.path, "--out", s.dir.path]), "is a directory")
        let person = try CLI.run(["scene", "from-people", take.path, "--person", "1", "--out", scene.path])
        #expect(person.status != 0 && person.errors.contains("--person does not go with from-people"), "\(person.errors)")
    }

    @Test func longOutputNamesAndControlCharactersInThem() throws {
        let s = try Setup()
        // 251 characters in all: the longest name most file systems take, less a little.
        let name = String(repeating: "n", count: 247) + ".mp4"
        let result = try s.render([], out: name)
        #expect(result.status == 0, "\(result.errors)")
        #expect(FileManager.default.fileExists(atPath: s.dir.appendingPathComponent(name).path))
        let odd = "a\nb\u{1B}[31m.mp4"
        let printed = try CLI.run(["render", "--model", s.model.path, "--poses", s.poses.path, "--out", s.dir.appendingPathComponent(odd).path])
        #expect(printed.status == 0, "\(printed.errors)")
        let summary = try #require(printed.errors.split(separator: "\n").last)
        #expect(summary.hasPrefix("wrote ") && summary.contains("a\\nb\\u{1b}[31m.mp4") && !summary.contains("\u{1B}"), "\(summary)")
    }

    /// SIGTERM while a render with audio runs: nothing anywhere, in the output's folder or $TMPDIR.
    @Test func sigtermDuringAnAudioRenderLeavesNoFileAnywhere() throws {
        let s = try Setup()
        let scratch = s.dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let poses = try CLI.poseFile(in: s.dir, frames: 20000, fps: 30, name: "long.json")
        let audio = s.dir.appendingPathComponent("song.wav")
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=duration=700", audio.path])
        let before = CLI.contents(of: s.dir)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["render", "--model", s.model.path, "--poses", poses.path, "--audio", audio.path,
                             "--out", s.dir.appendingPathComponent("long.mp4").path, "--quiet"]
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = scratch.path
        process.environment = environment
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while CLI.contents(of: s.dir) == before && Date() < deadline { usleep(20_000) }
        usleep(300_000)
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(CLI.contents(of: s.dir) == before)
        #expect(CLI.contents(of: scratch).isEmpty)
    }
}
