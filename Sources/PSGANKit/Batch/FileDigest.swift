import Foundation

/// SHA-256 digests of finished outputs, for `psgan batch --json`.
public enum FileDigest {
    /// The lowercase hex SHA-256 of a file's bytes; for a directory (PNG frames), of its regular
    /// files' bytes one after another in name order.
    ///
    /// - Throws: ``PSGANError`` naming the file when it cannot be read.
    public static func sha256(of url: URL) throws -> String {
        let hasher = SHA256Hasher()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PSGANError(.input, "\(url.path): cannot hash: no such file")
        }
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
            } catch {
                throw PSGANError(.input, "\(url.path): cannot list the directory (\(ErrorText.reason(error)))")
            }
            for name in names where !name.hasPrefix(".") {
                try feed(url.appendingPathComponent(name), into: hasher)
            }
        } else {
            try feed(url, into: hasher)
        }
        return hasher.finalize().hexString
    }

    private static func feed(_ url: URL, into hasher: SHA256Hasher) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw PSGANError(.input, "\(url.path): cannot open the file to hash it")
        }
        defer { try? handle.close() }
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw PSGANError(.input, "\(url.path): cannot read the file to hash it (\(ErrorText.reason(error)))")
            }
            if chunk.isEmpty { return }
            hasher.update(chunk)
        }
    }
}
