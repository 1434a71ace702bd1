import Foundation
import PSGANKit
import Testing

/// `FileDigest` (libavutil's SHA-256) against FIPS 180-2's test vectors and `sha256sum`.
@Suite struct FileDigestTests {
    /// Writes `bytes` to a new file and returns its URL.
    static func file(_ bytes: [UInt8], named name: String = "f", in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    @Test func knownVectors() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // FIPS 180-2, appendix B.1 and the empty message.
        #expect(try FileDigest.sha256(of: Self.file(Array("abc".utf8), in: dir))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try FileDigest.sha256(of: Self.file([], named: "empty", in: dir))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func largeFileAndDirectoryMatchSha256sum() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Over two of the 1 MiB chunks FileDigest reads, so the hash spans several updates.
        let bytes = (0 ..< (2 << 20) + 12345).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        let big = try Self.file(bytes, named: "big", in: dir)
        let expected = String(decoding: try runProgram("sha256sum", [big.path]), as: UTF8.self).prefix(64)
        #expect(try FileDigest.sha256(of: big) == String(expected))
        // A directory hashes its visible files' bytes one after another in name order.
        let frames = dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        _ = try Self.file(Array("second".utf8), named: "b.png", in: frames)
        _ = try Self.file(Array("first".utf8), named: "a.png", in: frames)
        _ = try Self.file(Array("hidden".utf8), named: ".a.png.partial", in: frames)
        let joined = try Self.file(Array("firstsecond".utf8), named: "joined", in: dir)
        #expect(try FileDigest.sha256(of: frames) == (try FileDigest.sha256(of: joined)))
        let missing = dir.appendingPathComponent("nope")
        expectError(.input) { try FileDigest.sha256(of: missing) }
    }
}
