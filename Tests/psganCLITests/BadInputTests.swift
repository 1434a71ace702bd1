import Foundation
import PSGANKit
import Testing

/// Every bad input ends in a one-line error naming the file, a non-zero exit, and no output.
@Suite struct BadInputTests {
    struct Setup {
        let dir: URL
        let model: URL
        let poses: URL
    }

    func setup() throws -> Setup {
        let dir = try CLI.temporaryDirectory()
        return Setup(dir: dir, model: try CLI.tinyModel(in: dir), poses: try CLI.poseFile(in: dir))
    }

    /// Runs a render that must fail with a message containing `fragments`, leaving the directory as it was.
    func expectFailure(_ setup: Setup, _ arguments: [String], out: String = "out.mp4", containing fragments: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = CLI.contents(of: setup.dir)
        let outPath = out.hasPrefix("/") ? out : setup.dir.appendingPathComponent(out).path
        let result = try CLI.run(["render", "--model", setup.model.path, "--poses", setup.poses.path, "--out", outPath] + arguments)
        #expect(result.status != 0, "exit status", sourceLocation: sourceLocation)
        let message = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(message.count == 1, "expected one error line, got: \(result.errors)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.errors.contains(fragment), "'\(fragment)' not in: \(result.errors)", sourceLocation: sourceLocation)
        }
        #expect(CLI.contents(of: setup.dir) == before, "files left behind", sourceLocation: sourceLocation)
    }

    func write(_ text: String, to name: String, in setup: Setup) throws -> URL {
        let url = setup.dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func malformedPoseFiles() throws {
        let s = try setup()
        let text = try String(contentsOf: s.poses, encoding: .utf8)
        let truncated = try write(String(text.prefix(text.count / 2)), to: "truncated.json", in: s)
        try expectFailure(s, ["--poses", truncated.path], containing: ["truncated.json"])
        let nan = try write(text.replacingOccurrences(of: "[8.0, 4.0, 1]", with: "[NaN, 4.0, 1]"), to: "nan.json", in: s)
        try expectFailure(s, ["--poses", nan.path], containing: ["nan.json"])
        let missing = s.dir.appendingPathComponent("absent.json")
        try expectFailure(s, ["--poses", missing.path], containing: ["absent.json"])
        let body = try write(#"{"format": "psgan-pose", "version": 1, "layout": "avatar20", "fps": 30, "canvas": {"width": 8, "height": 8}, "frames": [[[1, 1, 1]]]}"#,
                             to: "other-layout.json", in: s)
        try expectFailure(s, ["--poses", body.path], containing: ["avatar20", "coco18"])
    }

    @Test func openPoseWithoutCanvas() throws {
        let s = try setup()
        let op = s.dir.appendingPathComponent("openpose")
        try FileManager.default.createDirectory(at: op, withIntermediateDirectories: true)
        let values = (0..<54).map { _ in "1.0" }.joined(separator: ",")
        try #"{"version": 1.3, "people": [{"pose_keypoints_2d": [\#(values)]}]}"#
            .write(to: op.appendingPathComponent("clip_000000000000_keypoints.json"), atomically: true, encoding: .utf8)
        try expectFailure(s, ["--poses", op.path], containing: ["openpose", "--canvas"])
        // With the canvas it renders.
        let out = s.dir.appendingPathComponent("op.mkv")
        let ok = try CLI.run(["render", "--model", s.model.path, "--poses", op.path, "--canvas", "640x480", "--codec", "ffv1", "--out", out.path])
        #expect(ok.status == 0, "\(ok.errors)")
        #expect(try CLI.probe(out)["nb_read_frames"] as? String == "1")
    }

    @Test func malformedModelFiles() throws {
        let s = try setup()
        let bytes = try Data(contentsOf: s.model)
        let truncated = s.dir.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count - 10).write(to: truncated)
        try expectFailure(s, ["--model", truncated.path], containing: ["truncated.safetensors", "truncated"])
        let garbage = try write("this is not a model", to: "garbage.safetensors", in: s)
        try expectFailure(s, ["--model", garbage.path], containing: ["garbage.safetensors"])
        // A NaN planted in the last weight (torgb.bias is stored last, F32).
        var poisoned = bytes
        let nan = Float.nan.bitPattern
        for i in 0..<4 { poisoned[poisoned.count - 4 + i] = UInt8((nan >> (8 * UInt32(i))) & 0xFF) }
        let nanModel = s.dir.appendingPathComponent("nan.safetensors")
        try poisoned.write(to: nanModel)
        try expectFailure(s, ["--model", nanModel.path], containing: ["nan.safetensors", "torgb.bias", "non-finite"])
    }

