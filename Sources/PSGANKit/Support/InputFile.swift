import Foundation

/// Reading a small input file (a pose file, scene, manifest or character file) whole, with the
/// checks every such reader needs: a regular file (not a directory or a device such as
/// `/dev/zero`), of bounded size, readable.
enum InputFile {
    /// The largest such file read, in bytes.
    static let maximumSize = 64 << 20

    /// The bytes of the regular file at `url`; a ``PSGANError`` of `kind` naming it otherwise.
    static func data(at url: URL, kind: PSGANError.Kind, limit: Int = maximumSize) throws -> Data {
        let attributes: [FileAttributeKey: Any]
        do {
            // Through any symbolic links: what matters is the file that will be read.
            attributes = try FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
        } catch {
            throw PSGANError(kind, url: url, problem: "cannot read (\(ErrorText.reason(error)))")
        }
        if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
            throw PSGANError(kind, url: url, problem: type == .typeDirectory ? "is a directory, not a file" : "not a regular file")
        }
        if let size = (attributes[.size] as? NSNumber)?.int64Value, size > Int64(limit) {
            throw PSGANError(kind, url: url, problem: "the file is too large (\(size >> 20) MiB; the limit is \(limit >> 20) MiB)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PSGANError(kind, url: url, problem: "cannot read (\(ErrorText.reason(error)))")
        }
        if data.count > limit {
            throw PSGANError(kind, url: url, problem: "the file is too large (more than \(limit >> 20) MiB)")
        }
        return data
    }
}
