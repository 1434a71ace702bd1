import Foundation
@testable import PSGANKit

/// Paths shared by the tests.
enum TestPaths {
    /// The repository root (found from this file's path).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/golden`: the independent golden vectors (its README says where they came from).
    static let golden = repository.appendingPathComponent("Tests/Fixtures/golden")

    /// `Tests/Fixtures/golden/psgan-tiny`.
    static let psganTiny = golden.appendingPathComponent("psgan-tiny")

    /// `samples/upscalers`: the bundled upscaler weights.
    static let upscalers = repository.appendingPathComponent("samples/upscalers")

    /// A new empty directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("psgan-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Relative L2 error `|a - b| / |b|`.
func relativeL2(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    var diff = 0.0, norm = 0.0
    for i in a.indices {
        let d = Double(a[i]) - Double(b[i])
        diff += d * d
        norm += Double(b[i]) * Double(b[i])
    }
    return (diff / norm).squareRoot()
}

/// Runs a program and returns its standard output; throws when it exits non-zero.
///
/// Output goes through temporary files rather than pipes: reading a pipe while a child runs can be
/// interrupted by signals (EINTR) in Foundation on Linux.
@discardableResult
func runProgram(_ executable: String, _ arguments: [String]) throws -> Data {
    let result = try runCapturing(executable, arguments)
    guard result.status == 0 else {
        throw NSError(domain: "runProgram", code: Int(result.status), userInfo: [
            NSLocalizedDescriptionKey: "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: result.errors, as: UTF8.self))",
        ])
    }
    return result.output
}

/// Runs a program to completion and returns its exit status, standard output and standard error.
func runCapturing(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: Data, errors: Data) {
    let scratch = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, try Data(contentsOf: outURL), try Data(contentsOf: errURL))
}

/// Decodes an image or video with the `ffmpeg` program into packed RGB24 frames of `width x height`.
func decodeRGBFrames(_ url: URL, width: Int, height: Int, pattern: Bool = false) throws -> [[UInt8]] {
    var arguments = ["-v", "error"]
    if pattern { arguments += ["-f", "image2", "-pattern_type", "glob"] }
    arguments += ["-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    let data = try runProgram("ffmpeg", arguments)
    let frameSize = width * height * 3
    precondition(data.count % frameSize == 0, "decoded \(data.count) bytes, not a whole number of \(width)x\(height) frames")
    return stride(from: 0, to: data.count, by: frameSize).map { Array(data[$0 ..< $0 + frameSize]) }
}
