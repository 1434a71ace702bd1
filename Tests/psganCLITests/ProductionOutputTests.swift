import Foundation
import PSGANKit
import PSGANTestSupport
import Testing

/// Alpha, backgrounds and provenance, checked with FFmpeg's own tools and hand-computed blends.
@Suite struct ProductionOutputTests {
    static let walk = CLI.repository.appendingPathComponent("poses/walk.json")
    /// A model without a coverage channel (the previous default), whose matte psgan finds from the
    /// colours: what these tests check. (The bundled default draws its own: LearnedAlphaTests.)
    static let rgbModel = CLI.repository.appendingPathComponent("samples/psgan-identity-128.safetensors")

    /// Decodes every frame of `url` to RGBA with the ffmpeg program (libvpx for VP9, whose alpha
    /// FFmpeg's own VP9 decoder drops); a folder of PNGs in name order.
    static func decodeRGBA(_ url: URL, vp9: Bool = false) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let input = isDirectory.boolValue ? ["-f", "image2", "-pattern_type", "glob", "-i", url.path + "/*.png"] : ["-i", url.path]
        return [UInt8](try TestSupport.run("ffmpeg", ["-v", "error"] + (vp9 ? ["-c:v", "libvpx-vp9"] : []) + input
            + ["-f", "rawvideo", "-pix_fmt", "rgba", "-"]))
    }

    /// The plain frames of the RGB model on walk.json (frames 0 and 1, 128x128, no upscaler), exactly.
    static func plainFrames(in dir: URL) throws -> [RGBImage] {
        let out = dir.appendingPathComponent("plain")
        let result = try CLI.run(["render", "--model", rgbModel.path, "--poses", walk.path, "--frames", "0:2", "--upscale", "none", "--codec", "png",
                                  "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        return try TestSupport.decode(out, frameBytes: 128 * 128 * 3).map { RGBImage(width: 128, height: 128, pixels: $0) }
    }

    @Test(arguments: [("png", "a", 0), ("ffv1", "a.mkv", 0), ("prores", "a.mov", 3), ("vp9", "a.webm", 40)])
    func theAlphaChannelIsTheMatteInEveryAlphaCodec(codec: String, name: String, tolerance: Int) throws {
        let dir = try CLI.temporaryDirectory()
        let plain = try Self.plainFrames(in: dir)
        let out = dir.appendingPathComponent(name)
        let result = try CLI.run(["render", "--model", Self.rgbModel.path, "--poses", Self.walk.path, "--frames", "0:2", "--upscale", "none", "--alpha",
                                  "--codec", codec, "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let decoded = try Self.decodeRGBA(out, vp9: codec == "vp9")
        #expect(decoded.count == 2 * 128 * 128 * 4)
        guard decoded.count == 2 * 128 * 128 * 4 else { return }
        var worst = 0, mismatched = 0
        for (f, frame) in plain.enumerated() {
            let matte = Matte().alpha(of: frame)
            #expect(matte[0] == 0 && matte.filter { $0 == 0 }.count > 128 * 128 / 2, "background transparent")
            #expect(matte.filter { $0 == 255 }.count > 500, "an opaque figure")
            for p in 0 ..< 128 * 128 {
                let difference = abs(Int(decoded[(f * 128 * 128 + p) * 4 + 3]) - Int(matte[p]))
                worst = max(worst, difference)
                if difference > tolerance { mismatched += 1 }
            }
        }
        // Lossless codecs give the matte exactly; ProRes within 3 of 255; VP9 (lossy alpha) on all
        // but a few edge pixels.
        #expect(mismatched <= (codec == "vp9" ? 2 * 128 * 128 / 100 : 0), "\(codec): \(mismatched) pixels off by more than \(tolerance) (worst \(worst))")
        if codec == "png" || codec == "ffv1" { #expect(worst == 0) }
    }

    @Test func theGapBetweenTheLegsIsTransparent() throws {
        // dance.json frame 20 stands with its legs apart: below the hips, a row crosses opaque leg,
        // transparent gap, opaque leg.
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("a")
        let dance = CLI.repository.appendingPathComponent("poses/dance.json")
        #expect(try CLI.run(["render", "--poses", dance.path, "--frames", "20:21", "--upscale", "none", "--alpha", "--codec", "png",
                             "--out", out.path, "--quiet"]).status == 0)
        let rgba = try Self.decodeRGBA(out)
        func alpha(_ x: Int, _ y: Int) -> UInt8 { rgba[(y * 128 + x) * 4 + 3] }
        let rows = (84 ..< 110).filter { y in
            (56 ..< 75).contains { x in alpha(x, y) == 0 && (40 ..< x).contains { alpha($0, y) == 255 } && (x + 1 ..< 90).contains { alpha($0, y) == 255 } }
        }
        #expect(rows.count >= 5, "rows with leg, gap, leg: \(rows)")
    }

    @Test func compositingOverAColourEqualsTheBlend() throws {
        let dir = try CLI.temporaryDirectory()
        let alpha = dir.appendingPathComponent("a"), over = dir.appendingPathComponent("over")
        #expect(try CLI.run(["render", "--poses", Self.walk.path, "--frames", "0:2", "--upscale", "none", "--alpha", "--codec", "png",
                             "--out", alpha.path, "--quiet"]).status == 0)
        let result = try CLI.run(["render", "--poses", Self.walk.path, "--frames", "0:2", "--upscale", "none", "--background", "#3366cc",
                                  "--codec", "png", "--out", over.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let rgba = try Self.decodeRGBA(alpha)
        let rgb = try TestSupport.decode(over, frameBytes: 128 * 128 * 3).flatMap { $0 }
        #expect(rgb.count == 2 * 128 * 128 * 3)
        let colour: [Double] = [0x33, 0x66, 0xCC]
        var worst = 0.0
        for p in 0 ..< min(rgb.count / 3, rgba.count / 4) {
            let a = Double(rgba[p * 4 + 3]) / 255
            for c in 0 ..< 3 {
                let blend = Double(rgba[p * 4 + c]) * a + colour[c] * (1 - a)
                worst = max(worst, abs(Double(rgb[p * 3 + c]) - blend))
            }
        }
        #expect(worst <= 1, "largest difference from F·a + B·(1 - a): \(worst)")
        #expect(Array(rgb[0 ..< 3]) == [0x33, 0x66, 0xCC], "the corner is the background colour")
    }

    @Test func anImagePlateSetsTheSizeAndAVideoPlateIsTakenInStep() throws {
        let dir = try CLI.temporaryDirectory()
        let plate = dir.appendingPathComponent("plate.png"), clip = dir.appendingPathComponent("plate.mkv")
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=c=0x102030:s=200x100", "-frames:v", "1", plate.path])
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=s=96x64:r=30", "-frames:v", "2", "-c:v", "ffv1", clip.path])
        let still = dir.appendingPathComponent("still.mkv")
        let result = try CLI.run(["render", "--poses", Self.walk.path, "--frames", "0:3", "--upscale", "none", "--background", plate.path,
                                  "--place", "150,50,0.5", "--codec", "ffv1", "--out", still.path])
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(still)
        #expect(probe["width"] as? Int == 200 && probe["height"] as? Int == 100 && probe["nb_read_frames"] as? String == "3")
        let frames = try TestSupport.decode(still, frameBytes: 200 * 100 * 3)
        let plateColour = Array(try TestSupport.decode(plate, frameBytes: 200 * 100 * 3)[0][0 ..< 3])
        #expect(Array(frames[0][0 ..< 3]) == plateColour, "away from the character: the plate")
        // The character (64x64 at scale 0.5, centred on 150,50) covers x 118...181; the left half is plate.
        #expect((0 ..< 100).allSatisfy { y in Array(frames[0][(y * 200 + 50) * 3 ..< (y * 200 + 50) * 3 + 3]) == plateColour })
        #expect((0 ..< 100).contains { y in Array(frames[0][(y * 200 + 150) * 3 ..< (y * 200 + 150) * 3 + 3]) != plateColour })

        let moving = dir.appendingPathComponent("moving.mkv")
        #expect(try CLI.run(["render", "--poses", Self.walk.path, "--frames", "0:3", "--upscale", "none", "--background", clip.path,
                             "--codec", "ffv1", "--out", moving.path, "--quiet"]).status == 0)
        let plateFrames = try TestSupport.decode(clip, frameBytes: 96 * 64 * 3)
        let composited = try TestSupport.decode(moving, frameBytes: 96 * 64 * 3)
        #expect(composited.count == 3)
        // Fitted: 128 px into 96x64 is scale 0.5, centred, so column 0 is plate: frames 0, 1, then 1 held.
        for (f, source) in [0, 1, 1].enumerated() {
            #expect((0 ..< 64).allSatisfy { y in composited[f][y * 96 * 3 ..< y * 96 * 3 + 3] == plateFrames[source][y * 96 * 3 ..< y * 96 * 3 + 3] })
        }
    }

    @Test func badRequestsEndInOneLineAndLeaveNothing() throws {
        let dir = try CLI.temporaryDirectory()
        let broken = dir.appendingPathComponent("broken.png")
        try Data("not a png at all".utf8).write(to: broken)
        let cases: [([String], String)] = [
            (["--alpha", "--out", dir.appendingPathComponent("a.mp4").path], "codec 'h264' cannot carry an alpha channel (use vp9, prores, ffv1, png)"),
            (["--alpha", "--codec", "hevc", "--out", dir.appendingPathComponent("b.mkv").path], "--alpha: codec 'hevc' cannot carry an alpha channel"),
            (["--background", dir.appendingPathComponent("missing.png").path, "--out", dir.appendingPathComponent("c.mp4").path], "missing.png: not a colour"),
            (["--background", broken.path, "--out", dir.appendingPathComponent("d.mp4").path], "broken.png"),
            (["--alpha", "--background", "white", "--codec", "png", "--out", dir.appendingPathComponent("e").path], "either --alpha or --background"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(["render", "--poses", Self.walk.path, "--frames", "0:1", "--upscale", "none"] + arguments)
            #expect(result.status != 0)
            #expect(result.errors.contains(message), "\(result.errors)")
            #expect(result.errors.split(separator: "\n").first.map { !$0.isEmpty } == true)
        }
        #expect(CLI.contents(of: dir) == ["broken.png"], "nothing written: \(CLI.contents(of: dir))")
    }

    @Test func provenanceRoundTripsThroughFFprobe() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir)
        let out = dir.appendingPathComponent("clip.mp4"), frames = dir.appendingPathComponent("frames")
        let arguments = ["render", "--model", model.path, "--poses", poses.path, "--seed", "14", "--out", out.path, "--quiet"]
        #expect(try CLI.run(arguments).status == 0)
        let tags = try #require(try JSONSerialization.jsonObject(with: TestSupport.run("ffprobe", ["-v", "error", "-show_entries", "format_tags",
                                                                                                  "-of", "json", out.path])) as? [String: Any])
        let format = try #require((tags["format"] as? [String: Any])?["tags"] as? [String: String])
        let sha = { (url: URL) in String(String(decoding: try TestSupport.run("sha256sum", [url.path]), as: UTF8.self).prefix(64)) }
        #expect(format["psgan_model_sha256"] == (try sha(model)))
        #expect(format["psgan_poses_sha256"] == (try sha(poses)))
        #expect(format["psgan_characters"] == "seed 14")
        #expect(format["psgan_version"] == PSGANVersion.string)
        #expect(format["psgan_command"] == "psgan " + arguments.joined(separator: " "))
        // PNG frames carry the same as tEXt chunks, which FFmpeg's PNG decoder reads back.
        #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--seed", "14", "--codec", "png", "--out", frames.path, "--quiet"]).status == 0)
        let frameTags = String(decoding: try TestSupport.run("ffprobe", ["-v", "error", "-show_frames", frames.appendingPathComponent("frame_000000.png").path]), as: UTF8.self)
        #expect(frameTags.contains("TAG:psgan_model_sha256=\(try sha(model))"), "\(frameTags)")
        #expect(frameTags.contains("TAG:psgan_characters=seed 14"))
        // A batch job records the batch command and the job.
        let manifest = dir.appendingPathComponent("jobs.json")
        try #"{"version": 1, "defaults": {"model": "tiny.safetensors"}, "output": "{name}.mkv", "characters": [5], "poses": ["poses.json"]}"#
            .write(to: manifest, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["batch", manifest.path, "--quiet"], in: dir).status == 0)
        let batchTags = String(decoding: try TestSupport.run("ffprobe", ["-v", "error", "-show_entries", "format_tags=psgan_command,psgan_characters",
                                                                          "-of", "default=nw=1", dir.appendingPathComponent("seed5-poses.mkv").path]), as: UTF8.self)
        // (Matroska writes tag names in capitals.)
        func tag(_ name: String) -> String? {
            batchTags.split(separator: "\n").first { $0.uppercased().hasPrefix("TAG:\(name.uppercased())=") }
                .map { String($0.dropFirst(name.count + 5)) }
        }
        #expect(tag("psgan_command") == "psgan batch \(manifest.path) --quiet # job 0 (seed5-poses)", "\(batchTags)")
        #expect(tag("psgan_characters") == "seed 5")
    }

    @Test func aGalleryOfSixteenSeedsShowsEachCharacterWithItsNumber() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir)
        let sheet = dir.appendingPathComponent("sheet.png")
        let result = try CLI.run(["characters", "--model", model.path, "--seeds", "0:16", "--poses", poses.path, "--frame", "2",
                                  "--out", sheet.path])
        #expect(result.status == 0, "\(result.errors)")
        // 16 px cells in a 4 x 4 grid, each with an 11 px label strip (7 px of digits at scale 1, and margins).
        let probe = try CLI.probe(sheet)
        #expect(probe["width"] as? Int == 64 && probe["height"] as? Int == 4 * 27)
        let pixels = try TestSupport.decode(sheet, frameBytes: 64 * 108 * 3)[0]
        for seed in [0, 7, 13] {
            let frame = dir.appendingPathComponent("seed\(seed)")
            #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--frames", "2:3", "--seed", "\(seed)",
                                 "--codec", "png", "--out", frame.path, "--quiet"]).status == 0)
            let expected = try TestSupport.decode(frame, frameBytes: 16 * 16 * 3)[0]
            let (left, top) = (seed % 4 * 16, seed / 4 * 27)
            var cell: [UInt8] = []
            for y in 0 ..< 16 {
                let start: Int = ((top + y) * 64 + left) * 3
                cell += pixels[start ..< start + 48]
            }
            #expect(cell == expected, "cell \(seed) is the render of seed \(seed)")
        }
        // Seed 7's label: the digit 7 (rows 111, 001, 001, 001, 001) drawn dark, 3 px wide, centred under
        // its cell (x 16·3 + 8 - 1 = 55...57), from 2 px below the cell (y 16·... row 1: 27 + 16 + 2 = 45).
        func dark(_ x: Int, _ y: Int) -> Bool { pixels[(y * 64 + x) * 3] < 128 }
        var mask: [String] = []
        for y in 45 ..< 50 {
            mask.append(String((55 ..< 58).map { x -> Swift.Character in dark(x, y) ? "#" : "." }))
        }
        #expect(mask == ["###", "..#", "..#", "..#", "..#"], "\(mask)")
        let bad = try CLI.run(["characters", "--model", model.path, "--seeds", "9:3", "--out", sheet.path])
        #expect(bad.status != 0 && bad.errors.contains("--seeds must be A:B"))
    }
}
