import Foundation
import PSGANKit
import Testing

/// Damaged media and absurd frame rates: each stops the command with one line naming the file, a
/// non-zero exit and no output, instead of a silent skip, a crash or an error blamed on the output.
@Suite struct DamagedInputTests {
    /// The one `Error:` line of a failed run, checked to name every fragment; nothing else on stderr.
    func expectOneLineError(_ result: CLIResult, naming fragments: [String], status: Int32? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        if let status {
            #expect(result.status == status, "exit status \(result.status): \(result.errors)", sourceLocation: sourceLocation)
        } else {
            #expect(result.status != 0, "exit status 0: \(result.errors)", sourceLocation: sourceLocation)
        }
        let lines = result.errors.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See '") }
        #expect(lines.count == 1 && lines.first?.hasPrefix("Error: ") == true, "want one error line: \(result.errors)",
                sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.errors.contains(fragment), "'\(fragment)' not in: \(result.errors)", sourceLocation: sourceLocation)
        }
    }

    /// Three small PNG frames in `name`/ under `dir`.
    func frames(_ name: String, in dir: URL) throws -> URL {
        let folder = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0 ..< 3 {
            let image = RGBImage(width: 16, height: 16, pixels: (0 ..< 768).map { UInt8(($0 * 7 + i * 50) % 256) })
            try PNGFile.write(image, to: folder.appendingPathComponent("f\(i).png"))
        }
        return folder
    }

    /// A copy of `url` with `count` bytes from the middle of its data flipped.
    func damaged(_ url: URL, as name: String, after marker: String? = nil, count: Int = 40) throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: url))
        var start = bytes.count / 2
        if let marker, let range = Data(bytes).range(of: Data(marker.utf8)) { start = range.upperBound + 8 }
        for k in start ..< min(bytes.count - 16, start + count) { bytes[k] ^= 0x5A }
        let out = url.deletingLastPathComponent().appendingPathComponent(name)
        try Data(bytes).write(to: out)
        return out
    }

    @Test func corruptPNGInAFramesDirectoryStopsCompareAndUpscale() throws {
        let dir = try CLI.temporaryDirectory()
        let good = try frames("good", in: dir)
        let bad = try frames("bad", in: dir)
        // A valid header with corrupt pixel data, sorted between the good frames.
        _ = try damaged(bad.appendingPathComponent("f1.png"), as: "f1b.png", after: "IDAT")
        let compare = try CLI.run(["compare", good.path, bad.path])
        expectOneLineError(compare, naming: ["f1b.png", "inflate"], status: 2)
        #expect(!compare.errors.contains("[png @"), "FFmpeg's own log leaked: \(compare.errors)")
        // --ffmpeg-log shows it, for looking into the file.
        let verbose = try CLI.run(["compare", good.path, bad.path, "--ffmpeg-log"])
        #expect(verbose.status == 2 && verbose.errors.contains("[png @") && verbose.errors.contains("inflate returned error"))
        let out = dir.appendingPathComponent("up")
        let upscale = try CLI.run(["upscale", bad.path, "--model", "srgan-x2", "--out", out.path, "--quiet"])
        expectOneLineError(upscale, naming: ["f1b.png"])
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(CLI.contents(of: dir) == ["good", "bad"])
    }

    @Test func corruptFrameInTheMiddleOfAVideoStopsCompare() throws {
        let dir = try CLI.temporaryDirectory()
        // FFV1 with slice checksums: damage its decoder can tell (others may conceal it unseen).
        let video = dir.appendingPathComponent("clip.mkv")
        let made = try CLI.capture(URL(fileURLWithPath: "/usr/bin/env"),
                                   ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10",
                                    "-frames:v", "10", "-c:v", "ffv1", "-level", "3", "-slicecrc", "1", video.path])
        #expect(made.status == 0)
        let bad = try damaged(video, as: "bad.mkv")
        let result = try CLI.run(["compare", video.path, bad.path])
        expectOneLineError(result, naming: ["bad.mkv", "damaged data near frame", "(FFmpeg: slice CRC mismatch"], status: 2)
        let out = dir.appendingPathComponent("up.mkv")
        let upscale = try CLI.run(["upscale", bad.path, "--model", "srgan-x2", "--out", out.path, "--quiet"])
        expectOneLineError(upscale, naming: ["bad.mkv", "damaged data near frame"])
        #expect(CLI.contents(of: dir) == ["clip.mkv", "bad.mkv"])
        // The intact file still compares equal to itself.
        #expect(try CLI.run(["compare", video.path, video.path]).status == 0)
    }

    @Test func absurdFrameRatesAreRefusedWhereTheyEnter() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let out = dir.appendingPathComponent("out.mp4").path
        for fps in ["1e19", "1e-300"] {
            let poses = try CLI.poseFile(in: dir, name: "fps-\(fps).json")
            let text = try String(contentsOf: poses, encoding: .utf8).replacingOccurrences(of: "\"fps\": 12.0", with: "\"fps\": \(fps)")
            try text.write(to: poses, atomically: true, encoding: .utf8)
            expectOneLineError(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--out", out, "--quiet"]),
                               naming: ["fps-\(fps).json", "from 0.01 to 1000 fps"])
            expectOneLineError(try CLI.run(["pose", "preview", poses.path, "--out", out]), naming: ["fps-\(fps).json"])
            try FileManager.default.removeItem(at: poses)
        }
        let bvhText = try String(contentsOf: CLI.repository.appendingPathComponent("motion/cmu-01_01.bvh"), encoding: .utf8)
        let bvh = dir.appendingPathComponent("fast.bvh")
        try bvhText.replacingOccurrences(of: "Frame Time: .0083333", with: "Frame Time: 1e-300").write(to: bvh, atomically: true, encoding: .utf8)
        expectOneLineError(try CLI.run(["render", "--model", model.path, "--poses", bvh.path, "--out", out, "--quiet"]),
                           naming: ["fast.bvh", "Frame Time"])
        let poses = try CLI.poseFile(in: dir)
        for option in ["--fps", "--input-fps", "--resample"] {
            let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, option, "1e-300", "--out", out, "--quiet"])
            expectOneLineError(result, naming: ["from 0.01 to 1000 fps"])
        }
        // In a batch, a job whose pose file has an absurd rate fails alone; the next job renders.
        let absurd = try CLI.poseFile(in: dir, name: "absurd.json")
        try String(contentsOf: absurd, encoding: .utf8).replacingOccurrences(of: "\"fps\": 12.0", with: "\"fps\": 1e19")
            .write(to: absurd, atomically: true, encoding: .utf8)
        let jobs = dir.appendingPathComponent("two.json")
        try #"{"version": 1, "defaults": {"model": "tiny.safetensors", "codec": "ffv1"}, "characters": [0], "poses": ["absurd.json", "poses.json"], "output": "out/{pose}.mkv"}"#
            .write(to: jobs, atomically: true, encoding: .utf8)
        let batch = try CLI.run(["batch", jobs.path])
        #expect(batch.status != 0 && batch.errors.contains("absurd.json") && batch.errors.contains("from 0.01 to 1000 fps"), "\(batch.errors)")
        #expect(CLI.contents(of: dir.appendingPathComponent("out")) == ["poses.mkv"])
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
        try FileManager.default.removeItem(at: absurd)
        try FileManager.default.removeItem(at: jobs)
        let manifest = dir.appendingPathComponent("jobs.json")
        try #"{"version": 1, "defaults": {"model": "tiny.safetensors", "fps": 1e-300}, "poses": ["poses.json"], "characters": [0], "output": "out/{pose}.mp4"}"#
            .write(to: manifest, atomically: true, encoding: .utf8)
        expectOneLineError(try CLI.run(["batch", manifest.path]), naming: ["jobs.json", "from 0.01 to 1000 fps"])
        #expect(CLI.contents(of: dir) == ["tiny.safetensors", "fast.bvh", "poses.json", "jobs.json"])
    }
}
