import Foundation
import PSGANTestSupport
import Testing

/// Scenes: two people of one OpenPose take, each at its place, front to back; scene errors.
@Suite struct SceneTests {
    /// A 3-frame, two-person OpenPose folder on a 256x128 canvas: a standing figure (COCO-18 on a
    /// 100-unit box) at offset (20, 10) scale 1, and one at (95, 20) scale 0.9, overlapping.
    static func duet(in dir: URL) throws -> URL {
        let template: [(Double, Double)] = [(50, 14), (50, 25), (41, 25), (37, 40), (35, 54), (59, 25), (63, 40), (65, 54), (45, 55),
                                            (45, 72), (45, 90), (55, 55), (55, 72), (55, 90), (48, 12), (52, 12), (46, 13), (54, 13)]
        let folder = dir.appendingPathComponent("duet")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for f in 0 ..< 3 {
            let people = [(20.0, 10.0, 1.0), (95.0, 20.0, 0.9)].map { ox, oy, s in
                "{\"pose_keypoints_2d\": [" + template.map { "\(ox + $0.0 * s), \(oy + $0.1 * s), 0.9" }.joined(separator: ", ") + "]}"
            }
            try "{\"version\": 1.3, \"people\": [\(people.joined(separator: ", "))]}"
                .write(to: folder.appendingPathComponent(String(format: "f%03d_keypoints.json", f)), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func rgba(_ url: URL) throws -> [UInt8] {
        [UInt8](try TestSupport.run("ffmpeg", ["-v", "error", "-i", url.path + "/frame_000000.png", "-f", "rawvideo", "-pix_fmt", "rgba", "-"]))
    }

    @Test func twoPeopleOfOneTakeStandAtTheirPlacesFrontToBack() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        _ = try Self.duet(in: dir)
        let scene = dir.appendingPathComponent("duet.json")
        let made = try CLI.run(["scene", "from-people", dir.appendingPathComponent("duet").path, "--canvas", "256x128", "--seeds", "3,14",
                                "--out", scene.path])
        #expect(made.status == 0, "\(made.errors)")
        let text = try String(contentsOf: scene, encoding: .utf8)
        #expect(text.contains(#""file": "duet", "person": 0"#) && text.contains(#""seed": 14"#) && text.contains(#""size": "256x128""#))

        // Render the scene, and each person alone (with alpha, to know where each is opaque).
        func render(_ sceneText: String, _ name: String, alpha: Bool = false) throws -> [UInt8] {
            let file = dir.appendingPathComponent("\(name).json")
            try sceneText.write(to: file, atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent(name)
            let result = try CLI.run(["render", "--model", model.path, "--scene", file.path, "--codec", "png", "--out", out.path, "--quiet"]
                + (alpha ? ["--alpha"] : []))
            #expect(result.status == 0, "\(result.errors)")
            return try Self.rgba(out)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let person0 = lines.filter { !$0.contains("person1") }.joined(separator: "\n").replacingOccurrences(of: "},\n  ]", with: "}\n  ]")
        let person1 = lines.filter { !$0.contains("person0") }.joined(separator: "\n")
        let both = try render(text, "both"), alone0 = try render(person0, "alone0", alpha: true), alone1 = try render(person1, "alone1", alpha: true)
        #expect(both.count == 256 * 128 * 4 && alone0.count == both.count && alone1.count == both.count)
        guard both.count == 256 * 128 * 4 else { return }

        // Where each stands: person 0's box is x 55...85, y 22...100 (height 78), so its 16 px frame
        // covers a 78/0.6 = 130 px square centred on (70, 61), at 130/16 = 8.125 px per model pixel;
        // bilinear sampling reaches half a model pixel further on each side: x 70 ± 69.06, pixel
        // centres 1...138. Person 1's box is x 126.5...153.5, y 30.8...101 (height 70.2): a 117 px
        // square (7.3125 px per model pixel) centred on x 140: 140 ± 62.16, pixel centres 78...201.
        func columns(_ image: [UInt8]) -> ClosedRange<Int> {
            let xs = (0 ..< 256 * 128).filter { image[$0 * 4 + 3] > 0 }.map { $0 % 256 }
            return (xs.min() ?? -1) ... (xs.max() ?? -1)
        }
        let c0 = columns(alone0), c1 = columns(alone1)
        #expect(c0 == 1 ... 138, "person 0 at x \(c0)")
        #expect(c1 == 78 ... 201, "person 1 at x \(c1)")

        // Person 1's feet are lower (nearer the camera), so it is in front: where it is opaque, the
        // scene shows it; where only person 0 is, the scene shows person 0.
        var front = 0, back = 0
        for p in 0 ..< 256 * 128 {
            let rgb = Array(both[p * 4 ..< p * 4 + 3])
            if alone1[p * 4 + 3] == 255 {
                #expect(rgb == Array(alone1[p * 4 ..< p * 4 + 3]), "pixel \(p % 256),\(p / 256): person 1 in front")
                if alone0[p * 4 + 3] == 255 { front += 1 }
            } else if alone1[p * 4 + 3] == 0, alone0[p * 4 + 3] == 255 {
                #expect(rgb == Array(alone0[p * 4 ..< p * 4 + 3]))
                back += 1
            }
        }
        #expect(front > 100 && back > 100, "overlap \(front), person 0 alone \(back)")
        // Swapped depths: now person 0 covers person 1 in the overlap.
        let swapped = text.replacingOccurrences(of: #""depth": -100"#, with: #""depth": -200"#)
        let reordered = try render(swapped, "swapped")
        let overlap = (0 ..< 256 * 128).filter { alone0[$0 * 4 + 3] == 255 && alone1[$0 * 4 + 3] == 255 }
        #expect(!overlap.isEmpty && overlap.allSatisfy { Array(reordered[$0 * 4 ..< $0 * 4 + 3]) == Array(alone0[$0 * 4 ..< $0 * 4 + 3]) })
    }

    @Test func sceneErrorsNameThePlaceAndWriteNothing() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir)
        let cases: [(String, String)] = [
            (#"{"version": 1, "size": "64x64", "characters": [{"name": "a", "poses": "missing.json", "seed": 1}]}"#, "missing.json: no such file or directory"),
            (#"{"version": 1, "size": "64x64", "characters": [{"name": "a", "poses": "poses.json", "seed": 1}, {"name": "a", "poses": "poses.json", "seed": 2}]}"#,
             "characters[1]: the name 'a' is already used by characters[0]"),
            (#"{"version": 1, "characters": [{"poses": "poses.json", "seed": 1}]}"#, "size: is missing"),
            (#"{"version": 1, "size": "64x64", "characters": [{"poses": "poses.json", "seed": 1, "place": "left"}]}"#, #""place" must be "pose", "X,Y,SCALE""#),
            (#"{"version": 1, "size": "64x64", "characters": [{"poses": "poses.json", "seed": 1, "depth": "far"}]}"#, #""depth" must be a number"#),
        ]
        for (index, (scene, message)) in cases.enumerated() {
            let file = dir.appendingPathComponent("scene\(index).json")
            try scene.write(to: file, atomically: true, encoding: .utf8)
            let before = CLI.contents(of: dir)
            let result = try CLI.run(["render", "--model", model.path, "--scene", file.path, "--out", dir.appendingPathComponent("out\(index).mp4").path])
            #expect(result.status != 0)
            #expect(result.errors.contains(message) && result.errors.contains("scene\(index).json") || result.errors.contains(message), "\(result.errors)")
            #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
            #expect(CLI.contents(of: dir) == before)
        }
        _ = poses
    }

    @Test func aBatchManifestTakesSceneJobs() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        _ = try Self.duet(in: dir)
        let scene = dir.appendingPathComponent("duet.json")
        #expect(try CLI.run(["scene", "from-people", dir.appendingPathComponent("duet").path, "--canvas", "256x128", "--out", scene.path]).status == 0)
        let direct = dir.appendingPathComponent("direct.mkv")
        #expect(try CLI.run(["render", "--model", model.path, "--scene", scene.path, "--codec", "ffv1", "--out", direct.path, "--quiet"]).status == 0)
        let manifest = dir.appendingPathComponent("jobs.json")
        try """
            {"version": 1, "defaults": {"model": "tiny.safetensors", "codec": "ffv1"}, "output": "out/{name}.{ext}",
             "characters": [1], "poses": ["duet/f000_keypoints.json"],
             "jobs": [{"scene": "duet.json"}]}
            """.write(to: manifest, atomically: true, encoding: .utf8)
        let batch = try CLI.run(["batch", manifest.path, "--quiet"], in: dir)
        #expect(batch.status == 0, "\(batch.errors)")
        let fromBatch = try TestSupport.decode(dir.appendingPathComponent("out/duet.mkv"), frameBytes: 256 * 128 * 3)
        let fromRender = try TestSupport.decode(direct, frameBytes: 256 * 128 * 3)
        #expect(fromBatch.count == 3 && fromBatch == fromRender)
        try #"{"version": 1, "output": "o.mp4", "characters": [1], "poses": ["p.json"], "jobs": [{"scene": "duet.json", "pose": "p"}]}"#
            .write(to: manifest, atomically: true, encoding: .utf8)
        let wrong = try CLI.run(["batch", manifest.path, "--dry-run"], in: dir)
        #expect(wrong.status != 0 && wrong.errors.contains("job 0 (duet): a \"scene\" job has no \"character\" or \"pose\""), "\(wrong.errors)")
    }

    @Test func theSampleSceneInTheReadmeRenders() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("duet")
        let scene = CLI.repository.appendingPathComponent("samples/scenes/duet.json")
        let result = try CLI.run(["render", "--scene", scene.path, "--frames", "30:31", "--codec", "png", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        // The plate (640x360) sets the size; both characters stand on it (the plate is two flat colours).
        let frame = try TestSupport.decode(out, frameBytes: 640 * 360 * 3)
        let plate = try TestSupport.decode(CLI.repository.appendingPathComponent("samples/production/plate.png"), frameBytes: 640 * 360 * 3)
        #expect(frame.count == 1 && frame[0].count == 640 * 360 * 3)
        func changed(_ xs: Range<Int>) -> Int {
            var count = 0
            for y in 100 ..< 300 { for x in xs where frame[0][(y * 640 + x) * 3] != plate[0][(y * 640 + x) * 3] { count += 1 } }
            return count
        }
        #expect(changed(150 ..< 270) > 1000 && changed(380 ..< 500) > 1000, "the walker near x 210 and the dancer near x 440")
        #expect(changed(560 ..< 640) == 0, "plate elsewhere")
    }
}
