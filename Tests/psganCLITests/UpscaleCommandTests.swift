import Foundation
import PSGANKit
import Testing

/// `psgan upscale` and `psgan render --upscale` end to end, checked with `ffprobe` and `ffmpeg`.
@Suite struct UpscaleCommandTests {
    /// `Tests/Fixtures/golden/sr`: the independent super-resolution goldens.
    static let goldenSR = CLI.repository.appendingPathComponent("Tests/Fixtures/golden/sr")

    /// A small RGB test image.
    static func image(width: Int, height: Int, seed: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: (0 ..< width * height * 3).map { UInt8(($0 * 29 + seed * 7 + ($0 / 3) % width * 5) % 256) })
    }

    @Test func renderWithUpscaleDoublesTheResolution() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 3)
        let out = dir.appendingPathComponent("clip.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", "ffv1",
                                  "--upscale", "srgan-x2", "--out", out.path, "--quiet"], in: CLI.repository)
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(out)
        #expect(probe["width"] as? Int == 32 && probe["height"] as? Int == 32, "\(probe)")
        #expect(probe["nb_read_frames"] as? String == "3")
        // The frames are the library's upscaled generator frames, exactly (ffv1 is lossless).
        let loaded = try PSGANModel(contentsOf: model)
        let prepared = try Renderer.prepare(try PoseFileReader.read(poses), for: loaded.config)
        let renderer = Renderer(model: loaded)
        let upscaler = Upscaler(model: try UpscalerModel(contentsOf: CLI.repository.appendingPathComponent("samples/upscalers/srgan-x2.safetensors")))
        let latent = SeededNormals.latent(seed: 0, dimension: 8)
        let decoded = try CLI.decode(out, frameBytes: 32 * 32 * 3)
        #expect(decoded.count == 3)
        for (i, frame) in decoded.enumerated() {
            #expect(frame == upscaler.upscale(renderer.frame(keypoints: prepared[i], latent: latent)).pixels, "frame \(i)")
        }
    }

    @Test func upscalesAPNGToTheGoldenImage() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("big.png")
        let result = try CLI.run(["upscale", "--model", "srgan-x2", Self.goldenSR.appendingPathComponent("astronaut.png").path,
                                  "--out", out.path, "--quiet"], in: CLI.repository)
        #expect(result.status == 0, "\(result.errors)")
        let got = try CLI.decode(out, frameBytes: 96 * 80 * 3)
        let want = try CLI.decode(Self.goldenSR.appendingPathComponent("astronaut.srgan-x2.png"), frameBytes: 96 * 80 * 3)
        #expect(got.count == 1 && want.count == 1)
        if let g = got.first, let w = want.first {
            #expect(g.count == w.count && zip(g, w).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
        }
        #expect(CLI.contents(of: dir) == ["big.png"])
    }

    @Test func upscalesADirectoryKeepingNames() throws {
        let dir = try CLI.temporaryDirectory()
        let frames = dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        let images = (0..<3).map { Self.image(width: 9, height: 7, seed: $0) }
        for (i, image) in images.enumerated() { try PNGFile.write(image, to: frames.appendingPathComponent("f\(i).png")) }
        let out = dir.appendingPathComponent("big")
        let result = try CLI.run(["upscale", "--model", "srgan-x2", "--tile", "4", frames.path, "--out", out.path, "--quiet"],
                                 in: CLI.repository)
        #expect(result.status == 0, "\(result.errors)")
        #expect(CLI.contents(of: out) == ["f0.png", "f1.png", "f2.png"])
        let upscaler = Upscaler(model: try UpscalerModel(contentsOf: CLI.repository.appendingPathComponent("samples/upscalers/srgan-x2.safetensors")))
        for (i, image) in images.enumerated() {
            let decoded = try CLI.decode(out.appendingPathComponent("f\(i).png"), frameBytes: 18 * 14 * 3)
            #expect(decoded == [upscaler.upscale(image).pixels], "f\(i).png")
        }
        #expect(CLI.contents(of: dir) == ["frames", "big"])
    }

    @Test func upscalesAVideoKeepingTheFrameRate() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 4, fps: 12)
        let small = dir.appendingPathComponent("small.mp4")
        let rendered = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--out", small.path, "--quiet"])
        #expect(rendered.status == 0, "\(rendered.errors)")
        let big = dir.appendingPathComponent("big.webm")
        let result = try CLI.run(["upscale", "--model", "anime-x4", small.path, "--out", big.path, "--quiet"], in: CLI.repository)
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(big)
        #expect(probe["codec_name"] as? String == "vp9")
        #expect(probe["width"] as? Int == 64 && probe["height"] as? Int == 64, "\(probe)")
        #expect(probe["r_frame_rate"] as? String == "12/1")
        #expect(probe["nb_read_frames"] as? String == "4")
    }

    @Test func badUpscalerInputFailsCleanly() throws {
        let dir = try CLI.temporaryDirectory()
        let png = dir.appendingPathComponent("in.png")
        try PNGFile.write(Self.image(width: 6, height: 6, seed: 1), to: png)
        func expectFailure(_ arguments: [String], containing fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let before = CLI.contents(of: dir)
            let result = try CLI.run(arguments, in: CLI.repository)
            #expect(result.status != 0, sourceLocation: sourceLocation)
            let lines = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(lines.count == 1, "\(result.errors)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(result.errors.contains(fragment), "'\(fragment)' not in: \(result.errors)", sourceLocation: sourceLocation)
            }
            #expect(CLI.contents(of: dir) == before, "files left behind", sourceLocation: sourceLocation)
        }
        let out = dir.appendingPathComponent("out.png").path
        try expectFailure(["upscale", "--model", "srgan-x3", png.path, "--out", out], containing: ["srgan-x3", "srgan-x2"])
        try expectFailure(["upscale", "--model", "none", png.path, "--out", out], containing: ["'none' names no upscaler", "anime-x4"])
        let truncated = dir.appendingPathComponent("cut.safetensors")
        let weights = try Data(contentsOf: CLI.repository.appendingPathComponent("samples/upscalers/srgan-x2.safetensors"))
        try weights.prefix(1000).write(to: truncated)
        try expectFailure(["upscale", "--model", truncated.path, png.path, "--out", out], containing: ["cut.safetensors", "truncated"])
        let junk = dir.appendingPathComponent("junk.png")
        try Data("nope".utf8).write(to: junk)
        try expectFailure(["upscale", "--model", "srgan-x2", junk.path, "--out", out], containing: ["junk.png"])
        try expectFailure(["upscale", "--model", "srgan-x2", png.path, "--out", dir.appendingPathComponent("out.mp4").path],
                          containing: [".png"])
        try expectFailure(["upscale", "--model", "srgan-x2", "--tile", "0", png.path, "--out", out], containing: ["--tile"])
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 2)
        try expectFailure(["render", "--model", model.path, "--poses", poses.path, "--upscale", truncated.path,
                           "--out", dir.appendingPathComponent("x.mp4").path], containing: ["cut.safetensors"])
        try expectFailure(["render", "--model", model.path, "--poses", poses.path, "--upscale", "esrgan",
                           "--out", dir.appendingPathComponent("x.mp4").path],
                          containing: ["unknown upscaler 'esrgan': use none, srgan-x2, srgan-x4, anime-x4, or a .safetensors file path"])
    }
}