    @Test func badOutputs() throws {
        let s = try setup()
        try expectFailure(s, ["--codec", "divx"], containing: ["--codec", "divx"])
        try expectFailure(s, ["--codec", "prores"], out: "out.webm", containing: ["out.webm", "prores"])
        try expectFailure(s, [], out: "out.avi2", containing: ["out.avi2"])
        try expectFailure(s, [], out: s.poses.path + "/out.mp4", containing: ["out.mp4"])
        try expectFailure(s, ["--frames", "3:99"], containing: ["poses.json", "--frames", "6 frames"])
        try expectFailure(s, ["--seed", "1", "--character", "seed:2"], containing: ["--seed"])
        try expectFailure(s, ["--character", s.dir.appendingPathComponent("nobody.json").path], containing: ["nobody.json"])
        let latent = try write(#"{"latent": [1, 2, 3]}"#, to: "short.json", in: s)
        try expectFailure(s, ["--character", latent.path], containing: ["short.json", "latent has 3 values", "latent_dim is 8"])
    }

    @Test func existingOutputIsKeptWhenARenderFails() throws {
        let s = try setup()
        let out = s.dir.appendingPathComponent("keep.mp4")
        try Data("precious".utf8).write(to: out)
        let result = try CLI.run(["render", "--model", s.dir.appendingPathComponent("absent.safetensors").path,
                                  "--poses", s.poses.path, "--out", out.path])
        #expect(result.status != 0)
        #expect(try Data(contentsOf: out) == Data("precious".utf8))
    }

    @Test func modelInitAndInspect() throws {
        let s = try setup()
        let inspect = try CLI.run(["model", "inspect", s.model.path])
        #expect(inspect.status == 0)
        // R=16, L=8, K=18, channels 4:8, 8:8, 16:4: parameters 8*16*8+8 + 8*26*9+8 + 8*26*9+8 + 8*8*9+8 + 4*26*9+4 + 4*4*9+4 + 3*4+3.
        let parameters = 1024 + 8 + 1872 + 8 + 1872 + 8 + 576 + 8 + 936 + 4 + 144 + 4 + 12 + 3
        #expect(inspect.output.contains("parameters   \(parameters)"), "\(inspect.output)")
        #expect(inspect.output.contains("16x16"))
        let bad = try CLI.run(["model", "init", "--resolution", "24", "--out", s.dir.appendingPathComponent("x.safetensors").path])
        #expect(bad.status != 0)
        #expect(bad.errors.contains("resolution 24"))
        let custom = try CLI.run(["model", "init", "--resolution", "8", "--layout", "avatar20", "--out", s.dir.appendingPathComponent("y.safetensors").path])
        #expect(custom.status != 0)
        #expect(custom.errors.contains("--keypoints"))
    }
}

/// An interrupted render removes its partial output.
@Suite struct InterruptTests {
    @Test func sigintRemovesThePartialOutput() throws {
        let dir = try CLI.temporaryDirectory()
        let model = dir.appendingPathComponent("m.safetensors")
        let made = try CLI.run(["model", "init", "--resolution", "64", "--latent-dim", "16", "--channels", "4:32,8:32,16:32,32:32,64:32",
                                "--out", model.path])
        #expect(made.status == 0)
        let poses = try CLI.poseFile(in: dir, frames: 4000)
        let before = CLI.contents(of: dir)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["render", "--model", model.path, "--poses", poses.path, "--out", dir.appendingPathComponent("long.mp4").path, "--quiet"]
        try process.run()
        // Wait until the temporary output exists, then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while CLI.contents(of: dir) == before && Date() < deadline { usleep(20_000) }
        #expect(CLI.contents(of: dir).contains { $0.hasPrefix(".long.partial-") })
        usleep(200_000)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGINT)
        #expect(CLI.contents(of: dir) == before)
    }
}
