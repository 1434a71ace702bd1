import Foundation
import PSGANKit
import Testing

/// The shipped goldens: every sample pose file, rendered with the bundled model, still matches its
/// recorded frames in `samples/golden/` (re-record with `scripts/record-goldens`).
@Suite struct GoldenRenderTests {
    static let poseFiles: [URL] = {
        let poses = CLI.repository.appendingPathComponent("poses")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: poses.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { poses.appendingPathComponent($0) }
    }()

    @Test func everySamplePoseFileHasGoldens() throws {
        #expect(!Self.poseFiles.isEmpty)
        for poses in Self.poseFiles {
            let golden = CLI.repository.appendingPathComponent("samples/golden/\(poses.deletingPathExtension().lastPathComponent)")
            let frames = (try? FileManager.default.contentsOfDirectory(atPath: golden.path)) ?? []
            #expect(!frames.filter { $0.hasSuffix(".png") }.isEmpty, "no goldens for \(poses.lastPathComponent): run scripts/record-goldens")
        }
    }

    @Test(arguments: GoldenRenderTests.poseFiles)
    func renderMatchesGoldens(poses: URL) throws {
        let name = poses.deletingPathExtension().lastPathComponent
        let golden = CLI.repository.appendingPathComponent("samples/golden/\(name)")
        let count = try FileManager.default.contentsOfDirectory(atPath: golden.path).filter { $0.hasSuffix(".png") }.count
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent(name)
        let render = try CLI.run(["render", "--poses", poses.path, "--frames", "0:\(count)", "--seed", "0",
                                  "--codec", "png", "--out", out.path, "--quiet"], in: CLI.repository)
        #expect(render.status == 0, "\(render.errors)")
        let report = dir.appendingPathComponent("report.json")
        let compare = try CLI.run(["compare", golden.path, out.path, "--min-psnr", "45", "--report", report.path])
        #expect(compare.status == 0, "\(compare.output)\n\(compare.errors)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        #expect(json?["pass"] as? Bool == true)
        #expect((json?["frames"] as? [Any])?.count == count)
    }
}
