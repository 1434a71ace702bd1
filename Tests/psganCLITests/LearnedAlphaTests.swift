import Foundation
import PSGANKit
import PSGANTestSupport
import Testing

/// A model with a coverage channel: its own matte goes into every alpha output, under backgrounds
/// and into scenes, instead of the matte psgan guesses from the colours.
@Suite struct LearnedAlphaTests {
    static let model = CLI.repository.appendingPathComponent("Tests/Fixtures/golden/psgan-tiny-alpha/model.safetensors")

    /// A pose file on the model's own 32x32 canvas (used as it is) and the frames the library draws for it.
    static func posesAndFrames(in dir: URL) throws -> (URL, [RGBImage]) {
        let poses = try CLI.poseFile(in: dir, frames: 3, fps: 30)
        let text = try String(contentsOf: poses, encoding: .utf8).replacingOccurrences(of: "\"width\": 64, \"height\": 48", with: "\"width\": 32, \"height\": 32")
        try text.write(to: poses, atomically: true, encoding: .utf8)
        let psgan = try PSGANModel(contentsOf: model)
        let renderer = Renderer(model: psgan)
        let sequence = try PoseFileReader.read(poses)
        let frames = sequence.frames.map { renderer.frame(keypoints: $0, latent: SeededNormals.latent(seed: 4, dimension: 16)) }
        return (poses, frames)
    }

    @Test(arguments: [("png", "frames", 0), ("ffv1", "a.mkv", 0), ("prores", "a.mov", 2), ("vp9", "a.webm", 24)])
    func theModelsCoverageIsTheAlphaChannel(codec: String, name: String, tolerance: Int) throws {
        let dir = try CLI.temporaryDirectory()
        let (poses, frames) = try Self.posesAndFrames(in: dir)
        let out = dir.appendingPathComponent(name)
        let result = try CLI.run(["render", "--model", Self.model.path, "--poses", poses.path, "--seed", "4", "--alpha",
                                  "--codec", codec, "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let rgba = try ProductionOutputTests.decodeRGBA(out, vp9: codec == "vp9")
        #expect(rgba.count == 3 * 32 * 32 * 4)
        var worst = 0, total = 0
        for (f, frame) in frames.enumerated() {
            // The model's coverage without its specks (Matte.withoutSpecks, checked by hand in MatteTests).
            #expect(frame.coverage != nil)
            let coverage = Matte().alpha(of: frame)
            for p in 0 ..< 32 * 32 {
                let d = abs(Int(rgba[(f * 32 * 32 + p) * 4 + 3]) - Int(coverage[p]))
                worst = max(worst, d)
                total += d
            }
        }
        // Lossless codecs carry it exactly; ProRes 4444's alpha to rounding; VP9's is lossy.
        #expect(worst <= tolerance && (codec != "vp9" || total / (3 * 32 * 32) <= 4), "\(codec): worst \(worst), mean \(total / (3 * 32 * 32))")
    }

    /// Over a background and in a scene, the character is blended by the model's coverage.
    @Test func backgroundsAndScenesUseTheModelsCoverage() throws {
        let dir = try CLI.temporaryDirectory()
        let (poses, frames) = try Self.posesAndFrames(in: dir)
        let out = dir.appendingPathComponent("green")
        let result = try CLI.run(["render", "--model", Self.model.path, "--poses", poses.path, "--seed", "4", "--background", "#00ff00",
                                  "--codec", "png", "--frames", "0:1", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let composite = try CLI.decode(out, frameBytes: 32 * 32 * 3)[0]
        // Where the coverage is full the character's own colour shows, where it is nothing the green.
        let expected = Compositor.composite(Matte.cutOut(frames[0], alpha: Matte().alpha(of: frames[0])), overColor: (0, 255, 0))
        let worst = zip(composite, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst <= 1, "largest difference \(worst)")
        let scene = dir.appendingPathComponent("scene.json")
        try #"{"version": 1, "size": "32x32", "characters": [{"poses": "poses.json", "seed": 4, "place": "16,16,1"}]}"#
            .write(to: scene, atomically: true, encoding: .utf8)
        let cut = dir.appendingPathComponent("scene")
        #expect(try CLI.run(["render", "--model", Self.model.path, "--scene", scene.path, "--alpha", "--codec", "png", "--frames", "0:1",
                             "--out", cut.path, "--quiet"]).status == 0)
        let rgba = try ProductionOutputTests.decodeRGBA(cut)
        let alpha = stride(from: 3, to: rgba.count, by: 4).map { rgba[$0] }
        let difference = zip(alpha, Matte().alpha(of: frames[0])).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(difference <= 1, "the scene's alpha is the model's coverage: largest difference \(difference)")
    }
}
