import Foundation
import PSGANKit
import Testing

/// A small BVH: hips, legs, spine, neck, head and arms of a figure facing +Z; `frames` frames at 60 fps
/// whose hips move 1 unit along X per frame.
private func smallBVH(frames: Int) -> String {
    let joint = "CHANNELS 3 Zrotation Xrotation Yrotation"
    let hierarchy = """
        HIERARCHY
        ROOT Hips
        { OFFSET 0 10 0 CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
          JOINT LeftUpLeg { OFFSET 1 0 0 \(joint) JOINT LeftLeg { OFFSET 0 -4 0 \(joint) JOINT LeftFoot { OFFSET 0 -4 0 \(joint) End Site { OFFSET 0 0 1 } } } }
          JOINT RightUpLeg { OFFSET -1 0 0 \(joint) JOINT RightLeg { OFFSET 0 -4 0 \(joint) JOINT RightFoot { OFFSET 0 -4 0 \(joint) End Site { OFFSET 0 0 1 } } } }
          JOINT Spine { OFFSET 0 3 0 \(joint)
            JOINT Neck { OFFSET 0 3 0 \(joint) JOINT Head { OFFSET 0 1 0 \(joint) End Site { OFFSET 0 1 0 } } }
            JOINT LeftArm { OFFSET 2 3 0 \(joint) JOINT LeftForeArm { OFFSET 2 0 0 \(joint) JOINT LeftHand { OFFSET 2 0 0 \(joint) End Site { OFFSET 1 0 0 } } } }
            JOINT RightArm { OFFSET -2 3 0 \(joint) JOINT RightForeArm { OFFSET -2 0 0 \(joint) JOINT RightHand { OFFSET -2 0 0 \(joint) End Site { OFFSET -1 0 0 } } } } } }
        MOTION
        Frames: \(frames)
        Frame Time: 0.0166667

        """
    let rows = (0..<frames).map { f in (["\(f)", "0", "0"] + Array(repeating: "0", count: 3 + 15 * 3)).joined(separator: " ") }
    return hierarchy + rows.joined(separator: "\n") + "\n"
}

