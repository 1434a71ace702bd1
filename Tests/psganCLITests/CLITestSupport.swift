import Foundation
import PSGANKit
import PSGANTestSupport

/// Runs the built `psgan` program and collects what it did.
struct CLIResult {
    let status: Int32
    let output: String
    let errors: String
}

enum CLI {
    /// The `psgan` executable built beside the test bundle.
    static let executable: URL = {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = me.deletingLastPathComponent()
        // The test runner is `<products>/psganPackageTests.xctest` (a file on Linux).
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("psgan")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        fatalError("psgan executable not found near \(me.path)")
    }()

    static let repository = TestSupport.repository

    /// Runs `psgan arguments...` in `directory`.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PSGAN_MODEL")
        for (key, value) in environment { env[key] = value }
        let result = try capture(executable, arguments, in: directory, environment: env)
        return CLIResult(status: result.status, output: String(decoding: result.output, as: UTF8.self),
                         errors: String(decoding: result.errors, as: UTF8.self))
    }

    /// Runs a program to completion (see ``TestSupport/capture(_:_:in:environment:)``).
    static func capture(_ program: URL, _ arguments: [String], in directory: URL? = nil,
                        environment: [String: String]? = nil) throws -> Captured {
        try TestSupport.capture(program, arguments, in: directory, environment: environment)
    }

    /// A new empty directory for one test.
    static func temporaryDirectory() throws -> URL {
        try TestSupport.temporaryDirectory(prefix: "psgan-cli")
    }

    /// Writes a small random model (R=16) into `directory` with `psgan model init`.
    static func tinyModel(in directory: URL, seed: Int = 5) throws -> URL {
        let url = directory.appendingPathComponent("tiny.safetensors")
        let result = try run(["model", "init", "--resolution", "16", "--latent-dim", "8", "--channels", "4:8,8:8,16:4",
                              "--seed", "\(seed)", "--out", url.path])
        precondition(result.status == 0, result.errors)
        return url
    }

    /// Writes a native pose file of `frames` frames of COCO-18 on a 64x48 canvas.
    static func poseFile(in directory: URL, frames: Int = 6, fps: Double = 12, name: String = "poses.json") throws -> URL {
        var lines: [String] = []
        for f in 0..<frames {
            let keypoints = (0..<18).map { k -> String in
                let x = 8 + Double((k * 7 + f * 3) % 48), y = 4 + Double((k * 5 + f) % 40)
                return "[\(x), \(y), \(k == 3 ? 0 : 1)]"
            }
            lines.append("[" + keypoints.joined(separator: ", ") + "]")
        }
        let json = """
            {"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": \(fps),
             "canvas": {"width": 64, "height": 48},
             "frames": [\(lines.joined(separator: ",\n"))]}
            """
        let url = directory.appendingPathComponent(name)
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Files left in `directory` (names only, hidden ones included).
    static func contents(of directory: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
    }

    /// ffprobe's view of a video's first stream.
    static func probe(_ url: URL) throws -> [String: Any] {
        try TestSupport.probe(url)
    }

    /// Decodes a video or a directory of PNGs to packed RGB24 frames with the `ffmpeg` program.
    static func decode(_ url: URL, frameBytes: Int) throws -> [[UInt8]] {
        try TestSupport.decode(url, frameBytes: frameBytes)
    }
}
