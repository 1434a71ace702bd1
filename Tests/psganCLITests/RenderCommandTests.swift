import Foundation
import PSGANKit
import Testing

/// `psgan render` end to end: real files in, real videos out, checked with FFmpeg's own tools.
@Suite struct RenderCommandTests {
    /// The frames the library's generator makes for the test pose file, for comparison with decoded output.
    func expectedFrames(model: URL, poses: URL, latent: (Int) -> [Float]) throws -> [RGBImage] {
        let loaded = try PSGANModel(contentsOf: model)
        let prepared = try Renderer.prepare(try PoseFileReader.read(poses), for: loaded.config)
        let renderer = Renderer(model: loaded)
        return prepared.indices.map { renderer.frame(keypoints: prepared[$0], latent: latent($0)) }
    }

    @Test func ffv1OutputDecodesToTheGeneratorsFramesExactly() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir)
        let out = dir.appendingPathComponent("clip.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--seed", "7",
                                  "--codec", "ffv1", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(out)
        #expect(probe["codec_name"] as? String == "ffv1")
        #expect(probe["pix_fmt"] as? String == "bgr0")
        #expect(probe["nb_read_frames"] as? String == "6")
        #expect(probe["r_frame_rate"] as? String == "12/1")
        let latent = SeededNormals.latent(seed: 7, dimension: 8)
        let expected = try expectedFrames(model: model, poses: poses) { _ in latent }
        let decoded = try CLI.decode(out, frameBytes: 16 * 16 * 3)
        #expect(decoded.count == 6)
        for (i, frame) in decoded.enumerated() {
            #expect(frame == expected[i].pixels, "frame \(i)")
        }
        #expect(CLI.contents(of: dir) == ["tiny.safetensors", "poses.json", "clip.mkv"])
    }

    @Test func pngSequenceHoldsEveryFrameExactly() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 4)
        let out = dir.appendingPathComponent("frames")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", "png",
                                  "--frames", "1:3", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["frame_000000.png", "frame_000001.png"])
        let latent = SeededNormals.latent(seed: 0, dimension: 8)
        let expected = try expectedFrames(model: model, poses: poses) { _ in latent }
        let decoded = try CLI.decode(out, frameBytes: 16 * 16 * 3)
        #expect(decoded == [expected[1].pixels, expected[2].pixels])
    }

    /// A looped cycle: frames 3 to 6 repeat frames 0 to 2, so they are reused, and the decoded video
    /// still holds the generator's frame for every pose.
    @Test func aLoopedCycleReusesItsRepeatedFramesExactly() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let cycle = try CLI.poseFile(in: dir, frames: 3, name: "cycle.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: cycle)) as! [String: Any]
        let frames = json["frames"] as! [Any]
        json["frames"] = [0, 1, 2, 0, 1, 2, 0].map { frames[$0] }
        let poses = dir.appendingPathComponent("poses.json")
        try JSONSerialization.data(withJSONObject: json).write(to: poses)
        let out = dir.appendingPathComponent("clip.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--seed", "3",
                                  "--codec", "ffv1", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.contains("wrote \(out.path): 7 frames"))
        #expect(result.errors.contains("4 repeated frames reused"), "\(result.errors)")
        let latent = SeededNormals.latent(seed: 3, dimension: 8)
        let expected = try expectedFrames(model: model, poses: poses) { _ in latent }
        let decoded = try CLI.decode(out, frameBytes: 16 * 16 * 3)
        #expect(decoded == expected.map(\.pixels))
        #expect(decoded[6] == decoded[0] && decoded[0] != decoded[1])
    }

    @Test func keyframedCharactersInterpolate() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 5)
        let alice = dir.appendingPathComponent("alice.json")
        try #"{"name": "alice", "seed": 3}"#.write(to: alice, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("morph.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", "ffv1",
                                  "--character", "\(alice.path)@1", "--character", "seed:9@3", "--interp", "lerp",
                                  "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        let a = SeededNormals.latent(seed: 3, dimension: 8), b = SeededNormals.latent(seed: 9, dimension: 8)
        let middle = a.indices.map { Float(0.5 * Double(a[$0]) + 0.5 * Double(b[$0])) }
        let latents = [a, a, middle, b, b]
        let expected = try expectedFrames(model: model, poses: poses) { latents[$0] }
        let decoded = try CLI.decode(out, frameBytes: 16 * 16 * 3)
        #expect(decoded == expected.map(\.pixels))
        #expect(decoded[0] != decoded[4] || expected[0] == expected[4])
    }

    @Test func h264ClipReportsFrameCountRateAndDuration() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 6, fps: 12)
        let out = dir.appendingPathComponent("clip.mp4")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--fps", "29.97", "--frame-per-pose", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.contains("wrote \(out.path): 6 frames"))
        let probe = try CLI.probe(out)
        #expect(probe["codec_name"] as? String == "h264")
        #expect(probe["pix_fmt"] as? String == "yuv420p")
        #expect(probe["width"] as? Int == 16 && probe["height"] as? Int == 16)
        #expect(probe["nb_read_frames"] as? String == "6")
        #expect(probe["r_frame_rate"] as? String == "30000/1001")
        let duration = Double(probe["duration"] as? String ?? "") ?? 0
        #expect(abs(duration - 6 / 29.97) < 1 / 29.97)
    }

    @Test func defaultModelIsFoundFromTheRepository() throws {
        let dir = try CLI.temporaryDirectory()
        let poses = try CLI.poseFile(in: dir, frames: 2)
        let out = dir.appendingPathComponent("default.mkv")
        let result = try CLI.run(["render", "--poses", poses.path, "--codec", "ffv1", "--out", out.path], in: CLI.repository)
        #expect(result.status == 0, "\(result.errors)")
        let bundled = try PSGANModel(contentsOf: CLI.repository.appendingPathComponent("samples/psgan-default.safetensors"))
        // The bundled model's frames, times its suggested upscaler's factor when it names one.
        let scale = try bundled.config.upscale.map { name -> Int in
            let entry = try #require(["srgan-x2": 2, "srgan-x4": 4, "anime-x4": 4][name], "unknown suggestion \(name)")
            #expect(result.errors.contains("by \(name), the model's suggestion"))
            return entry
        } ?? 1
        let probe = try CLI.probe(out)
        #expect(probe["width"] as? Int == bundled.config.resolution * scale)
        #expect(probe["nb_read_frames"] as? String == "2")
    }

    @Test func aModelsSuggestedUpscalerAppliesUnlessToldOtherwise() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let poses = try CLI.poseFile(in: dir, frames: 2)
        let model = dir.appendingPathComponent("suggests.safetensors")
        let made = try CLI.run(["model", "init", "--resolution", "16", "--latent-dim", "8", "--channels", "4:8,8:8,16:4",
                                "--upscale", "srgan-x2", "--out", model.path])
        #expect(made.status == 0, "\(made.errors)")
        let inspected = try CLI.run(["model", "inspect", model.path])
        #expect(inspected.output.contains("upscale      srgan-x2"), "\(inspected.output)")

        let suggested = dir.appendingPathComponent("suggested.mkv")
        let first = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", "ffv1", "--out", suggested.path],
                                in: CLI.repository)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.errors.contains("32x32 (upscaled x2 by srgan-x2, the model's suggestion; --upscale none for 16x16)"), "\(first.errors)")
        #expect(try CLI.probe(suggested)["width"] as? Int == 32)

        let plain = dir.appendingPathComponent("plain.mkv")
        let second = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--upscale", "none", "--codec", "ffv1",
                                  "--out", plain.path], in: CLI.repository)
        #expect(second.status == 0, "\(second.errors)")
        #expect(try CLI.probe(plain)["width"] as? Int == 16)

        // An explicit upscaler beats the suggestion.
        let four = dir.appendingPathComponent("four.mkv")
        let third = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--upscale", "srgan-x4", "--codec", "ffv1",
                                 "--out", four.path], in: CLI.repository)
        #expect(third.status == 0, "\(third.errors)")
        #expect(try CLI.probe(four)["width"] as? Int == 64)
    }

    @Test func anUnknownSuggestedUpscalerIsAOneLineError() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let poses = try CLI.poseFile(in: dir, frames: 2)
        // A model file from elsewhere may suggest an upscaler this psgan lacks.
        let tiny = try PSGANModel(contentsOf: try CLI.tinyModel(in: dir))
        var config = tiny.config
        config.upscale = "hat-x8"
        let file = dir.appendingPathComponent("foreign.safetensors")
        try PSGANModel(config: config, weights: tiny.weights).write(to: file, precision: .f32)
        let out = dir.appendingPathComponent("x.mp4")
        let result = try CLI.run(["render", "--model", file.path, "--poses", poses.path, "--out", out.path], in: CLI.repository)
        #expect(result.status != 0)
        #expect(result.errors.contains("\(file.path): suggests the upscaler 'hat-x8', which is not a built-in one here"), "\(result.errors)")
        #expect(result.errors.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let rescued = try CLI.run(["render", "--model", file.path, "--poses", poses.path, "--upscale", "none", "--out", out.path],
                                  in: CLI.repository)
        #expect(rescued.status == 0, "\(rescued.errors)")
    }
}
