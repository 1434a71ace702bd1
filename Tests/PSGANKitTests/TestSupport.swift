import Foundation
import PSGANTestSupport
@testable import PSGANKit

/// Paths shared by the tests.
enum TestPaths {
    /// The repository root.
    static let repository = TestSupport.repository

    /// `Tests/Fixtures/golden`: the independent golden vectors (its README says where they came from).
    static let golden = repository.appendingPathComponent("Tests/Fixtures/golden")

    /// `Tests/Fixtures/golden/psgan-tiny`.
    static let psganTiny = golden.appendingPathComponent("psgan-tiny")

    /// `samples/upscalers`: the bundled upscaler weights.
    static let upscalers = repository.appendingPathComponent("samples/upscalers")

    /// A new empty directory for one test.
    static func temporaryDirectory() throws -> URL {
        try TestSupport.temporaryDirectory()
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

/// Runs a program (found on the PATH) and returns its standard output; throws when it exits non-zero.
@discardableResult
func runProgram(_ executable: String, _ arguments: [String]) throws -> Data {
    try TestSupport.run(executable, arguments)
}

/// Decodes an image or video with the `ffmpeg` program into packed RGB24 frames of `width x height`.
func decodeRGBFrames(_ url: URL, width: Int, height: Int) throws -> [[UInt8]] {
    try TestSupport.decode(url, frameBytes: width * height * 3)
}
