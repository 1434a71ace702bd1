import Foundation
import PSGANKit

/// The studio's files: uploaded pose files and finished renders, in one folder, each addressed by
/// an id the server made (never by a path a client sent).
///
/// Layout: `poses/ID.EXT` (an upload, as sent) and `renders/ID.EXT` (a finished render). Ids are
/// 16 lowercase hex digits; anything else is refused before it is used in a path.
public struct Workspace: Sendable {
    /// The folder.
    public let folder: URL

    /// A workspace in `folder`, created with its subfolders if missing.
    public init(folder: URL) throws {
        self.folder = folder
        for sub in ["poses", "renders", "models", "plates"] {
            do {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
            } catch {
                throw PSGANError(.render, file: folder.path, "cannot use as the studio's workspace (\(ErrorText.reason(error)))")
            }
        }
    }

    /// A new id.
    static func newID() -> String {
        (0 ..< 16).map { _ in String(Int.random(in: 0 ..< 16), radix: 16) }.joined()
    }

    /// Whether `text` is an id the workspace could have made.
    static func isID(_ text: String) -> Bool {
        text.count == 16 && text.allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) }
    }

    /// Stores an uploaded pose file (keeping a known extension: `.json` or `.bvh`); returns its id and file.
    func storePoses(_ data: Data, name: String) throws -> (id: String, url: URL) {
        let id = Self.newID()
        let ext = name.lowercased().hasSuffix(".bvh") ? "bvh" : "json"
        let url = folder.appendingPathComponent("poses/\(id).\(ext)")
        try data.write(to: url, options: .atomic)
        return (id, url)
    }

    /// Stores one file of an OpenPose folder (`name` ending in `.json`, only letters, digits, `._-`)
    /// in the folder `id` (a new one when nil); returns the folder's id.
    func storeFolderFile(_ data: Data, name: String, into id: String?) throws -> String? {
        guard name.hasSuffix(".json"), name.count <= 200, !name.hasPrefix("."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else { return nil }
        let folderID = id ?? Self.newID()
        guard Self.isID(folderID) else { return nil }
        let directory = folder.appendingPathComponent("poses/\(folderID)")
        if id == nil { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        try data.write(to: directory.appendingPathComponent(name), options: .atomic)
        return folderID
    }

    /// The stored pose file (or OpenPose folder) with `id`, or nil.
    func poses(_ id: String) -> URL? {
        guard Self.isID(id) else { return nil }
        return ["json", "bvh", ""].map { ext in folder.appendingPathComponent("poses/\(id)" + (ext.isEmpty ? "" : ".\(ext)")) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Writes a character file a render reads (keyframes and looks reach `RenderJob` as files).
    func storeCharacter(_ text: String) throws -> URL {
        let url = folder.appendingPathComponent("poses/\(Self.newID()).character.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// An uploaded model file's place.
    func model(_ id: String) -> URL { folder.appendingPathComponent("models/\(id).safetensors") }

    /// Stores an uploaded background picture or plate (keeping a plain extension); returns its id.
    func storePlate(_ data: Data, name: String) throws -> String {
        let id = Self.newID()
        let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
        let safe = ext.count <= 5 && ext.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? ext : "bin"
        try data.write(to: folder.appendingPathComponent("plates/\(id).\(safe.isEmpty ? "bin" : safe)"), options: .atomic)
        return id
    }

    /// The uploaded plate with `id`, or nil.
    func plate(_ id: String) -> URL? {
        guard Self.isID(id), let names = try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("plates").path),
              let name = names.first(where: { $0.hasPrefix(id + ".") }) else { return nil }
        return folder.appendingPathComponent("plates/\(name)")
    }

    /// Where render `id` is written (`ext`: the container's extension).
    func renderURL(_ id: String, ext: String) -> URL {
        folder.appendingPathComponent("renders/\(id).\(ext)")
    }
}