/// `psgan pose convert`, `inspect` and `preview`, and the pose options of `psgan render`.
@Suite struct PoseCommandTests {
    @Test func convertBVHWithResamplingAndTrimming() throws {
        let dir = try CLI.temporaryDirectory()
        let bvh = dir.appendingPathComponent("walk.bvh")
        try smallBVH(frames: 9).write(to: bvh, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("walk.json")
        let result = try CLI.run(["pose", "convert", bvh.path, "--azimuth", "90", "--resample", "30", "--frames", "1:",
                                  "--canvas", "320x240", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        // 9 frames at 60 fps span 8/60 s: 5 frames at 30 fps, the first dropped by --frames.
        let poses = try PoseFileReader.read(out)
        #expect(poses.layout == "coco18" && poses.frameCount == 4 && poses.fps == 30)
        #expect(poses.canvasWidth == 320 && poses.canvasHeight == 240)
        #expect(result.output.contains("wrote \(out.path): 4 frames, coco18, 30 fps, canvas 320x240"))
        #expect(CLI.contents(of: dir) == ["walk.bvh", "walk.json"])
    }

    @Test func convertCleansUpAndRetargets() throws {
        let dir = try CLI.temporaryDirectory()
        let input = try CLI.poseFile(in: dir, frames: 4, fps: 10)
        let out = dir.appendingPathComponent("clean.json")
        let result = try CLI.run(["pose", "convert", input.path, "--flip", "--max-gap", "2", "--smooth", "--resample", "20",
                                  "--retarget", "figure", "--margin", "0.05", "--size", "200x100", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        let poses = try PoseFileReader.read(out)
        #expect(poses.frameCount == 7 && poses.fps == 20 && poses.canvasWidth == 200 && poses.canvasHeight == 100)
        let box = try #require(FigureBounds(poses))
        // The figure fills the height less the 5 px margins (its box is taller than wide here).
        #expect(abs(box.minY - 5) < 0.01 && abs(box.maxY - 95) < 0.01)
    }

    @Test func convertErrorsAreOneLineAndLeaveNothing() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("broken.bvh")
        let text = smallBVH(frames: 3)
        try text.replacingOccurrences(of: "\n2 0 0", with: "\n2 0 oops").write(to: bad, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.json")
        let result = try CLI.run(["pose", "convert", bad.path, "--out", out.path])
        #expect(result.status != 0)
        let lines = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1, "\(result.errors)")
        #expect(result.errors.contains("broken.bvh: frame 2: line"))
        #expect(result.errors.contains("value 2 is not a finite number"))
        #expect(CLI.contents(of: dir) == ["broken.bvh"])
        // A custom layout cannot be flipped; the message names the file.
        let custom = dir.appendingPathComponent("custom.json")
        try #"{"format": "psgan-pose", "version": 1, "layout": "dots", "fps": 30, "canvas": {"width": 8, "height": 8}, "frames": [[[1, 1, 1]]]}"#
            .write(to: custom, atomically: true, encoding: .utf8)
        let flip = try CLI.run(["pose", "convert", custom.path, "--flip", "--out", out.path])
        #expect(flip.status != 0 && flip.errors.contains("custom.json: cannot flip the layout 'dots'"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func inspectReportsFramesCanvasMissingAndBox() throws {
        let dir = try CLI.temporaryDirectory()
        let input = try CLI.poseFile(in: dir, frames: 6, fps: 12)
        let result = try CLI.run(["pose", "inspect", input.path])
        #expect(result.status == 0, "\(result.errors)")
        let text = result.output
        #expect(text.contains("format      native"))
        #expect(text.contains("frames      6"))
        #expect(text.contains("fps         12"))
        #expect(text.contains("duration    0.50 s"))
        #expect(text.contains("canvas      64x48"))
        #expect(text.contains("figure box  x 8..55, y 4..43 (47 x 39)"))
        // Keypoint 3 (RElbow) is missing in every frame of CLI.poseFile; the others never.
        #expect(text.contains("3   RElbow     6"))
        #expect(text.contains("0   Nose       0"))
    }

    @Test func previewIsAVideoOfTheSkeleton() throws {
        let dir = try CLI.temporaryDirectory()
        let input = try CLI.poseFile(in: dir, frames: 5, fps: 12)
        let out = dir.appendingPathComponent("preview.mp4")
        let result = try CLI.run(["pose", "preview", input.path, "--size", "96x64", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(out)
        #expect(probe["width"] as? Int == 96 && probe["height"] as? Int == 64)
        #expect(probe["nb_read_frames"] as? String == "5")
        #expect(probe["r_frame_rate"] as? String == "12/1")
        // Lossless: the decoded frames are the painter's.
        let lossless = dir.appendingPathComponent("preview.mkv")
        let ffv1 = try CLI.run(["pose", "preview", input.path, "--size", "96x64", "--codec", "ffv1", "--frames", "2:4", "--out", lossless.path, "--quiet"])
        #expect(ffv1.status == 0 && ffv1.errors.isEmpty, "\(ffv1.errors)")
        let poses = PoseRetargeting.fitCanvas.apply(to: try PoseFileReader.read(input), width: 96, height: 64)
        let painter = SkeletonPainter(width: 96, height: 64)
        let decoded = try CLI.decode(lossless, frameBytes: 96 * 64 * 3)
        #expect(decoded == [painter.draw(poses.frames[2]).pixels, painter.draw(poses.frames[3]).pixels])
        // Bad input: one line, no output.
        let missing = try CLI.run(["pose", "preview", dir.appendingPathComponent("none.json").path, "--out", dir.appendingPathComponent("x.mp4").path])
        #expect(missing.status != 0 && missing.errors.contains("none.json: no such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.mp4").path))
    }

    @Test func renderResamplesWithResampleAndKeepsFPSAsTheVideoRate() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 6, fps: 12)
        let out = dir.appendingPathComponent("clip.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--resample", "24",
                                  "--codec", "ffv1", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let probe = try CLI.probe(out)
        #expect(probe["nb_read_frames"] as? String == "11")  // 5 intervals at 12 fps are 10 at 24
        #expect(probe["r_frame_rate"] as? String == "24/1")
        // --fps with --frame-per-pose sets only the video's rate (the motion plays 2x fast).
        let plain = dir.appendingPathComponent("plain.mkv")
        let fps = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--fps", "24", "--frame-per-pose", "--codec", "ffv1",
                               "--out", plain.path, "--quiet"])
        #expect(fps.status == 0, "\(fps.errors)")
        let plainProbe = try CLI.probe(plain)
        #expect(plainProbe["nb_read_frames"] as? String == "6" && plainProbe["r_frame_rate"] as? String == "24/1")
        // --fps alone keeps the motion's real speed: the 12 fps poses are resampled to 24, exactly as --resample 24 does.
        let retimed = dir.appendingPathComponent("retimed.mkv")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--fps", "24", "--codec", "ffv1",
                             "--out", retimed.path, "--quiet"]).status == 0)
        let retimedProbe = try CLI.probe(retimed)
        #expect(retimedProbe["nb_read_frames"] as? String == "11" && retimedProbe["r_frame_rate"] as? String == "24/1")
        #expect(try CLI.decode(retimed, frameBytes: 16 * 16 * 3) == (try CLI.decode(out, frameBytes: 16 * 16 * 3)))
    }

    @Test func renderReadsOtherFormatsWithFromAndPerson() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let values = (0..<17).map { "[\(10 + $0), \(5 + $0)]" }.joined(separator: ", ")
        let scores = Array(repeating: "0.9", count: 17).joined(separator: ", ")
        let file = dir.appendingPathComponent("mm.json")
        try #"[{"frame_id": 0, "instances": [{"keypoints": [\#(values)], "keypoint_scores": [\#(scores)]}]}]"#
            .write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("mm.mkv")
        let ok = try CLI.run(["render", "--model", model.path, "--poses", file.path, "--from", "mmpose", "--canvas", "64x64",
                              "--person", "0", "--codec", "ffv1", "--out", out.path, "--quiet"])
        #expect(ok.status == 0, "\(ok.errors)")
        #expect(try CLI.probe(out)["nb_read_frames"] as? String == "1")
        let nobody = try CLI.run(["render", "--model", model.path, "--poses", file.path, "--canvas", "64x64", "--person", "3",
                                  "--out", dir.appendingPathComponent("x.mkv").path])
        #expect(nobody.status != 0 && nobody.errors.contains("mm.json: no frame has person 3 (counted from 0; the most people in one frame is 1)"))
        let wrong = try CLI.run(["render", "--model", model.path, "--poses", file.path, "--from", "coco", "--out", dir.appendingPathComponent("y.mkv").path])
        #expect(wrong.status != 0 && wrong.errors.contains("mm.json: not a COCO annotation file"))
    }
}
