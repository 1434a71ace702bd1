import Foundation
import PSGANKit
import Testing

/// `psgan compare` end to end: exit codes, the table, the JSON report and diff images.
@Suite struct CompareCommandTests {
    /// Renders the test pose file with a tiny model into `out` (PNG directory or video).
    func render(_ dir: URL, model: URL, poses: URL, out: URL, codec: String, seed: Int = 0) throws {
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--seed", "\(seed)",
                                  "--codec", codec, "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
    }

    @Test func identicalRendersPassAndMixedInputsWork() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 4)
        let pngs = dir.appendingPathComponent("a"), mkv = dir.appendingPathComponent("b.mkv")
        try render(dir, model: model, poses: poses, out: pngs, codec: "png")
        try render(dir, model: model, poses: poses, out: mkv, codec: "ffv1")
        let report = dir.appendingPathComponent("r.json")
        let result = try CLI.run(["compare", pngs.path, mkv.path, "--report", report.path])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS: 4 frames, 0 failed; lowest PSNR inf dB"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        #expect(json["pass"] as? Bool == true)
        let frames = json["frames"] as! [[String: Any]]
        #expect(frames.map { $0["index"] as? Int } == [0, 1, 2, 3])
        #expect(frames.allSatisfy { $0["psnr"] as? String == "inf" && $0["max_diff"] as? Int == 0 && $0["differing_pixels"] as? Int == 0 })
    }

    @Test func aBrokenFrameIsNamedAndFails() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 3)
        let golden = dir.appendingPathComponent("golden"), broken = dir.appendingPathComponent("broken")
        try render(dir, model: model, poses: poses, out: golden, codec: "png")
        try render(dir, model: model, poses: poses, out: broken, codec: "png")
        // Break frame 1: replace it with frame 1 of another character.
        let other = dir.appendingPathComponent("other")
        try render(dir, model: model, poses: poses, out: other, codec: "png", seed: 99)
        let frame1 = broken.appendingPathComponent("frame_000001.png")
        try FileManager.default.removeItem(at: frame1)
        try FileManager.default.copyItem(at: other.appendingPathComponent("frame_000001.png"), to: frame1)
        let diffs = dir.appendingPathComponent("diffs")
        let report = dir.appendingPathComponent("r.json")
        let result = try CLI.run(["compare", golden.path, broken.path, "--min-psnr", "45", "--report", report.path, "--diff-dir", diffs.path])
        #expect(result.status == 1)
        #expect(result.errors.contains("1 of 3 frames failed: frame 1 (PSNR "))
        #expect(result.output.contains("FAIL: PSNR"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        #expect(json["pass"] as? Bool == false)
        let frames = json["frames"] as! [[String: Any]]
        #expect(frames.map { $0["pass"] as? Bool } == [true, false, true])
        #expect((frames[1]["psnr"] as? Double ?? 99) < 45)
        #expect(try FileManager.default.contentsOfDirectory(atPath: diffs.path).sorted() == ["frame_000000.png", "frame_000001.png", "frame_000002.png"])
        let heat = try CLI.decode(diffs, frameBytes: 16 * 16 * 3)
        #expect(heat[0].allSatisfy { $0 == 0 })
        #expect(heat[1].contains { $0 != 0 })
    }

    @Test func inputsThatCannotBeComparedExitWithTwo() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let three = try CLI.poseFile(in: dir, frames: 3, name: "three.json")
        let two = try CLI.poseFile(in: dir, frames: 2, name: "two.json")
        let a = dir.appendingPathComponent("a.mkv"), b = dir.appendingPathComponent("b.mkv")
        try render(dir, model: model, poses: three, out: a, codec: "ffv1")
        try render(dir, model: model, poses: two, out: b, codec: "ffv1")
        let counts = try CLI.run(["compare", a.path, b.path, "--report", dir.appendingPathComponent("r.json").path])
        #expect(counts.status == 2)
        #expect(counts.errors.contains("b.mkv has 2 frames"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.json").path))
        let missing = try CLI.run(["compare", a.path, dir.appendingPathComponent("nothing.mp4").path])
        #expect(missing.status == 2)
        #expect(missing.errors.contains("nothing.mp4"))
        let garbage = dir.appendingPathComponent("garbage.mp4")
        try Data("not a video".utf8).write(to: garbage)
        let unreadable = try CLI.run(["compare", a.path, garbage.path])
        #expect(unreadable.status == 2)
        #expect(unreadable.errors.contains("garbage.mp4"))
        // Different sizes.
        let bigModel = dir.appendingPathComponent("big.safetensors")
        #expect(try CLI.run(["model", "init", "--resolution", "32", "--latent-dim", "8", "--channels", "4:8,8:8,16:4,32:4", "--out", bigModel.path]).status == 0)
        let c = dir.appendingPathComponent("c.mkv")
        try render(dir, model: bigModel, poses: three, out: c, codec: "ffv1")
        let sizes = try CLI.run(["compare", a.path, c.path])
        #expect(sizes.status == 2)
        #expect(sizes.errors.contains("frame 0:") && sizes.errors.contains("16x16") && sizes.errors.contains("32x32"))
    }
}
