import Foundation
@testable import PSGANKit

/// Paths shared by the tests.
enum TestPaths {
    /// The repository root (found from this file's path).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `shared/`, the read-only folder beside the repository (or `$PSGAN_SHARED`).
    static let shared: URL = {
        if let override = ProcessInfo.processInfo.environment["PSGAN_SHARED"] {
            return URL(fileURLWithPath: override)
        }
        return repository.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// `shared/golden/psgan-tiny`.
    static let psganTiny = shared.appendingPathComponent("golden/psgan-tiny")

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
@discardableResult
func runProgram(_ executable: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read stderr on another thread so neither pipe can fill up and stall the program.
    final class Box: @unchecked Sendable { var data = Data() }
    let errorBox = Box()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errorBox.data = errors.fileHandleForReading.readDataToEndOfFile() }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    group.wait()
    let errorData = errorBox.data
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "runProgram", code: Int(process.terminationStatus), userInfo: [
            NSLocalizedDescriptionKey: "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: errorData, as: UTF8.self))",
        ])
    }
    return data
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
