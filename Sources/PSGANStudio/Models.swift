import Foundation
import PSGANKit

/// The generators the studio offers: the one it started with, the bundled ones, and model files
/// uploaded into the workspace (`models/ID.safetensors`), each kept loaded for stills once used.
final class Models: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: Stills] = [:]
    private let workspace: Workspace
    /// The name of the model a request that names none gets.
    let defaultName: String
    private let defaultURL: URL

    /// The bundled models, by name.
    static let bundled = ["psgan-default", "psgan-identity-128", "psgan-adversarial-128"]

    init(default url: URL, workspace: Workspace) throws {
        self.workspace = workspace
        defaultURL = url
        defaultName = url.deletingPathExtension().lastPathComponent
        loaded[defaultName] = try Stills(model: url)
    }

    /// Every model a request may name: the default, the bundled ones found, the uploaded ones.
    var names: [String] {
        var names = [defaultName]
        for name in Self.bundled where !names.contains(name) && BundledResources.find("samples/\(name).safetensors") != nil { names.append(name) }
        let uploaded = (try? FileManager.default.contentsOfDirectory(atPath: workspace.folder.appendingPathComponent("models").path)) ?? []
        names += uploaded.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(12)) }.filter(Workspace.isID).sorted()
        return names
    }

    /// The model named `name` (nil: the default), loaded; a ``PSGANError`` for an unknown name or a
    /// file psgan cannot load.
    func stills(_ name: String?) throws -> Stills {
        let name = name.flatMap { $0.isEmpty ? nil : $0 } ?? defaultName
        if let ready = lock.withLock({ loaded[name] }) { return ready }
        let url: URL
        if name == defaultName {
            url = defaultURL
        } else if Self.bundled.contains(name), let found = BundledResources.find("samples/\(name).safetensors") {
            url = found
        } else if Workspace.isID(name), FileManager.default.fileExists(atPath: workspace.model(name).path) {
            url = workspace.model(name)
        } else {
            throw PSGANError(.model, "no model named '\(name)' (these are: \(names.joined(separator: ", ")))")
        }
        let stills = try Stills(model: url)
        lock.withLock { loaded[name] = stills }
        return stills
    }
}
